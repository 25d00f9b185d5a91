#!/usr/bin/env node
// `npm run bench`: side-by-side numbers on ONE real n8n (loopback only, embedded SQLite) with
// this package installed from its packed tarball. Prints a table; asserts nothing.
//
//   1. resume latency: External Callback Wait (callback URL) vs n8n's Wait node ($execution.resumeUrl)
//   2. a refused call (wrong API key → 401) and a false condition (→ 200, ignored) vs a resume
//   3. `?execution=all` on the stable URL vs resume URLs at concurrency 1, 4, 8, 16
//   4. `?execution=any` with many executions waiting vs a direct resume-URL call
//   5. n8n's RSS idle vs with many executions waiting
//
// Sizes (env): BENCH_RESUMES=200 BENCH_GUARD_CALLS=<BENCH_RESUMES> BENCH_ALL=1000
// BENCH_ANY_WAITING=10000 BENCH_ANY_CALLS=20 BENCH_CREATE_CONCURRENCY=16 BENCH_WARMUP=3
// BENCH_PHASE_TIMEOUT_S=1200; BENCH_KEEP_N8N_FOLDER=1 keeps n8n's user folder (and its log).
// Every loop is bounded by a count and a deadline; every request by a timeout.
'use strict';
const { execFileSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT, N8nInstance, ensureN8n, packAndInstall, until, sleep } = require('./lib/n8n');

const int = (name, dflt) => {
	const v = process.env[name];
	if (v === undefined || v === '') return dflt;
	const n = Number(v);
	if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
	return n;
};
const SIZES = {};
SIZES.BENCH_RESUMES = int('BENCH_RESUMES', 200);
SIZES.BENCH_GUARD_CALLS = int('BENCH_GUARD_CALLS', SIZES.BENCH_RESUMES);
SIZES.BENCH_ALL = int('BENCH_ALL', 1000);
SIZES.BENCH_ANY_WAITING = int('BENCH_ANY_WAITING', 10000);
SIZES.BENCH_ANY_CALLS = int('BENCH_ANY_CALLS', 20);
SIZES.BENCH_CREATE_CONCURRENCY = Math.max(1, int('BENCH_CREATE_CONCURRENCY', 16));
SIZES.BENCH_WARMUP = int('BENCH_WARMUP', 3);
SIZES.BENCH_PHASE_TIMEOUT_S = Math.max(10, int('BENCH_PHASE_TIMEOUT_S', 1200));
const PHASE_MS = SIZES.BENCH_PHASE_TIMEOUT_S * 1000;
const URL_CONCURRENCIES = [1, 4, 8, 16];

const ECW = 'n8n-nodes-external-callback.externalCallbackWait';
const GEN = 'n8n-nodes-external-callback.generateCallbackUrl';
const API_KEY_VALUE = 'bench-key';

