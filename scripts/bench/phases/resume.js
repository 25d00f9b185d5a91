// Phase 1: resume latency, External Callback Wait (callback URL) vs n8n's Wait node
// ($execution.resumeUrl), alternating call by call.
'use strict';

const { request } = require('../../lib/http');
const { f1, pct } = require('../stats');
const { oursWorkflow, theirsWorkflow } = require('../workflows');

/** @returns {Promise<{ resume: object, resumeUrlSample: { ours?: string, theirs?: string } }>} */
async function run(ctx) {
	const { n8n, sizes, log, ex } = ctx;
	const n = sizes.BENCH_RESUMES;
	const w = sizes.BENCH_WARMUP;
	log(`phase 1: resume latency, ${n} each (+${w} warm-up each), ours vs n8n Wait`);
	const deadline = Date.now() + ctx.phaseMs;
	const ours = oursWorkflow('resume ours');
	const theirs = theirsWorkflow('resume n8n-wait');
	const po = await n8n.publish(ours.wf);
	const pt = await n8n.publish(theirs.wf);
	const so = await ex.startWithUrls('ours', po.triggerUrl, po.id, n + w, deadline);
	const st = await ex.startWithUrls('n8n Wait', pt.triggerUrl, pt.id, n + w, deadline);
	const resumeUrlSample = { ours: so[0] && so[0].url, theirs: st[0] && st[0].url };
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
			await ex.settle(s[i].executionId, r.status === 200);
		}
	}
	await ex.drain(po.id, 'ours');
	await ex.drain(pt.id, 'n8n Wait');
	const [leftOurs, leftTheirs] = [await ex.countWaiting(po.id), await ex.countWaiting(pt.id)];
	log(`  ours p50 ${f1(pct(lat.ours, 50))} ms p95 ${f1(pct(lat.ours, 95))} ms (${lat.ours.length}, ${bad.ours} non-200); ` +
		`n8n Wait p50 ${f1(pct(lat.theirs, 50))} ms p95 ${f1(pct(lat.theirs, 95))} ms (${lat.theirs.length}, ${bad.theirs} non-200); still waiting: ${leftOurs}/${leftTheirs}`);
	return { resume: { lat, bad, leftOurs, leftTheirs }, resumeUrlSample };
}

module.exports = { run, name: '1 resume latency', enabled: (sizes) => sizes.BENCH_RESUMES > 0 };
