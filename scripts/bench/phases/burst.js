// Phase 6: bursts. BENCH_BURST concurrent calls, all at once (a socket each), while n8n's
// /healthz/readiness is sampled every second; every 503 is retried after its Retry-After (1 s
// when it has none), bounded in attempts and time, as a sender's retry loop would.
//   - baseline (`burst-health-n8n-webhook`): the same burst at n8n's own Webhook node (reply on
//     receipt), on the same n8n with the executions of phase 4 still waiting: n8n's own share;
//     and (`burst-health-n8n-webhook-isolate`) the same with one expression parameter, which makes
//     n8n build an expression isolate per call, as it does for every other node's webhook.
//   - ours (`burst-health`): `?key=` calls for as many distinct waiting executions of phase 4
//     (its stable-URL workflow; phase 4 leaves `ctx.burstKeys`). Afterwards each key must have
//     been answered 200 once and each of its executions must have finished once.
// The profile of each: what answered (ours 1039 / 1037, n8n's "Database is not ready"), n8n's
// "Database ping failed" log lines, n8n's and other processes' CPU share during the burst.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const { request } = require('../../lib/http');
const { sleep, until } = require('../../lib/n8n');
const { cpuShare, cpuSnapshot, shareLine } = require('../procfs');
const { f1 } = require('../stats');
const { chain, noOp, webhookNode } = require('../workflows');

const ATTEMPTS = 60;

/** The n8n log written since `from` (bytes). */
function logSince(file, from) {
	try {
		const fd = fs.openSync(file, 'r');
		const size = fs.fstatSync(fd).size;
		const buf = Buffer.alloc(Math.max(0, size - from));
		fs.readSync(fd, buf, 0, buf.length, from);
		fs.closeSync(fd);
		return buf.toString('utf8');
	} catch {
		return '';
	}
}
const logSize = (file) => {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
};

/** What a reply was, for the profile. */
function kindOf(r) {
	if (r.status === 200) return '200';
	if (r.status === 503) {
		if (/Database is not ready/.test(String(r.text))) return '503 n8n database not ready';
		const m = /"code"\s*:\s*(\d+)/.exec(String(r.text));
		return `503 ${m ? m[1] : '?'}${r.headers['retry-after'] ? ' + Retry-After' : ' without Retry-After'}`;
	}
	return `${r.status}`;
}

/**
 * `count` callers at once, each retrying its 503s (after Retry-After, else 1 s) up to ATTEMPTS
 * times; readiness sampled every second meanwhile. `send(j)` makes caller j's request.
 */