const log = (...a) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---------------------------------------------------------------------------------------------
// HTTP (node:http, keep-alive, loopback only; no fetch: its 300 s header timeout would cut `all`)
// ---------------------------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(method, url, { headers = {}, body, timeoutMs = 120_000 } = {}, attempt = 0) {
	const u = new URL(url);
	if (u.hostname !== '127.0.0.1') return Promise.reject(new Error(`refusing non-loopback URL ${url}`));
	const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
	const h = { ...headers };
	if (data !== undefined) {
		h['content-length'] = Buffer.byteLength(data);
		if (!h['content-type']) h['content-type'] = 'application/json';
	}
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const req = http.request(
			{ method, host: u.hostname, port: u.port, path: u.pathname + u.search, headers: h, agent },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }),
				);
				res.on('error', reject);
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${method} ${u.pathname}`)));
		req.on('error', (err) => {
			// A kept-alive socket the server closed meanwhile: retry once on a fresh one.
			if (req.reusedSocket && attempt === 0 && ['ECONNRESET', 'EPIPE'].includes(err.code)) {
				resolve(request(method, url, { headers, body, timeoutMs }, 1));
			} else reject(err);
		});
		if (data !== undefined) req.write(data);
		req.end();
	});
}

const json = (r) => {
	try {
		return r.text ? JSON.parse(r.text) : undefined;
	} catch {
		return undefined;
	}
};

/** Runs fn(i) for i in [0, n) with at most `concurrency` in flight, stopping at the deadline. */
async function pool(n, concurrency, fn, deadline = Infinity) {
	let next = 0;
	let done = 0;
	const results = new Array(n);
	const worker = async () => {
		while (next < n && Date.now() < deadline) {
			const i = next++;
			try {
				results[i] = await fn(i);
			} catch (error) {
				results[i] = { error };
			}
			done++;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
	return { results: results.slice(0, next), done };
}

// ---------------------------------------------------------------------------------------------
// statistics, process memory, formatting
// ---------------------------------------------------------------------------------------------
function pct(values, p) {
	const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	if (!v.length) return NaN;
	return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const ratioOf = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const mb = (kb) => kb / 1024;

function rssKb(pid) {
	try {
		const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : NaN;
	} catch {
		return NaN;
	}
}
function childPids(pid) {
	const out = [];
	try {
		for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
			try {
				out.push(...fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
			} catch {
				/* thread gone */
			}
		}
	} catch {
		/* process gone */
	}
	return [...new Set(out)];
}
function cmdline(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => path.basename(a)).join(' ').slice(0, 80);
	} catch {
		return '?';
	}
}
/** RSS of n8n's main process and of it plus every descendant (the task runner). */
function memory(pid) {
	const main = rssKb(pid);
	const kids = [];
	const queue = childPids(pid);
	for (let i = 0; i < queue.length && i < 64; i++) {
		const p = queue[i];
		kids.push({ pid: p, cmd: cmdline(p), kb: rssKb(p) });
		queue.push(...childPids(p));
	}
	const total = main + kids.reduce((s, k) => s + (Number.isFinite(k.kb) ? k.kb : 0), 0);
	return { main, total, kids };
}
/** RSS sampled `samples` times `intervalMs` apart (GC makes single readings jump by hundreds of MB): medians. */
async function memorySampled(pid, samples = 20, intervalMs = 500) {
	const got = [];
	for (let i = 0; i < samples; i++) {
		if (i) await sleep(intervalMs);
		got.push(memory(pid));
	}
	const med = (k) => pct(got.map((m) => m[k]), 50);
	const last = got[got.length - 1];
	return {
		main: med('main'),
		total: med('total'),
		kids: last.kids,
		range: {
			main: [Math.min(...got.map((m) => m.main)), Math.max(...got.map((m) => m.main))],
			total: [Math.min(...got.map((m) => m.total)), Math.max(...got.map((m) => m.total))],
		},
		samples,
	};
}
/** n8n's idle RSS as the target compares it: 15 s after the process is ready, then sampled. */
async function settledRss(pid) {
	await sleep(15_000); // let the task runner come up and start-up work settle
	return await memorySampled(pid);
}
let CLK_TCK = 100;
try {
	CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
	/* keep 100 */
}
/** CPU time (user + system, ms) the process has used so far. */
function cpuMs(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
	} catch {
		return NaN;
	}
}
/** Machine-wide CPU (ms, all cores) from /proc/stat: busy and total. */
function machineCpu() {
	try {
		const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
		const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
		const idle = v[3] + (v[4] || 0);
		return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK };
	} catch {
		return { busy: NaN, total: NaN };
	}
}
/** CPU (ms) of n8n's main process and its descendants. */
function n8nCpu(pid) {
	const pids = [pid];
	for (let i = 0; i < pids.length && i < 64; i++) pids.push(...childPids(pids[i]));
	return pids.reduce((s, p) => s + (Number.isFinite(cpuMs(p)) ? cpuMs(p) : 0), 0);
}
/** Who used the machine during a phase: this n8n, this script, everything else (other n8n's, tests…). */
function cpuSnapshot(pid) {
	const u = process.cpuUsage();
	return { t: Date.now(), m: machineCpu(), n8n: n8nCpu(pid), client: (u.user + u.system) / 1000, load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
}
function cpuShare(a, b) {
	const wall = b.t - a.t;
	const cores = os.cpus().length;
	const pctOf = (ms) => (100 * ms) / (wall * cores);
	const busy = b.m.busy - a.m.busy;
	const n8nMs = b.n8n - a.n8n;
	const clientMs = b.client - a.client;
	return {
		wallS: wall / 1000,
		busyPct: pctOf(busy),
		n8nPct: pctOf(n8nMs),
		clientPct: pctOf(clientMs),
		otherPct: pctOf(Math.max(0, busy - n8nMs - clientMs)),
		load: b.load,
	};
}
const shareLine = (c) =>
	`machine busy ${f1(c.busyPct)}% of ${os.cpus().length} cores over ${f1(c.wallS)} s: this n8n ${f1(c.n8nPct)}%, this script ${f1(c.clientPct)}%, other processes ${f1(c.otherPct)}% (load average at end ${c.load})`;
function otherN8ns(pid) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d) || Number(d) === pid) continue;
		const cmd = (() => {
			try {
				return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
			} catch {
				return '';
			}
		})();
		if (/n8n\/bin\/n8n start/.test(cmd)) out.push(Number(d));
	}
	return out;
}
const memLine = (m) =>
	`main ${f1(mb(m.main))} MB, with children ${f1(mb(m.total))} MB` +
	(m.range ? ` (median of ${m.samples} readings over ${((m.samples - 1) * 0.5).toFixed(1)} s; main ${f1(mb(m.range.main[0]))}–${f1(mb(m.range.main[1]))}, with children ${f1(mb(m.range.total[0]))}–${f1(mb(m.range.total[1]))})` : '') +
	(m.kids.length ? ` (${m.kids.map((k) => `${k.pid} ${k.cmd}: ${f1(mb(k.kb))} MB`).join('; ')})` : ' (no child process found)');

// ---------------------------------------------------------------------------------------------
// workflows
// ---------------------------------------------------------------------------------------------
let x = 0;
const pos = () => [(x++ % 8) * 220, 0];
const webhookNode = (responseMode) => ({
	id: randomUUID(),
	name: 'Start',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: pos(),
	webhookId: randomUUID(),
	parameters: { httpMethod: 'POST', path: `bench-${randomUUID()}`, responseMode, options: {} },
});
const respondNode = (urlExpr) => ({
	id: randomUUID(),
	name: 'Hand Out URL',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.1,
	position: pos(),
	parameters: { respondWith: 'json', responseBody: `={{ { url: ${urlExpr}, executionId: $execution.id } }}`, options: {} },
});
const noOp = () => ({ id: randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: pos(), parameters: {} });
const ecwNode = (parameters = {}, credentials) => ({
	id: randomUUID(),
	name: 'External Callback Wait',
	type: ECW,
	typeVersion: 1,
	position: pos(),
	webhookId: randomUUID(),
	parameters,
	...(credentials ? { credentials } : {}),
});
function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { name: `bench ${name} ${randomUUID().slice(0, 6)}`, nodes, connections };
}

/** Webhook → Generate Callback URL → Respond (the URL) → External Callback Wait → NoOp. */
function oursWorkflow(name, waitParams = {}, credentials) {
	const wait = ecwNode(waitParams, credentials);
	const gen = { id: randomUUID(), name: 'Generate Callback URL', type: GEN, typeVersion: 1, position: pos(), parameters: {} };
	return { wf: chain(name, [webhookNode('responseNode'), gen, respondNode('$json.callbackUrl'), wait, noOp()]), wait };
}
/** Webhook → Respond ($execution.resumeUrl) → n8n Wait (On Webhook Call) → NoOp. */
function theirsWorkflow(name) {
	const wait = {
		id: randomUUID(),
		name: 'Wait',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: pos(),
		webhookId: randomUUID(),
		parameters: { resume: 'webhook', options: {} },
	};
	return { wf: chain(name, [webhookNode('responseNode'), respondNode('$execution.resumeUrl'), wait, noOp()]), wait };
}
/** Lean: Webhook (reply on receipt) → External Callback Wait with the stable URL. */
function leanWorkflow(name, n8nCred) {
	const wait = ecwNode({ stableUrl: true }, { externalCallbackN8nApi: n8nCred });
	return { wf: chain(name, [webhookNode('onReceived'), wait]), wait };
}

// ---------------------------------------------------------------------------------------------
// the n8n side
// ---------------------------------------------------------------------------------------------
let n8n;

async function listExecutions(workflowId, { status, includeData = false, deadline = Date.now() + 300_000, maxPages = 1000 } = {}) {
	const out = [];
	let cursor;
	for (let page = 0; page < maxPages && Date.now() < deadline; page++) {
		const q = new URLSearchParams({ workflowId: String(workflowId), limit: '250', includeData: String(includeData) });
		if (status) q.set('status', status);
		if (cursor) q.set('cursor', cursor);
		const r = await request('GET', `${n8n.info.baseUrl}/api/v1/executions?${q}`, { headers: { 'X-N8N-API-KEY': n8n.info.apiKey } });
		if (r.status !== 200) throw new Error(`GET /executions -> ${r.status} ${r.text.slice(0, 300)}`);
		const body = json(r);
		out.push(...(body.data || []));
		cursor = body.nextCursor;
		if (!cursor) break;
	}
	return out;
}
const countWaiting = async (workflowId) => (await listExecutions(workflowId, { status: 'waiting' })).length;
const countAll = async (workflowId) => (await listExecutions(workflowId)).length;
async function countActive(workflowId) {
	const [running, fresh] = await Promise.all([
		listExecutions(workflowId, { status: 'running', maxPages: 1 }),
		listExecutions(workflowId, { status: 'new', maxPages: 1 }),
	]);
	return running.length + fresh.length;
}

/** Until no execution of the workflow is new/running (bounded). */
async function drain(workflowId, what, timeoutMs = 300_000) {
	const deadline = Date.now() + timeoutMs;
	let active = await countActive(workflowId);
	while (active > 0 && Date.now() < deadline) {
		await sleep(500);
		active = await countActive(workflowId);
	}
	if (active > 0) log(`  ${what}: ${active} executions still running after ${timeoutMs / 1000} s; moving on`);
}

/** Until `want` executions of the workflow wait (bounded); returns how many do. */
async function waitForWaiting(workflowId, want, deadline, label) {
	let n = await countWaiting(workflowId);
	let lastPrint = Date.now();
	while (n < want && Date.now() < deadline) {
		await sleep(want > 2000 ? 3000 : 500);
		n = await countWaiting(workflowId);
		if (Date.now() - lastPrint > 30_000) {
			log(`  ${label}: ${n}/${want} waiting`);
			lastPrint = Date.now();
		}
	}
	return n;
}

const FINAL = new Set(['success', 'error', 'crashed', 'canceled']);
/**
 * Between timed calls: wait until the execution a call resumed has finished (bounded), so that
 * its continuation does not run inside the next timed call. On 2 cores a resumed execution's
 * remaining work otherwise lands on whichever call comes next. Calls that resume nothing get one
 * status read too, so every timed call is followed by the same kind of pause.
 */
async function settle(executionId, resumed) {
	if (!executionId) return;
	const deadline = Date.now() + 15_000;
	for (let i = 0; i < 600 && Date.now() < deadline; i++) {
		const r = await request('GET', `${n8n.info.baseUrl}/api/v1/executions/${executionId}?includeData=false`, {
			headers: { 'X-N8N-API-KEY': n8n.info.apiKey },
		});
		const b = json(r);
		if (!resumed || (b && FINAL.has(b.status))) return;
		await sleep(20);
	}
	log(`  execution ${executionId} did not finish within 15 s`);
}

async function credential(type, data) {
	const c = await n8n.api('POST', '/credentials', { name: `bench ${type} ${randomUUID().slice(0, 6)}`, type, data });
	return { id: c.id, name: c.name };
}

async function publishStable(name, n8nCred) {
	const { wf, wait } = leanWorkflow(name, n8nCred);
	const { id, triggerUrl } = await n8n.publish(wf);
	const stableUrl = `${n8n.info.baseUrl}/webhook/${wait.webhookId}/callback`;
	await until(`stable URL ${stableUrl}`, async () => ((await request('GET', stableUrl)).status === 400 ? true : undefined), 30_000);
	return { id, triggerUrl, stableUrl, wait };
}

/**
 * Starts n executions of a workflow whose trigger replies with {url, executionId} (responseNode)
 * and waits until they wait. Returns the replies in start order.
 */
async function startWithUrls(label, triggerUrl, workflowId, n, deadline) {
	const t0 = Date.now();
	const { results } = await pool(
		n,
		SIZES.BENCH_CREATE_CONCURRENCY,
		async (i) => {
			const r = await request('POST', triggerUrl, { body: { i } });
			const b = json(r);
			if (r.status !== 200 || !b || !b.url) throw new Error(`start ${label} #${i}: ${r.status} ${r.text.slice(0, 200)}`);
			return b;
		},
		deadline,
	);
	const ok = results.filter((r) => r && !r.error);
	const errors = results.filter((r) => r && r.error);
	if (errors.length) log(`  ${label}: ${errors.length} starts failed, first: ${errors[0].error.message}`);
	const waiting = await waitForWaiting(workflowId, ok.length, deadline, label);
	log(`  ${label}: ${ok.length} started, ${waiting} waiting, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return ok;
}

/**
 * Starts n executions of a lean workflow (reply on receipt) with bounded concurrency and a
 * bound on executions still running (so that replies on receipt do not pile up work), then
 * waits until they wait. Returns { started, waiting, seconds, timedOut }.
 */
async function createWaiting(label, triggerUrl, workflowId, n, deadline) {
	const t0 = Date.now();
	const before = await countWaiting(workflowId);
	let started = 0;
	let failed = 0;
	let firstError = '';
	let nextProgress = 1000;
	let gate = Promise.resolve();
	let sinceCheck = 0;
	const MAX_ACTIVE = 64;
	const checkBacklog = async () => {
		for (let i = 0; i < 600 && Date.now() < deadline; i++) {
			if ((await countActive(workflowId)) <= MAX_ACTIVE) return;
			await sleep(100);
		}
	};
	await pool(
		n,
		SIZES.BENCH_CREATE_CONCURRENCY,
		async (i) => {
			if (++sinceCheck >= 64) {
				sinceCheck = 0;
				gate = checkBacklog();
			}
			await gate;
			const r = await request('POST', triggerUrl, { body: { i } });
			if (r.status === 200) started++;
			else {
				failed++;
				firstError ||= `${r.status} ${r.text.slice(0, 200)}`;
			}
			if (started >= nextProgress) {
				nextProgress += 1000;
				const s = (Date.now() - t0) / 1000;
				log(`  ${label}: ${started}/${n} started in ${s.toFixed(0)} s (${(started / s).toFixed(1)}/s)`);
			}
		},
		deadline,
	);
	if (failed) log(`  ${label}: ${failed} starts failed, first: ${firstError}`);
	const waiting = (await waitForWaiting(workflowId, before + started, deadline, label)) - before;
	const seconds = (Date.now() - t0) / 1000;
	const timedOut = waiting < n;
	log(`  ${label}: ${started} started, ${waiting} waiting after ${seconds.toFixed(1)} s${timedOut ? ' (NOT all: phase time limit or failures)' : ''}`);
	return { started, waiting, seconds, timedOut };
}

/** Resume URLs of the executions waiting at a lean workflow's wait node (oldest first). */
async function resumeUrls(workflowId, wait, deadline) {
	const list = await listExecutions(workflowId, { status: 'waiting', includeData: true, deadline });
	return list
		.filter((e) => e.data && e.data.resumeToken)
		.sort((a, b) => Number(a.id) - Number(b.id))
		.map((e) => ({ id: String(e.id), url: `${n8n.info.baseUrl}/webhook-waiting/${e.id}/${wait.id}?signature=${e.data.resumeToken}` }));
}

// ---------------------------------------------------------------------------------------------
// phases
// ---------------------------------------------------------------------------------------------
const R = { notes: [], cpu: [] };

async function phaseResume() {
	const n = SIZES.BENCH_RESUMES;
	const w = SIZES.BENCH_WARMUP;
	log(`phase 1: resume latency, ${n} each (+${w} warm-up each), ours vs n8n Wait`);
	const deadline = Date.now() + PHASE_MS;
	const ours = oursWorkflow('resume ours');
	const theirs = theirsWorkflow('resume n8n-wait');
	const po = await n8n.publish(ours.wf);
	const pt = await n8n.publish(theirs.wf);
	const so = await startWithUrls('ours', po.triggerUrl, po.id, n + w, deadline);
	const st = await startWithUrls('n8n Wait', pt.triggerUrl, pt.id, n + w, deadline);
	R.resumeUrlSample = { ours: so[0] && so[0].url, theirs: st[0] && st[0].url };
	const lat = { ours: [], theirs: [] };
	const bad = { ours: 0, theirs: 0 };
	const m = Math.min(so.length, st.length);
	// alternate, so that both see the same instance state
	for (let i = 0; i < m && Date.now() < deadline; i++) {
		for (const [k, s] of [['ours', so], ['theirs', st]]) {
			const r = await request('GET', s[i].url);
			if (r.status !== 200) {
				bad[k]++;
				if (bad[k] === 1) log(`  ${k} resume #${i}: ${r.status} ${r.text.slice(0, 200)}`);
			} else if (i >= w) lat[k].push(r.ms);
			await settle(s[i].executionId, r.status === 200);
		}
	}
	await drain(po.id, 'ours');
	await drain(pt.id, 'n8n Wait');
	const [leftOurs, leftTheirs] = [await countWaiting(po.id), await countWaiting(pt.id)];
	R.resume = { lat, bad, leftOurs, leftTheirs };
	log(`  ours p50 ${f1(pct(lat.ours, 50))} ms p95 ${f1(pct(lat.ours, 95))} ms (${lat.ours.length}, ${bad.ours} non-200); ` +
		`n8n Wait p50 ${f1(pct(lat.theirs, 50))} ms p95 ${f1(pct(lat.theirs, 95))} ms (${lat.theirs.length}, ${bad.theirs} non-200); still waiting: ${leftOurs}/${leftTheirs}`);
}

