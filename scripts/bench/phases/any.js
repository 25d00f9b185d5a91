// Phases 4/5: `?key=` and `?execution=any` with BENCH_KEY_SMALL and then BENCH_ANY_WAITING
// executions waiting vs a direct resume-URL call (and ?execution=<id>, a miss, n8n's own webhook
// floor), n8n's RSS before, with and after them; leaves keys for the burst (phases/burst.js). Execution i waits under the correlation key `k-<i>`.
'use strict';
const { performance } = require('node:perf_hooks');

const { request } = require('../../lib/http');
const { sleep, until } = require('../../lib/n8n');
const { cpuMs, cpuSnapshot, memLine, memorySampled, settledRss } = require('../procfs');
const { f1, pct } = require('../stats');
const { chain, noOp, resumeUrlOf, webhookNode } = require('../workflows');

/** @returns {Promise<object>} any, memBeforeAny, memWaiting, memAfterAny, memRestart, cpuBeforeRestart */
async function run(ctx) {
	const { n8n, sizes, log, ex } = ctx;
	const { n8nCred } = ctx;
	const out = {};
	const n = sizes.BENCH_ANY_WAITING;
	const calls = sizes.BENCH_ANY_CALLS;
	log(`phase 4/5: any with ${n} waiting (${calls} calls) vs direct resume-URL calls; RSS`);
	const deadline = Date.now() + ctx.phaseMs;
	const p = await ex.publishStable('any', n8nCred, { correlationKey: "={{ 'k-' + $json.body.i }}" });
	const small = Math.min(sizes.BENCH_KEY_SMALL, n);
	// n8n's own cheapest production webhook (Webhook node, reply on receipt): the floor any
	// production-webhook URL pays before its node runs — `any` pays it once on the stable URL
	// and once more on the resume URL it forwards to.
	const floor = await n8n.publish(chain('webhook floor', [webhookNode('onReceived'), noOp()]));
	await until('floor webhook', async () => ((await request('POST', floor.triggerUrl, { body: {} })).status === 200 ? true : undefined), 30_000);
	await ex.drain(floor.id, 'floor warm-up');
	await sleep(2000);
	out.memBeforeAny = await memorySampled(n8n.info.pid);
	log(`  RSS before creating them: ${memLine(out.memBeforeAny)}`);
	// the same calls with only `small` waiting first (key-flat, any-flat), then the rest
	const c1 = await ex.createWaiting('any: create (small)', p.triggerUrl, p.id, small, deadline);
	await ex.drain(p.id, 'any: create (small)');
	out.small = await measureSmall(ctx, p, small, calls);
	const c2 = n > small ? await ex.createWaiting('any: create', p.triggerUrl, p.id, n - small, deadline, small) : { started: 0, waiting: 0, seconds: 0, timedOut: false };
	const c = { started: c1.started + c2.started, waiting: c1.waiting + c2.waiting - out.small.consumed, seconds: c1.seconds + c2.seconds, timedOut: c1.timedOut || c2.timedOut };
	await ex.drain(p.id, 'any: create');
	const callDeadline = Date.now() + ctx.phaseMs; // the calls get their own time limit
	await sleep(2000);
	out.memWaiting = await memorySampled(n8n.info.pid);
	log(`  RSS with ${c.waiting} waiting: ${memLine(out.memWaiting)}`);
	// What `any` does first: list every waiting execution of the workflow with its data (public API).
	const pages = [];
	const tl = performance.now();
	const list = await ex.list(p.id, { status: 'waiting', includeData: true, deadline: callDeadline, onPage: (page) => pages.push(page) });
	const listMs = performance.now() - tl;
	const newest = list.filter((e) => e.data && e.data.resumeToken).sort((a, b) => Number(b.id) - Number(a.id)); // `any` takes the oldest
	const direct = newest.filter((_, i) => i % 2 === 0).map((e) => ({ id: String(e.id), url: resumeUrlOf(n8n.info.baseUrl, e.id, p.wait.id, e.data.resumeToken) }));
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
	const KINDS = ['key', 'any', 'direct', 'byId', 'miss', 'hook', 'refused'];
	const lat = Object.fromEntries(KINDS.map((k) => [k, []]));
	const cpu = Object.fromEntries(KINDS.map((k) => [k, []]));
	const statuses = Object.fromEntries(KINDS.map((k) => [k, {}]));
	const want = { key: 200, any: 200, direct: 200, byId: 200, miss: 404, hook: 200, refused: 400 };
	const anyIds = [];
	for (let i = 0; i < calls && Date.now() < callDeadline; i++) {
		const miss = { url: `${p.stableUrl}?execution=99999999` }; // webhook + one API GET (404), nothing forwarded
		const hook = { url: floor.triggerUrl, method: 'POST', body: { i } };
		const key = { url: `${p.stableUrl}?key=k-${small + 2 * calls + i}` }; // keys no other kind of call consumes
		// the wait node's own webhook and nothing behind it: a malformed target is answered 400
		// 1030 before any request to n8n's API or any forward (n8n's cost for the node's webhook)
		const refused = { url: `${p.stableUrl}?execution=bad!` };
		for (const [k, target] of [['key', key], ['any', { url: `${p.stableUrl}?execution=any` }], ['direct', direct[i]], ['byId', byId[i]], ['miss', miss], ['hook', hook], ['refused', refused]]) {
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
			await ex.settle(k === 'any' || k === 'key' ? a.headers['x-execution-id'] : target.id, a.status === 200 && k !== 'miss' && k !== 'refused');
		}
	}
	const anyLat = lat.any;
	const directLat = lat.direct;
	await ex.drain(p.id, 'any calls');
	await ex.drain(floor.id, 'floor calls');
	out.memAfterAny = await memorySampled(n8n.info.pid, 6);
	out.any = { create: c, listMs, pages, listed: list.length, anyLat, directLat, keyLat: lat.key, byIdLat: lat.byId, missLat: lat.miss, hookLat: lat.hook, refusedLat: lat.refused, single, cpu, statuses, anyIds: anyIds.slice(0, 5) };
	if (sizes.BENCH_BURST > 0) {
		// the burst (phases/burst.js) takes keys no call above consumed
		const from = small + 3 * calls;
		if (from + sizes.BENCH_BURST <= n - 2 * calls - 20) ctx.burstKeys = { p, from, waiting: c.waiting };
		else log(`  burst skipped: ${sizes.BENCH_BURST} keys do not fit in ${n} waiting`);
	}
	for (const k of KINDS) {
		log(`  ${k}: p50 ${f1(pct(lat[k], 50))} ms p95 ${f1(pct(lat[k], 95))} ms, n8n CPU p50 ${f1(pct(cpu[k], 50))} ms/call ${JSON.stringify(statuses[k])}`);
	}
	log(`  RSS after: ${memLine(out.memAfterAny)}`);
	// The same n8n holding them, idle, measured as the start-up figure was: a fresh process (as
	// after a deploy or a restart) 15 s after it is ready. The readings above are of the process
	// that did the work of creating them (V8 keeps its heap grown); this one is what the waiting
	// executions themselves cost.
	out.memRestart = { waitingBefore: await ex.countWaiting(p.id) };
	out.cpuBeforeRestart = cpuSnapshot(n8n.info.pid); // the phase's CPU share is of the process that did the work
	await n8n.restart();
	out.memRestart.mem = await settledRss(n8n.info.pid);
	out.memRestart.waitingAfter = await ex.countWaiting(p.id);
	log(`  RSS of a fresh process with ${out.memRestart.waitingAfter} waiting (restarted; ${out.memRestart.waitingBefore} before): ${memLine(out.memRestart.mem)}`);
	// The fresh process holds no hint of execute() for the executions made before the restart
	// (targeting/hints.ts): ?execution=<id> takes the lookup through n8n's API for them, as a webhook
	// process in queue mode always does; executions made now have a hint. Both interleaved with
	// direct calls, on the same process.
	// … and ?key= the same: keys of executions made before the restart (read from the index rows)
	// against keys of executions made after it
	const h = Math.min(10, calls);
	out.any.noHint = await measureHints(ctx, p, newest.slice(2 * calls, 2 * calls + 2 * h), n, callDeadline, await keysOf(ctx, newest.slice(2 * calls + 2 * h, 2 * calls + 3 * h))).catch((error) => {
		log(`  after the restart: hint measurement failed: ${error.message}`);
		return undefined;
	});
	return out;
}