async function runBurst(ctx, label, count, send, deadline) {
	const { n8n, log } = ctx;
	const agent = new http.Agent({ keepAlive: false, maxSockets: count + 16 });
	const samples = [];
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			const t = Date.now();
			const r = await request('GET', `${n8n.info.baseUrl}/healthz/readiness`, { timeoutMs: 5000, agent }).catch(() => ({ status: 'error' }));
			samples.push(r.status);
			await sleep(Math.max(0, 1000 - (Date.now() - t)));
		}
	})();
	const kinds = {};
	const firstKinds = {};
	const okIds = new Map(); // caller → execution ids answered 200
	const odd = [];
	let attempts = 0;
	let rounds = 0;
	let stillRefused = 0;
	const logFrom = logSize(n8n.info.logFile);
	const cpu0 = cpuSnapshot(n8n.info.pid);
	const t0 = performance.now();
	await Promise.all(
		Array.from({ length: count }, async (_, j) => {
			for (let attempt = 0; attempt < ATTEMPTS && Date.now() < deadline; attempt++) {
				const r = await send(j, agent).catch((err) => ({ status: 'error', text: err.message, headers: {} }));
				attempts++;
				const k = kindOf(r);
				kinds[k] = (kinds[k] || 0) + 1;
				if (attempt === 0) firstKinds[k] = (firstKinds[k] || 0) + 1;
				rounds = Math.max(rounds, attempt + 1);
				if (r.status === 200) {
					okIds.set(j, [...(okIds.get(j) || []), r.headers['x-execution-id']]);
					return;
				}
				if (r.status !== 503) {
					odd.push(`${r.status}: ${String(r.text).slice(0, 120)}`);
					return;
				}
				await sleep((Number(r.headers['retry-after']) || 1) * 1000);
			}
			stillRefused++;
		}),
	);
	const ms = performance.now() - t0;
	const cpu = cpuShare(cpu0, cpuSnapshot(n8n.info.pid));
	sampling = false;
	await sampler;
	agent.destroy();
	const text = logSince(n8n.info.logFile, logFrom);
	const pingFailed = (text.match(/Database ping failed/g) || []).length;
	const recovered = (text.match(/Database connection recovered/g) || []).length;
	// the longest run of failed samples (how long n8n was "not ready" at a stretch), and the
	// timeline: runs of ready (+n) and not ready (-n) samples in order
	let longest = 0;
	let run = 0;
	const timeline = [];
	for (const s of samples) {
		run = s === 200 ? 0 : run + 1;
		longest = Math.max(longest, run);
		const sign = s === 200 ? '+' : '-';
		if (timeline.length && timeline[timeline.length - 1][0] === sign) timeline[timeline.length - 1][1]++;
		else timeline.push([sign, 1]);
	}
	const out = {
		label,
		count,
		ms,
		rounds,
		attempts,
		kinds,
		firstKinds,
		samples: samples.length,
		healthy: samples.filter((s) => s === 200).length,
		longestUnready: longest,
		timeline: timeline.map(([sign, n]) => `${sign}${n}`).join(' '),
		pingFailed,
		recovered,
		okIds,
		stillRefused,
		odd: odd.slice(0, 5),
		oddCount: odd.length,
		cpu,
	};
	log(
		`  ${label}: ${count} callers in ${f1(ms)} ms, ${attempts} requests, at most ${rounds} per caller; first answers ${JSON.stringify(firstKinds)}, all ${JSON.stringify(kinds)}; ` +
			`readiness 200 in ${out.healthy}/${out.samples} samples (longest run not ready: ${longest} s; timeline ${out.timeline}); n8n log: ${pingFailed} × "Database ping failed", ${recovered} × recovered; still refused ${stillRefused}; other answers ${out.oddCount}`,
	);
	log(`  ${label}: ${shareLine(cpu)}`);
	return out;
}

/** Waits until n8n answers ready again (and a few quiet seconds), so one burst does not leak into the next. */
async function quiet(ctx) {
	const { n8n } = ctx;
	await until('readiness after a burst', async () => ((await request('GET', `${n8n.info.baseUrl}/healthz/readiness`, { timeoutMs: 5000 }).catch(() => ({ status: 0 }))).status === 200 ? true : undefined), 120_000);
	await sleep(5000);
}

/**
 * The same burst at n8n's own Webhook node (reply on receipt): n8n's share. `isolate`: with one
 * parameter an expression (`responseCode` `={{ 200 }}`), so that n8n acquires an expression
 * isolate for each call as it does for every webhook of a node that is not its Webhook node
 * (live-webhooks.js webhookPhaseNeedsIsolate), the stable URL's included.
 */
async function baseline(ctx, count, deadline, isolate = false) {
	const { n8n, ex, log } = ctx;
	const start = webhookNode('onReceived');
	if (isolate) start.parameters.responseCode = '={{ 200 }}';
	const hook = await n8n.publish(chain(`burst baseline${isolate ? ' isolate' : ''}`, [start, noOp()]));
	await until('baseline webhook', async () => ((await request('POST', hook.triggerUrl, { body: {} })).status === 200 ? true : undefined), 30_000);
	await ex.drain(hook.id, 'baseline warm-up');
	await quiet(ctx);
	const label = `baseline (n8n Webhook node${isolate ? ', an expression parameter: an isolate per call' : ''})`;
	log(`  ${label}: ${count} concurrent POSTs at n8n's own Webhook node (reply on receipt), readiness sampled every second`);
	const b = await runBurst(ctx, label, count, (j, agent) => request('POST', hook.triggerUrl, { body: { j }, timeoutMs: 300_000, agent }), deadline);
	await ex.drain(hook.id, 'baseline burst', 300_000);
	const { okIds, ...rest } = b;
	return { ...rest, ok: okIds.size };
}