async function phaseGuards() {
	const n = SIZES.BENCH_GUARD_CALLS;
	const w = SIZES.BENCH_WARMUP;
	log(`phase 2: refused (wrong API key) and false-condition calls vs successful resumes, ${n} each (+${w} warm-up)`);
	const deadline = Date.now() + PHASE_MS;
	const keyCred = await credential('externalCallbackApiKeyApi', { apiKeys: API_KEY_VALUE, location: 'header', name: 'x-api-key' });
	const withKey = () => oursWorkflow('guard apiKey', { authentication: 'apiKey' }, { externalCallbackApiKeyApi: keyCred });
	// Pairs of identically configured workflows: one gets the refused/ignored calls, its twin the
	// successful resumes, so that waiting counts of the first show whether anything was resumed.
	const kinds = {
		refused: { wf: withKey(), call: (url) => request('GET', url, { headers: { 'x-api-key': 'wrong-key' } }), want: 401 },
		keyOk: { wf: withKey(), call: (url) => request('GET', url, { headers: { 'x-api-key': API_KEY_VALUE } }), want: 200 },
		ignored: { wf: oursWorkflow('guard false', { condition: '={{ false }}' }), call: (url) => request('GET', url), want: 200 },
		condOk: { wf: oursWorkflow('guard true', { condition: '={{ true }}' }), call: (url) => request('GET', url), want: 200 },
		plain: { wf: oursWorkflow('guard none'), call: (url) => request('GET', url), want: 200 },
	};
	for (const [k, v] of Object.entries(kinds)) {
		v.published = await n8n.publish(v.wf.wf);
		v.started = await startWithUrls(k, v.published.triggerUrl, v.published.id, n + w, deadline);
	}
	const counts = async () => ({
		refused: { waiting: await countWaiting(kinds.refused.published.id), all: await countAll(kinds.refused.published.id) },
		ignored: { waiting: await countWaiting(kinds.ignored.published.id), all: await countAll(kinds.ignored.published.id) },
	});
	const before = await counts();
	const lat = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
	const statuses = Object.fromEntries(Object.keys(kinds).map((k) => [k, {}]));
	const m = Math.min(...Object.values(kinds).map((v) => v.started.length));
	for (let i = 0; i < m && Date.now() < deadline; i++) {
		for (const [k, v] of Object.entries(kinds)) {
			const r = await v.call(v.started[i].url);
			statuses[k][r.status] = (statuses[k][r.status] || 0) + 1;
			if (r.status === v.want && i >= w) lat[k].push(r.ms);
			await settle(v.started[i].executionId, k !== 'refused' && k !== 'ignored' && r.status === 200);
		}
	}
	for (const v of Object.values(kinds)) await drain(v.published.id, 'guards');
	await sleep(1000);
	const after = await counts();
	// the refused executions still resume with the right key (sanity, not timed)
	const first = kinds.refused.started[0];
	const check = first ? await request('GET', first.url, { headers: { 'x-api-key': API_KEY_VALUE } }) : { status: 'n/a' };
	R.guards = { lat, statuses, before, after, rightKeyStatus: check.status };
	log(`  statuses: ${Object.entries(statuses).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`);
	for (const k of Object.keys(kinds)) log(`  ${k}: p50 ${f1(pct(lat[k], 50))} ms p95 ${f1(pct(lat[k], 95))} ms`);
	log(`  refused/ignored workflows, waiting before → after: ${before.refused.waiting} → ${after.refused.waiting} (executions ${before.refused.all} → ${after.refused.all}), ` +
		`${before.ignored.waiting} → ${after.ignored.waiting} (executions ${before.ignored.all} → ${after.ignored.all}); right key afterwards → ${check.status}`);
}