/** The correlation keys of these executions, from the index table's rows (n8n's public API); a miss is left out. */
async function keysOf(ctx, executions) {
	const { n8n } = ctx;
	const headers = { 'X-N8N-API-KEY': n8n.info.apiKey };
	const get = async (path) => {
		const r = await request('GET', `${n8n.info.baseUrl}/api/v1${path}`, { headers });
		return r.status === 200 ? JSON.parse(r.text) : undefined;
	};
	const tables = await get(`/data-tables?${new URLSearchParams({ filter: JSON.stringify({ name: 'external_callback_index' }) })}`);
	const table = tables?.data?.[0]?.id;
	if (!table) return [];
	const keys = [];
	for (const e of executions) {
		const filter = JSON.stringify({ type: 'and', filters: [{ columnName: 'executionId', condition: 'eq', value: String(e.id) }] });
		const rows = await get(`/data-tables/${table}/rows?${new URLSearchParams({ filter, limit: '1' })}`);
		const ckey = rows?.data?.[0]?.ckey;
		if (typeof ckey === 'string' && ckey.startsWith('k-')) keys.push(ckey.slice(2));
	}
	return keys;
}

/**
 * After the restart: direct, ?execution=<id> without a hint and with one, and ?key= without a
 * hint (keys of executions made before the restart) and with one (made after it), interleaved.
 */