/**
 * A profile, not a row (BENCH_BURST_PROBE=1): the same burst at the stable URL with a malformed
 * target (`?execution=bad!`), which the node answers 400 1030 before any request to n8n's API,
 * any forward or any database work of its own. What is left is n8n's handling of a call to the
 * wait node's webhook (the workflow read, an isolate, its webhook descriptions) and the node's
 * refusal: whether that alone fails n8n's readiness, or only the work admitted calls do.
 */
async function probe(ctx, p, count, deadline) {
	await quiet(ctx);
	ctx.log(`  probe: ${count} concurrent calls with a malformed target (400 1030, no API work), readiness sampled every second`);
	const b = await runBurst(ctx, 'probe (ours, refused at once: ?execution=bad!)', count, (j, agent) => request('GET', `${p.stableUrl}?execution=bad!${j}`, { timeoutMs: 300_000, agent }), deadline);
	const { okIds, ...rest } = b;
	return { ...rest, ok: okIds.size };
}

/** Ours: `?key=` calls for `count` distinct waiting executions (keys k-<from> …). */
async function ours(ctx, p, from, count, deadline) {
	const { n8n, ex, log } = ctx;
	await quiet(ctx);
	log(`  ours: ${count} concurrent ?key= calls (keys k-${from}…k-${from + count - 1}), readiness sampled every second`);
	const b = await runBurst(ctx, 'ours (?key=)', count, (j, agent) => request('GET', `${p.stableUrl}?key=k-${from + j}`, { timeoutMs: 300_000, agent }), deadline);
	const ids = [...b.okIds.values()].flat();
	await ex.drain(p.id, 'burst', 300_000);
	const finished = [];
	for (const id of new Set(ids)) {
		const r = await request('GET', `${n8n.info.baseUrl}/api/v1/executions/${id}?includeData=false`, { headers: { 'X-N8N-API-KEY': n8n.info.apiKey } });
		finished.push(r.status === 200 && JSON.parse(r.text).status === 'success');
	}
	const { okIds, ...rest } = b;
	const out = {
		...rest,
		lost: count - okIds.size, // stillRefused of them still refused at the end
		doubled: [...okIds.values()].filter((v) => v.length > 1).length + (ids.length - new Set(ids).size),
		unfinished: finished.filter((f) => !f).length,
		first503: Object.entries(b.firstKinds).filter(([k]) => k.startsWith('503')).reduce((s, [, v]) => s + v, 0),
	};
	log(`  burst: lost ${out.lost}, doubled ${out.doubled}, not finished ${out.unfinished}`);
	return out;
}

/** @returns {Promise<object>} { ...ours, baseline } (results.burst) */
async function run(ctx) {
	const { sizes, log } = ctx;
	const keys = ctx.burstKeys;
	if (!keys) throw new Error('phase 4 left no waiting executions for the burst');
	const count = sizes.BENCH_BURST;
	const deadline = Date.now() + ctx.phaseMs;
	log(`phase 6: burst of ${count} concurrent calls, n8n's own Webhook node and then ?key= among ${keys.waiting} waiting`);
	const base = process.env.BENCH_BURST_BASELINE === '0' ? undefined : await baseline(ctx, count, deadline);
	const isolate = process.env.BENCH_BURST_BASELINE === '0' ? undefined : await baseline(ctx, count, deadline, true);
	const refusedAtOnce = process.env.BENCH_BURST_PROBE === '1' ? await probe(ctx, keys.p, count, deadline) : undefined;
	const out = process.env.BENCH_BURST_OURS === '0' ? { count, skipped: true } : await ours(ctx, keys.p, keys.from, count, deadline);
	return { ...out, waiting: keys.waiting, baseline: base, baselineIsolate: isolate, refusedAtOnce };
}

module.exports = { run, name: '6 burst', enabled: (sizes) => sizes.BENCH_BURST > 0 && sizes.BENCH_ANY_WAITING > 0 };