async function phaseAll(n8nCred) {
	const n = SIZES.BENCH_ALL;
	log(`phase 3: all on the stable URL over ${n} waiting vs resume URLs at concurrency ${URL_CONCURRENCIES.join(', ')}`);
	// five create-and-measure steps: each step (create, then measure) has its own time limit
	const step = () => Date.now() + PHASE_MS;
	let deadline = step();
	const p = await publishStable('all', n8nCred);
	const out = { creates: [], url: {} };
	const c0 = await createWaiting('all: create', p.triggerUrl, p.id, n, deadline);
	out.creates.push(c0);
	await drain(p.id, 'all: create');
	const cpu0 = cpuMs(n8n.info.pid);
	const r = await request('GET', `${p.stableUrl}?execution=all`, { timeoutMs: PHASE_MS }).catch((e) => ({
		status: 'error',
		text: e.message,
		ms: NaN,
	}));
	const resumed = r.status === 200 && r.text ? r.text.split(',').length : 0;
	out.all = { status: r.status, ms: r.ms, resumed, waitingBefore: c0.waiting, rate: resumed / (r.ms / 1000), cpuMs: cpuMs(n8n.info.pid) - cpu0 };
	log(`  all: ${r.status}, ${resumed} resumed in ${f1(r.ms)} ms → ${f1(out.all.rate)}/s${r.status !== 200 ? ` (${r.text.slice(0, 200)})` : ''}`);
	await drain(p.id, 'all', 600_000);
	const left = await countWaiting(p.id);
	if (left) log(`  after all: ${left} still waiting`);
	for (const c of URL_CONCURRENCIES) {
		const cr = await createWaiting(`url c=${c}: create`, p.triggerUrl, p.id, n, step());
		out.creates.push(cr);
		await drain(p.id, `url c=${c}: create`);
		deadline = step();
		const urls = await resumeUrls(p.id, p.wait, deadline);
		const statuses = {};
		const cpu1 = cpuMs(n8n.info.pid);
		const t0 = performance.now();
		const { done } = await pool(
			urls.length,
			c,
			async (i) => {
				const res = await request('GET', urls[i].url);
				statuses[res.status] = (statuses[res.status] || 0) + 1;
			},
			deadline,
		);
		const ms = performance.now() - t0;
		const okCount = statuses[200] || 0;
		out.url[c] = { n: urls.length, done, ok: okCount, ms, rate: okCount / (ms / 1000), statuses, cpuMs: cpuMs(n8n.info.pid) - cpu1 };
		log(`  resume URLs c=${c}: ${okCount}/${urls.length} resumed in ${f1(ms)} ms → ${f1(out.url[c].rate)}/s ${JSON.stringify(statuses)}`);
		await drain(p.id, `url c=${c}`, 600_000);
	}
	R.all = out;
}

