// Phase 3: `?execution=all` on the stable URL vs resume URLs at concurrency 1, 4, 8, 16.
'use strict';
const { performance } = require('node:perf_hooks');

const { request } = require('../../lib/http');
const { pool } = require('../executions');
const { cpuMs } = require('../procfs');
const { f1 } = require('../stats');

const URL_CONCURRENCIES = [1, 4, 8, 16];

/** @returns {Promise<object>} the all results */
async function run(ctx) {
	const { n8n, sizes, log, ex } = ctx;
	const { n8nCred } = ctx;
	const n = sizes.BENCH_ALL;
	log(`phase 3: all on the stable URL over ${n} waiting vs resume URLs at concurrency ${URL_CONCURRENCIES.join(', ')}`);
	// five create-and-measure steps: each step (create, then measure) has its own time limit
	const step = () => Date.now() + ctx.phaseMs;
	let deadline = step();
	const p = await ex.publishStable('all', n8nCred);
	const out = { creates: [], url: {} };
	const c0 = await ex.createWaiting('all: create', p.triggerUrl, p.id, n, deadline);
	out.creates.push(c0);
	await ex.drain(p.id, 'all: create');
	const cpu0 = cpuMs(n8n.info.pid);
	const r = await request('GET', `${p.stableUrl}?execution=all`, { timeoutMs: ctx.phaseMs }).catch((e) => ({
		status: 'error',
		text: e.message,
		ms: NaN,
	}));
	const resumed = r.status === 200 && r.text ? r.text.split(',').length : 0;
	out.all = { status: r.status, ms: r.ms, resumed, waitingBefore: c0.waiting, rate: resumed / (r.ms / 1000), cpuMs: cpuMs(n8n.info.pid) - cpu0 };
	log(`  all: ${r.status}, ${resumed} resumed in ${f1(r.ms)} ms → ${f1(out.all.rate)}/s${r.status !== 200 ? ` (${r.text.slice(0, 200)})` : ''}`);
	await ex.drain(p.id, 'all', 600_000);
	const left = await ex.countWaiting(p.id);
	if (left) log(`  after all: ${left} still waiting`);
	for (const c of URL_CONCURRENCIES) {
		const cr = await ex.createWaiting(`url c=${c}: create`, p.triggerUrl, p.id, n, step());
		out.creates.push(cr);
		await ex.drain(p.id, `url c=${c}: create`);
		deadline = step();
		const urls = await ex.resumeUrls(p.id, p.wait, deadline);
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
		await ex.drain(p.id, `url c=${c}`, 600_000);
	}
	return out;
}

module.exports = { run, URL_CONCURRENCIES, name: '3 all', enabled: (sizes) => sizes.BENCH_ALL > 0 };