async function measureHints(ctx, p, old, n, deadline, oldKeys = []) {
	const { n8n, log, ex } = ctx;
	const k = Math.floor(old.length / 2);
	const lat = { byId: [], direct: [], hinted: [], keyNoHint: [], keyHinted: [] };
	const statuses = { byId: {}, direct: {}, hinted: {}, keyNoHint: {}, keyHinted: {} };
	const before = new Set((await ex.list(p.id, { status: 'waiting' })).map((e) => String(e.id)));
	// twice k made now (keys k-<n+10 …>): k of them for ?execution=<id>, the others for ?key=
	await ex.createWaiting('any: create (hinted)', p.triggerUrl, p.id, 2 * k, deadline, n + 10);
	await ex.drain(p.id, 'any: create (hinted)');
	const fresh = (await ex.list(p.id, { status: 'waiting' })).map((e) => String(e.id)).filter((id) => !before.has(id));
	// the keys of the ones ?execution=<id> does not take (read from their index rows)
	const freshKeys = await keysOf(ctx, fresh.slice(k, 2 * k).map((id) => ({ id })));
	for (let i = 0; i < k; i++) {
		const d = old[2 * i];
		const b = old[2 * i + 1];
		const h = fresh[i];
		const kinds = [
			['direct', d.id, resumeUrlOf(n8n.info.baseUrl, d.id, p.wait.id, d.data.resumeToken)],
			['byId', b.id, `${p.stableUrl}?execution=${b.id}`],
			['hinted', h, h ? `${p.stableUrl}?execution=${h}` : undefined],
			['keyNoHint', undefined, oldKeys[i] !== undefined ? `${p.stableUrl}?key=k-${oldKeys[i]}` : undefined],
			['keyHinted', undefined, freshKeys[i] !== undefined ? `${p.stableUrl}?key=k-${freshKeys[i]}` : undefined],
		];
		for (const [kind, id, url] of kinds) {
			if (!url) continue;
			const a = await request('GET', url, { timeoutMs: 600_000 }).catch((err) => ({ status: 'error', text: err.message, ms: NaN, headers: {} }));
			statuses[kind][a.status] = (statuses[kind][a.status] || 0) + 1;
			if (a.status === 200) lat[kind].push(a.ms);
			else if (statuses[kind][a.status] === 1) log(`  after restart ${kind}: ${a.status} ${String(a.text).slice(0, 200)}`);
			await ex.settle(String(id ?? a.headers['x-execution-id']), a.status === 200);
		}
	}
	for (const kind of Object.keys(lat)) log(`  after the restart: ${kind} p50 ${f1(pct(lat[kind], 50))} ms ${JSON.stringify(statuses[kind])}`);
	return { byIdLat: lat.byId, directLat: lat.direct, hintedLat: lat.hinted, keyNoHintLat: lat.keyNoHint, keyHintedLat: lat.keyHinted, statuses };
}

/**
 * `small` waiting: key, any and direct calls interleaved (any takes the oldest, keys from the
 * middle, direct the newest: no call consumes another's execution).
 */
async function measureSmall(ctx, p, small, calls) {
	const { n8n, log, ex } = ctx;
	const list = await ex.list(p.id, { status: 'waiting', includeData: true });
	const newest = list.filter((e) => e.data && e.data.resumeToken).sort((a, b) => Number(b.id) - Number(a.id));
	const lat = { key: [], any: [], direct: [] };
	const statuses = { key: {}, any: {}, direct: {} };
	let consumed = 0;
	const n = Math.min(calls, Math.floor(small / 4));
	for (let i = 0; i < n; i++) {
		const e = newest[i];
		const direct = e ? { id: String(e.id), url: resumeUrlOf(n8n.info.baseUrl, e.id, p.wait.id, e.data.resumeToken) } : undefined;
		for (const [k, target] of [['key', { url: `${p.stableUrl}?key=k-${Math.floor(small / 2) + i}` }], ['any', { url: `${p.stableUrl}?execution=any` }], ['direct', direct]]) {
			if (!target) continue;
			const a = await request('GET', target.url, { timeoutMs: 600_000 }).catch((err) => ({ status: 'error', text: err.message, ms: NaN, headers: {} }));
			statuses[k][a.status] = (statuses[k][a.status] || 0) + 1;
			if (a.status === 200) {
				lat[k].push(a.ms);
				consumed++;
			} else if (statuses[k][a.status] === 1) log(`  small ${k} #${i}: ${a.status} ${a.text.slice(0, 200)}`);
			await ex.settle(k === 'direct' ? target.id : a.headers['x-execution-id'], a.status === 200);
		}
	}
	for (const k of Object.keys(lat)) log(`  ${small} waiting: ${k} p50 ${f1(pct(lat[k], 50))} ms p95 ${f1(pct(lat[k], 95))} ms ${JSON.stringify(statuses[k])}`);
	return { waiting: small, keyLat: lat.key, anyLat: lat.any, directLat: lat.direct, statuses, consumed };
}

module.exports = { run, name: '4/5 key, any and RSS', enabled: (sizes) => sizes.BENCH_ANY_WAITING > 0 };