async function phaseAny(n8nCred) {
	const n = SIZES.BENCH_ANY_WAITING;
	const calls = SIZES.BENCH_ANY_CALLS;
	log(`phase 4/5: any with ${n} waiting (${calls} calls) vs direct resume-URL calls; RSS`);
	const deadline = Date.now() + PHASE_MS;
	const p = await publishStable('any', n8nCred);
	// n8n's own cheapest production webhook (Webhook node, reply on receipt): the floor any
	// production-webhook URL pays before its node runs — `any` pays it once on the stable URL
	// and once more on the resume URL it forwards to.
	const floor = await n8n.publish(chain('webhook floor', [webhookNode('onReceived'), noOp()]));
	await until('floor webhook', async () => ((await request('POST', floor.triggerUrl, { body: {} })).status === 200 ? true : undefined), 30_000);
	await drain(floor.id, 'floor warm-up');
	await sleep(2000);
	R.memBeforeAny = await memorySampled(n8n.info.pid);
	log(`  RSS before creating them: ${memLine(R.memBeforeAny)}`);
	const c = await createWaiting('any: create', p.triggerUrl, p.id, n, deadline);
	await drain(p.id, 'any: create');
	const callDeadline = Date.now() + PHASE_MS; // the calls get their own time limit
	await sleep(2000);
	R.memWaiting = await memorySampled(n8n.info.pid);
	log(`  RSS with ${c.waiting} waiting: ${memLine(R.memWaiting)}`);
	// What `any` does first: list every waiting execution of the workflow with its data (public API).
	const pages = [];
	const tl = performance.now();
	const list = [];
	{
		let cursor;
		for (let page = 0; page < 1000 && Date.now() < callDeadline; page++) {
			const q = new URLSearchParams({ status: 'waiting', workflowId: String(p.id), includeData: 'true', limit: '250' });
			if (cursor) q.set('cursor', cursor);
			const r = await request('GET', `${n8n.info.baseUrl}/api/v1/executions?${q}`, { headers: { 'X-N8N-API-KEY': n8n.info.apiKey } });
			pages.push({ ms: r.ms, bytes: r.text.length });
			const b = json(r);
			list.push(...(b.data || []));
			cursor = b.nextCursor;
			if (!cursor) break;
		}
	}
	const listMs = performance.now() - tl;
	const newest = list.filter((e) => e.data && e.data.resumeToken).sort((a, b) => Number(b.id) - Number(a.id)); // `any` takes the oldest
	const direct = newest.filter((_, i) => i % 2 === 0).map((e) => ({ id: String(e.id), url: `${n8n.info.baseUrl}/webhook-waiting/${e.id}/${p.wait.id}?signature=${e.data.resumeToken}` }));
	const byId = newest.filter((_, i) => i % 2 === 1).map((e) => ({ id: String(e.id), url: `${p.stableUrl}?execution=${e.id}` }));
	// one execution with its data through the public API, as ?execution=<id> does (client side)
	const single = [];
	for (const e of newest.slice(-5)) {
		const r = await request('GET', `${n8n.info.baseUrl}/api/v1/executions/${e.id}?includeData=true`, { headers: { 'X-N8N-API-KEY': n8n.info.apiKey } });
		single.push(r.ms);
	}
	log(`  listing ${list.length} waiting with data (for comparison; any no longer lists them): ${f1(listMs)} ms, ${pages.length} pages, ` +
		`page p50 ${f1(pct(pages.map((x) => x.ms), 50))} ms, ${f1(pages.reduce((s, x) => s + x.bytes, 0) / 1048576)} MB`);
	// interleaved: any on the stable URL, a direct resume URL, the stable URL with ?execution=<id>
	const KINDS = ['any', 'direct', 'byId', 'miss', 'hook'];
	const lat = Object.fromEntries(KINDS.map((k) => [k, []]));
	const cpu = Object.fromEntries(KINDS.map((k) => [k, []]));
	const statuses = Object.fromEntries(KINDS.map((k) => [k, {}]));
	const want = { any: 200, direct: 200, byId: 200, miss: 404, hook: 200 };
	const anyIds = [];
	for (let i = 0; i < calls && Date.now() < callDeadline; i++) {
		const miss = { url: `${p.stableUrl}?execution=99999999` }; // webhook + one API GET (404), nothing forwarded
		const hook = { url: floor.triggerUrl, method: 'POST', body: { i } };
		for (const [k, target] of [['any', { url: `${p.stableUrl}?execution=any` }], ['direct', direct[i]], ['byId', byId[i]], ['miss', miss], ['hook', hook]]) {
			if (!target) continue;
			const url = target.url;
			const c0 = cpuMs(n8n.info.pid);
			const a = await request(target.method || 'GET', url, { timeoutMs: 600_000, body: target.body }).catch((e) => ({ status: 'error', text: e.message, ms: NaN, headers: {} }));
			statuses[k][a.status] = (statuses[k][a.status] || 0) + 1;
			if (a.status === want[k]) {
				lat[k].push(a.ms);
				cpu[k].push(cpuMs(n8n.info.pid) - c0);
				if (k === 'any') anyIds.push(a.headers['x-execution-id']);
			} else if (statuses[k][a.status] === 1) log(`  ${k} #${i}: ${a.status} ${a.text.slice(0, 200)}`);
			await settle(k === 'any' ? a.headers['x-execution-id'] : target.id, a.status === 200 && k !== 'miss');
		}
	}
	const anyLat = lat.any;
	const directLat = lat.direct;
	await drain(p.id, 'any calls');
	await drain(floor.id, 'floor calls');
	R.memAfterAny = await memorySampled(n8n.info.pid, 6);
	R.any = { create: c, listMs, pages, listed: list.length, anyLat, directLat, byIdLat: lat.byId, missLat: lat.miss, hookLat: lat.hook, single, cpu, statuses, anyIds: anyIds.slice(0, 5) };
	for (const k of KINDS) {
		log(`  ${k}: p50 ${f1(pct(lat[k], 50))} ms p95 ${f1(pct(lat[k], 95))} ms, n8n CPU p50 ${f1(pct(cpu[k], 50))} ms/call ${JSON.stringify(statuses[k])}`);
	}
	log(`  RSS after: ${memLine(R.memAfterAny)}`);
	// The same n8n holding them, idle, measured as the start-up figure was: a fresh process (as
	// after a deploy or a restart) 15 s after it is ready. The readings above are of the process
	// that did the work of creating them (V8 keeps its heap grown); this one is what the waiting
	// executions themselves cost.
	R.memRestart = { waitingBefore: await countWaiting(p.id) };
	R.cpuBeforeRestart = cpuSnapshot(n8n.info.pid); // the phase's CPU share is of the process that did the work
	await n8n.restart();
	R.memRestart.mem = await settledRss(n8n.info.pid);
	R.memRestart.waitingAfter = await countWaiting(p.id);
	log(`  RSS of a fresh process with ${R.memRestart.waitingAfter} waiting (restarted; ${R.memRestart.waitingBefore} before): ${memLine(R.memRestart.mem)}`);
}

