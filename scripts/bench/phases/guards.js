// Phase 2: a refused call (wrong API key → 401) and a false condition (→ 200, ignored) vs
// successful resumes of identically configured twins, the five kinds interleaved.
'use strict';

const { request } = require('../../lib/http');
const { sleep } = require('../../lib/n8n');
const { f1, pct } = require('../stats');
const { oursWorkflow } = require('../workflows');

const API_KEY_VALUE = 'bench-key';

/** @returns {Promise<object>} the guards results */
async function run(ctx) {
	const { n8n, sizes, log, ex } = ctx;
	const n = sizes.BENCH_GUARD_CALLS;
	const w = sizes.BENCH_WARMUP;
	log(`phase 2: refused (wrong API key) and false-condition calls vs successful resumes, ${n} each (+${w} warm-up)`);
	const deadline = Date.now() + ctx.phaseMs;
	const keyCred = await ex.credential('externalCallbackApiKeyApi', { apiKeys: API_KEY_VALUE, location: 'header', name: 'x-api-key' });
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
		v.started = await ex.startWithUrls(k, v.published.triggerUrl, v.published.id, n + w, deadline);
	}
	const counts = async () => ({
		refused: { waiting: await ex.countWaiting(kinds.refused.published.id), all: await ex.countAll(kinds.refused.published.id) },
		ignored: { waiting: await ex.countWaiting(kinds.ignored.published.id), all: await ex.countAll(kinds.ignored.published.id) },
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
			await ex.settle(v.started[i].executionId, k !== 'refused' && k !== 'ignored' && r.status === 200);
		}
	}
	for (const v of Object.values(kinds)) await ex.drain(v.published.id, 'guards');
	await sleep(1000);
	const after = await counts();
	// the refused executions still resume with the right key (sanity, not timed)
	const first = kinds.refused.started[0];
	const check = first ? await request('GET', first.url, { headers: { 'x-api-key': API_KEY_VALUE } }) : { status: 'n/a' };
	log(`  statuses: ${Object.entries(statuses).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`);
	for (const k of Object.keys(kinds)) log(`  ${k}: p50 ${f1(pct(lat[k], 50))} ms p95 ${f1(pct(lat[k], 95))} ms`);
	log(`  refused/ignored workflows, waiting before → after: ${before.refused.waiting} → ${after.refused.waiting} (executions ${before.refused.all} → ${after.refused.all}), ` +
		`${before.ignored.waiting} → ${after.ignored.waiting} (executions ${before.ignored.all} → ${after.ignored.all}); right key afterwards → ${check.status}`);
	return { lat, statuses, before, after, rightKeyStatus: check.status };
}

module.exports = { run, name: '2 refused/ignored calls', enabled: (sizes) => sizes.BENCH_GUARD_CALLS > 0 };
