// The n8n side of the benchmark, bound to one instance: credentials, publishing, starting
// executions until they wait, counting, draining, settling. No state of its own beyond `n8n`.
'use strict';
const path = require('node:path');
const { randomUUID } = require('node:crypto');

const { listExecutions, parseJson, request } = require('../lib/http');
const { ROOT, sleep, until } = require('../lib/n8n');
const { leanWorkflow, resumeUrlOf } = require('./workflows');

/** The package's one bounded-concurrency pool (nodes/callback/targeting/pool.ts), compiled. */
function loadPool() {
	const file = path.join(ROOT, 'dist/nodes/callback/targeting/pool.js');
	try {
		return require(file).runPool;
	} catch (error) {
		throw new Error(`cannot load ${path.relative(ROOT, file)} (run npm run build first): ${error.message}`);
	}
}
let runPool;
/** runPool with a deadline (epoch ms) instead of a stop function. */
const pool = (n, concurrency, fn, deadline = Infinity) => {
	runPool ??= loadPool();
	return runPool(n, concurrency, fn, () => Date.now() >= deadline);
};

const json = (r) => parseJson(r.text);
const FINAL = new Set(['success', 'error', 'crashed', 'canceled']);

/** @param {{ n8n: import('../lib/n8n').N8nInstance, sizes: Record<string, number>, log: (...a: unknown[]) => void }} ctx */
function executionHelpers({ n8n, sizes, log }) {
	const list = (workflowId, options) => listExecutions(n8n.info, workflowId, options);
	const countWaiting = async (workflowId) => (await list(workflowId, { status: 'waiting' })).length;
	const countAll = async (workflowId) => (await list(workflowId)).length;
	async function countActive(workflowId) {
		const [running, fresh] = await Promise.all([
			list(workflowId, { status: 'running', maxPages: 1 }),
			list(workflowId, { status: 'new', maxPages: 1 }),
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

	async function publishStable(name, n8nCred, waitParams = {}) {
		const { wf, wait } = leanWorkflow(name, n8nCred, waitParams);
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
			sizes.BENCH_CREATE_CONCURRENCY,
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
	async function createWaiting(label, triggerUrl, workflowId, n, deadline, first = 0) {
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
			sizes.BENCH_CREATE_CONCURRENCY,
			async (i) => {
				if (++sinceCheck >= 64) {
					sinceCheck = 0;
					gate = checkBacklog();
				}
				await gate;
				const r = await request('POST', triggerUrl, { body: { i: first + i } }); // `first`: key numbers continue across batches
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
		const waiting = await list(workflowId, { status: 'waiting', includeData: true, deadline });
		return waiting
			.filter((e) => e.data && e.data.resumeToken)
			.sort((a, b) => Number(a.id) - Number(b.id))
			.map((e) => ({ id: String(e.id), url: resumeUrlOf(n8n.info.baseUrl, e.id, wait.id, e.data.resumeToken) }));
	}

	return { list, countWaiting, countAll, countActive, drain, waitForWaiting, settle, credential, publishStable, startWithUrls, createWaiting, resumeUrls };
}

module.exports = { executionHelpers, pool, loadPool, FINAL };