// ---------------------------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------------------------
function report(facts) {
	const rows = [];
	const row = (measurement, ours, baseline, ratio, target, met) => rows.push([measurement, ours, baseline, ratio, target, met]);
	const yes = (b) => (b === undefined ? 'n/a' : b ? 'yes' : 'no');
	const le = (r, t) => (Number.isFinite(r) ? r <= t : undefined);
	const ge = (r, t) => (Number.isFinite(r) ? r >= t : undefined);

	if (R.resume) {
		const { lat } = R.resume;
		for (const p of [50, 95]) {
			const a = pct(lat.ours, p);
			const b = pct(lat.theirs, p);
			const r = ratioOf(a, b);
			row(`resume latency p${p} (ms): ECW callback URL vs n8n Wait resumeUrl`, f1(a), f1(b), f2(r), '≤ 1.10', yes(le(r, 1.1)));
		}
	}
	if (R.guards) {
		const { lat } = R.guards;
		const pairs = [
			['refused', 'keyOk', 'refused call (wrong API key → 401)', 'successful resume, same API-key config'],
			['ignored', 'condOk', 'false condition `={{ false }}` (→ 200, ignored)', 'successful resume, condition `={{ true }}`'],
		];
		for (const [k, base, label, baseLabel] of pairs) {
			for (const p of [50, 95]) {
				const a = pct(lat[k], p);
				const b = pct(lat[base], p);
				const r = ratioOf(a, b);
				row(`${label} p${p} (ms) vs ${baseLabel}`, f1(a), f1(b), f2(r), '≤ 1.10', yes(le(r, 1.1)));
			}
		}
	}
	if (R.all) {
		const rates = URL_CONCURRENCIES.map((c) => (R.all.url[c] ? R.all.url[c].rate : NaN));
		const best = Math.max(...rates.filter(Number.isFinite));
		const bestC = URL_CONCURRENCIES[rates.indexOf(best)];
		const r = ratioOf(R.all.all.rate, best);
		row(
			`all: resumes/s over ${R.all.all.resumed} waiting vs best resume-URL rate (c=${bestC ?? 'n/a'})`,
			f1(R.all.all.rate),
			f1(best),
			f2(r),
			'≥ 0.80',
			yes(ge(r, 0.8)),
		);
	}
	if (R.any) {
		const a50 = pct(R.any.anyLat, 50);
		const a95 = pct(R.any.anyLat, 95);
		const d50 = pct(R.any.directLat, 50);
		row(`any p50 (ms) with ${R.any.create.waiting} waiting vs direct resume-URL p50`, f1(a50), f1(d50), f2(ratioOf(a50, d50)), '≤ 2.00', yes(le(ratioOf(a50, d50), 2)));
		row(`any p95 (ms) with ${R.any.create.waiting} waiting vs direct resume-URL p50`, f1(a95), f1(d50), f2(ratioOf(a95, d50)), '—', '—');
		const h50 = pct(R.any.hookLat, 50);
		row(`floor: n8n's own Webhook node (reply on receipt) p50 + direct p50 vs direct p50`, f1(h50 + d50), f1(d50), f2(ratioOf(h50 + d50, d50)), '(info)', '—');
	}
	if (R.memIdle && R.memRestart && R.memRestart.mem) {
		const n = R.memRestart.waitingAfter;
		for (const [k, label] of [['main', 'main process'], ['total', 'main + children']]) {
			const d = mb(R.memRestart.mem[k] - R.memIdle[k]);
			row(`n8n RSS (MB, median of readings over 10 s, 15 s after start-up), ${label}: ${n} waiting vs none`, f1(mb(R.memRestart.mem[k])), f1(mb(R.memIdle[k])), `${d >= 0 ? '+' : ''}${f1(d)} MB`, '≤ +50 MB', yes(Number.isFinite(d) ? d <= 50 : undefined));
		}
	}
	if (R.memIdle && R.memWaiting) {
		const n = R.any ? R.any.create.waiting : '?';
		const d = mb(R.memWaiting.main - R.memIdle.main);
		row(`n8n RSS (MB), main process: the process that created the ${n} (after phases 1–3 and their creation) vs idle after start-up`, f1(mb(R.memWaiting.main)), f1(mb(R.memIdle.main)), `${d >= 0 ? '+' : ''}${f1(d)} MB`, '(info)', '—');
		if (R.memBeforeAny) {
			const d2 = mb(R.memWaiting.main - R.memBeforeAny.main);
			row(`n8n RSS (MB), main process: ${n} waiting vs just before creating them (after phases 1–3)`, f1(mb(R.memWaiting.main)), f1(mb(R.memBeforeAny.main)), `${d2 >= 0 ? '+' : ''}${f1(d2)} MB`, '(info)', '—');
		}
	}
	const table = [
		'| measurement | ours | baseline | ratio | target | met? |',
		'|---|---:|---:|---:|---|---|',
		...rows.map((r) => `| ${r.join(' | ')} |`),
	].join('\n');

	const d = [];
	if (R.resume) {
		d.push(`- phase 1: ${R.resume.lat.ours.length} + ${R.resume.lat.theirs.length} timed resumes (GET, alternating ours/theirs, ${SIZES.BENCH_WARMUP} warm-up each not timed); non-200: ours ${R.resume.bad.ours}, n8n Wait ${R.resume.bad.theirs}; left waiting afterwards: ${R.resume.leftOurs}/${R.resume.leftTheirs}`);
		d.push(`  - sample URLs: ours \`${redact(R.resumeUrlSample.ours)}\`, n8n Wait \`${redact(R.resumeUrlSample.theirs)}\``);
	}
	if (R.guards) {
		const g = R.guards;
		d.push(`- phase 2 (GET on the callback URL, the 5 kinds interleaved call by call): ${Object.keys(g.lat).map((k) => `${k} p50 ${f1(pct(g.lat[k], 50))} / p95 ${f1(pct(g.lat[k], 95))} ms ${JSON.stringify(g.statuses[k])}`).join('; ')} (refused = wrong key, keyOk = right key, ignored = \`={{ false }}\`, condOk = \`={{ true }}\`, plain = no guard)`);
		const same = g.before.refused.waiting === g.after.refused.waiting && g.before.refused.all === g.after.refused.all && g.before.ignored.waiting === g.after.ignored.waiting && g.before.ignored.all === g.after.ignored.all;
		d.push(`- phase 2 nothing resumed or started by refused/ignored calls: API-key workflow waiting ${g.before.refused.waiting} → ${g.after.refused.waiting}, executions ${g.before.refused.all} → ${g.after.refused.all}; false-condition workflow waiting ${g.before.ignored.waiting} → ${g.after.ignored.waiting}, executions ${g.before.ignored.all} → ${g.after.ignored.all} (${same ? 'unchanged' : 'CHANGED'}); a refused execution afterwards resumed with the right key → ${g.rightKeyStatus}`);
	}
	if (R.all) {
		const a = R.all;
		d.push(`- phase 3 all: status ${a.all.status}, ${a.all.resumed} of ${a.all.waitingBefore} waiting resumed in ${f1(a.all.ms)} ms (${f1(a.all.rate)}/s); n8n main-process CPU ${f1(a.all.cpuMs / Math.max(1, a.all.resumed))} ms per resume`);
		for (const c of URL_CONCURRENCIES) {
			const u = a.url[c];
			d.push(u ? `- phase 3 resume URLs c=${c}: ${u.ok}/${u.n} in ${f1(u.ms)} ms → ${f1(u.rate)}/s ${JSON.stringify(u.statuses)}; n8n main-process CPU ${f1(u.cpuMs / Math.max(1, u.ok))} ms per resume` : `- phase 3 resume URLs c=${c}: not run`);
		}
		d.push(`- phase 3 creating waiting executions: ${a.creates.map((c) => `${c.waiting} in ${f1(c.seconds)} s`).join(', ')}`);
	}
	if (R.any) {
		const a = R.any;
		const pageMs = a.pages.map((p) => p.ms);
		d.push(`- phase 4 created ${a.create.waiting} waiting in ${f1(a.create.seconds)} s (${f1(a.create.waiting / a.create.seconds)}/s)${a.create.timedOut ? ' — NOT all, phase time limit' : ''}`);
		d.push(`- phase 4 any: ${a.anyLat.length} × 200, p50 ${f1(pct(a.anyLat, 50))} ms, p95 ${f1(pct(a.anyLat, 95))} ms, statuses ${JSON.stringify(a.statuses.any)}; direct: ${a.directLat.length} × 200, p50 ${f1(pct(a.directLat, 50))} ms, p95 ${f1(pct(a.directLat, 95))} ms`);
		d.push(`- phase 4 stable URL with ?execution=<id> (one public-API GET, then the same forward): p50 ${f1(pct(a.byIdLat, 50))} ms, p95 ${f1(pct(a.byIdLat, 95))} ms ${JSON.stringify(a.statuses.byId)}`);
		d.push(`- phase 4 stable URL with ?execution=99999999 (webhook + one public-API GET → 404, nothing forwarded): p50 ${f1(pct(a.missLat, 50))} ms ${JSON.stringify(a.statuses.miss)}; one execution with data through the public API from this script: p50 ${f1(pct(a.single, 50))} ms`);
		d.push(`- phase 4 n8n main-process CPU per call (p50): any ${f1(pct(a.cpu.any, 50))} ms, direct ${f1(pct(a.cpu.direct, 50))} ms, ?execution=<id> ${f1(pct(a.cpu.byId, 50))} ms, ?execution=99999999 ${f1(pct(a.cpu.miss, 50))} ms, n8n's own Webhook node (reply on receipt) ${f1(pct(a.cpu.hook, 50))} ms`);
		const hook50 = pct(a.hookLat, 50);
		const direct50 = pct(a.directLat, 50);
		d.push(`- phase 4 floor: n8n's own Webhook node replying on receipt (no node of ours) p50 ${f1(hook50)} ms; any is one production-webhook request that makes another (the resume URL), so it cannot beat webhook + direct = ${f1(hook50 + direct50)} ms = ${f2(ratioOf(hook50 + direct50, direct50))}× direct before it finds anything`);
		d.push(`- phase 4 where any's time goes: it finds the oldest waiting execution by bisecting on the execution id with one-page listings without data (about log2(highest id / 100) public-API requests, whatever the number waiting), reads that one execution with its data, then forwards; for comparison, listing all ${a.listed} waiting with data from this script took ${f1(a.listMs)} ms (${a.pages.length} pages of ≤ 250, page p50 ${f1(pct(pageMs, 50))} ms, ${f1(a.pages.reduce((s, p) => s + p.bytes, 0) / 1048576)} MB)`);
	}
	for (const c of R.cpu) d.push(`- CPU during phase ${c.name}: ${shareLine(c.share)}; other n8n processes running at its start: ${c.others}`);
	if (R.memIdle) d.push(`- RSS idle after start-up: ${memLine(R.memIdle)}`);
	if (R.memBeforeAny) d.push(`- RSS before creating phase-4 executions: ${memLine(R.memBeforeAny)}`);
	if (R.memWaiting) d.push(`- RSS with phase-4 executions waiting: ${memLine(R.memWaiting)}`);
	if (R.memRestart && R.memRestart.mem) d.push(`- RSS of a fresh n8n process (restarted after phase 4, same database) with ${R.memRestart.waitingAfter} waiting (${R.memRestart.waitingBefore} before the restart), 15 s after it was ready: ${memLine(R.memRestart.mem)}`);
	if (R.memAfterAny) d.push(`- RSS after the any/direct calls: ${memLine(R.memAfterAny)}`);
	for (const note of R.notes) d.push(`- ${note}`);

	const md = [
		`# n8n-nodes-external-callback benchmark (${new Date().toISOString()})`,
		'',
		`Command: \`${facts.command}\``,
		'',
		`Machine: ${facts.cpus} × ${facts.cpuModel}, ${f1(facts.memGb)} GB RAM, ${facts.osInfo}; n8n ${facts.n8nVersion} on Node ${facts.nodeVersion} (benchmark client: Node ${process.version}); one n8n process, embedded SQLite, loopback only`,
		'',
		facts.pkg ? `Package measured: packed ${facts.pkg.packedAt} from dist/ built ${facts.pkg.distBuilt} (git HEAD ${facts.pkg.head}, ${facts.pkg.dirty} uncommitted paths in the checkout), tarball sha256 ${facts.pkg.sha}` : '',
		'',
		`Sizes: ${Object.entries(SIZES).map(([k, v]) => `${k}=${v}`).join(' ')}`,
		'',
		table,
		'',
		'Latencies are client-side, request sent → reply received, keep-alive HTTP on 127.0.0.1; sequential calls, each followed by waiting (public API) until the execution it resumed has finished. Ratios are ours / baseline. The targets are goals; nothing here fails a build.',
		'',
		'Details:',
		'',
		...d,
		'',
	].join('\n');
	return md;
}

function redact(url) {
	return url ? url.replace(/signature=[0-9a-f]{6}[0-9a-f]*/, (m) => `${m.slice(0, 16)}…`) : String(url);
}

// ---------------------------------------------------------------------------------------------
async function main() {
	const started = Date.now();
	const envPart = Object.keys(process.env)
		.filter((k) => k.startsWith('BENCH_'))
		.sort()
		.map((k) => `${k}=${process.env[k]}`)
		.join(' ');
	const command = `${envPart ? `${envPart} ` : ''}node ${path.relative(ROOT, process.argv[1]) || process.argv[1]}${process.argv.slice(2).map((a) => ` ${a}`).join('')}`;
	log(`sizes: ${Object.entries(SIZES).map(([k, v]) => `${k}=${v}`).join(' ')}`);
	const install = ensureN8n(undefined, { quiet: true });
	const n8nPkg = path.join(path.dirname(path.dirname(install.n8nBin)), 'package.json');
	const facts = {
		command,
		cpus: os.cpus().length,
		cpuModel: (os.cpus()[0] || {}).model || '?',
		memGb: os.totalmem() / 1024 ** 3,
		osInfo: `${os.type()} ${os.release()} ${os.arch()}`,
		nodeVersion: execFileSync(install.nodeBin, ['--version'], { encoding: 'utf8' }).trim(),
		n8nVersion: fs.existsSync(n8nPkg) ? JSON.parse(fs.readFileSync(n8nPkg, 'utf8')).version : install.version,
	};
	log(`machine: ${facts.cpus} × ${facts.cpuModel}, ${f1(facts.memGb)} GB; n8n ${facts.n8nVersion} on Node ${facts.nodeVersion}`);
	log('packing the package and installing it as a user would (build first: npm run build)');
	// `npm run …` exports the project's .npmrc (ignore-scripts=true) to child npm commands; run
	// directly with node, do the same, or npm would compile the peer dependency's native addons.
	process.env.npm_config_ignore_scripts ??= 'true';
	const { nodesDir, tarball } = packAndInstall();
	// Others may rebuild dist/ or commit while this runs: say exactly what was measured.
	const git = (...a) => {
		try {
			return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		} catch {
			return '?';
		}
	};
	const distFile = path.join(ROOT, 'dist/nodes/ExternalCallbackWait/ExternalCallbackWait.node.js');
	facts.pkg = {
		head: git('rev-parse', '--short', 'HEAD'),
		dirty: git('status', '--porcelain').split('\n').filter(Boolean).length,
		sha: require('node:crypto').createHash('sha256').update(fs.readFileSync(tarball)).digest('hex').slice(0, 12),
		distBuilt: fs.existsSync(distFile) ? fs.statSync(distFile).mtime.toISOString() : '?',
		packedAt: new Date().toISOString(),
	};
	log(`package: packed ${facts.pkg.packedAt} from dist/ built ${facts.pkg.distBuilt}; git HEAD ${facts.pkg.head} (+${facts.pkg.dirty} uncommitted paths); tarball sha256 ${facts.pkg.sha}`);
	n8n = new N8nInstance(install, { nodesDir });
	let stopping = false;
	const stopAndExit = async (signal) => {
		if (stopping) return;
		stopping = true;
		log(`${signal}: stopping n8n (pid ${n8n.info.pid})`);
		await n8n.stop().catch(() => undefined);
		process.exit(130);
	};
	process.on('SIGINT', () => void stopAndExit('SIGINT'));
	process.on('SIGTERM', () => void stopAndExit('SIGTERM'));
	let md;
	try {
		const t0 = Date.now();
		await n8n.start();
		log(`n8n up at ${n8n.info.baseUrl} (pid ${n8n.info.pid}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; log ${n8n.info.logFile}`);
		R.memIdle = await settledRss(n8n.info.pid);
		log(`RSS idle: ${memLine(R.memIdle)}`);
		const n8nCred = await credential('externalCallbackN8nApi', { baseUrl: n8n.info.baseUrl, apiKey: n8n.info.apiKey });
		const phases = [
			['1 resume latency', () => phaseResume(), SIZES.BENCH_RESUMES > 0],
			['2 refused/ignored calls', () => phaseGuards(), SIZES.BENCH_GUARD_CALLS > 0],
			['3 all', () => phaseAll(n8nCred), SIZES.BENCH_ALL > 0],
			['4/5 any and RSS', () => phaseAny(n8nCred), SIZES.BENCH_ANY_WAITING > 0],
		];
		for (const [name, run, enabled] of phases) {
			if (!enabled) continue;
			const tp = Date.now();
			const others = otherN8ns(n8n.info.pid);
			const snap = cpuSnapshot(n8n.info.pid);
			try {
				await run();
			} catch (error) {
				log(`phase ${name} failed: ${error.stack || error.message}`);
				R.notes.push(`phase ${name} failed: ${error.message.split('\n')[0]}`);
			}
			const share = cpuShare(snap, R.cpuBeforeRestart || cpuSnapshot(n8n.info.pid));
			R.cpuBeforeRestart = undefined;
			R.cpu.push({ name, share, others: others.length });
			log(`phase ${name}: ${((Date.now() - tp) / 1000).toFixed(1)} s; ${shareLine(share)}; other n8n processes at start: ${others.length}`);
		}
	} finally {
		if (!stopping) {
			log('stopping n8n');
			await n8n.stop();
		}
	}
	R.notes.push(`total benchmark time ${((Date.now() - started) / 1000).toFixed(0)} s; n8n log: ${n8n.info.logFile}${process.env.BENCH_KEEP_N8N_FOLDER === '1' ? '' : ' (deleted; BENCH_KEEP_N8N_FOLDER=1 keeps it)'}`);
	md = report(facts);
	if (process.env.BENCH_KEEP_N8N_FOLDER !== '1') n8n.destroy();
	fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, 'test-artifacts', 'bench-latest.md'), md);
	console.log(`\n${md}`);
	console.log('(also written to test-artifacts/bench-latest.md)');
	agent.destroy();
	process.exit(0); // N8nInstance.stop() leaves a 30 s timer behind
}

main().catch(async (e) => {
	console.error(`[bench] failed: ${e.stack || e.message}`);
	if (n8n) await n8n.stop().catch(() => undefined);
	agent.destroy();
	process.exit(1);
});
