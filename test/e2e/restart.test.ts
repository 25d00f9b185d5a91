/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { runPool } from '../../nodes/callback/targeting/pool';

import { type HttpResult, type JsonAnswer, loadFixture, N8nApi, nodeOutput, nodeRuns, postJson } from './harness/client';
import { type N8nInstance, newInstance } from './harness/n8n';
import { allOrThrow } from './harness/scenarios';
import { shared } from './harness/shared';

/** 200 in `npm test`; `npm run soak` sets ECB_RESTART_EXECUTIONS=1000. */
const COUNT = Number(process.env.ECB_RESTART_EXECUTIONS ?? 200);
const CONCURRENCY = 10;

let n8n: N8nInstance;
beforeAll(async () => {
	// Its own n8n: this test stops and starts it.
	const { state } = shared();
	n8n = newInstance(state.install, { nodesDir: state.nodesDir });
	await n8n.start();
}, 240_000);
afterAll(async () => {
	await n8n?.stop();
	if (!process.env.ECB_KEEP_N8N_FOLDER) n8n?.destroy();
});

test(`${COUNT} executions waiting, n8n stopped and started again: each resumes exactly once with its own data`, async () => {
	const api = new N8nApi(n8n.info);
	const { triggerUrl } = await api.publish(loadFixture('wait-basic'));
	const started = allOrThrow(await runPool(COUNT, CONCURRENCY, async (i) => {
		const r = await postJson(triggerUrl, { orderId: `R-${i}` });
		if (r.status !== 200) throw new Error(`start ${i} failed: ${r.status} ${r.text}`);
		return r.json as { executionId: string; callbackUrl: string };
	}));
	allOrThrow(await runPool(COUNT, CONCURRENCY, (i) => api.waitForStatus(started[i].executionId, ['waiting'], 120_000)));

	// Calls start as soon as the restarted n8n listens, before its start-up finished (as through a
	// proxy that does not wait for /healthz/readiness). n8n's start-up crash recovery marks every
	// execution running at that moment as crashed, so the node answers 503 + Retry-After (code 1052)
	// until the process is ready. Callers behave like gateways: a non-2xx reply is retried.
	// n8n 1.x reports itself ready before its crash recovery has run, so nothing a node checks
	// covers that window there (README, "Restarts on n8n 1.x": send traffic once start-up is
	// complete); on 1.x the calls start once n8n has logged the end of its start-up.
	await n8n.restart({ waitFor: n8n.info.n8nMajor >= 2 ? 'listening' : 'started' });
	const transient: Record<string, number> = {};
	const replies = allOrThrow(await runPool(COUNT, CONCURRENCY, async (i) => {
		for (let attempt = 1; ; attempt++) {
			const r: Pick<HttpResult, 'status' | 'text'> & { json?: JsonAnswer } = await postJson(started[i].callbackUrl, { n: i }).catch(
				(e: unknown) => ({ status: 0, text: String(e), json: undefined }),
			);
			if (r.status === 200 || attempt === 60) return r;
			const key = r.status === 503 ? `503 code ${r.json?.code}` : String(r.status);
			transient[key] = (transient[key] ?? 0) + 1;
			await new Promise((res) => setTimeout(res, 500));
		}
	}));
	expect(replies.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);
	process.stdout.write(`[restart] transient replies while n8n was starting: ${JSON.stringify(transient)}\n`);
	const seen = new Set<number>();
	const stuck: string[] = [];
	allOrThrow(await runPool(COUNT, CONCURRENCY, async (i) => {
		const id = started[i].executionId;
		const e = await api.waitForStatus(id, ['success'], 60_000).catch(async () => {
			const x = await api.execution(id);
			stuck.push(`${id}: ${x.status}, last node ${x.data?.resultData?.lastNodeExecuted}, Done runs ${nodeRuns(x, 'Done')}, wait runs ${nodeRuns(x, 'External Callback Wait')}`);
			return x;
		});
		if (e.status !== 'success') return;
		expect(nodeRuns(e, 'Done')).toBe(1);
		const out = nodeOutput<{ data: { n: number }; timedOut: boolean }>(e, 'Done')![0];
		expect(out.data).toEqual({ n: i });
		expect(out.timedOut).toBe(false);
		seen.add(out.data.n);
	}));
	if (stuck.length) process.stdout.write(`[restart] not finished after their 200:\n${stuck.join('\n')}\n`);
	expect(stuck).toEqual([]);
	expect(seen.size).toBe(COUNT);
	// nothing doubled: a second round of calls resumes nothing
	const again = allOrThrow(await runPool(Math.min(COUNT, 20), CONCURRENCY, (i) => postJson(started[i].callbackUrl, { n: -1 })));
	expect(again.every((r) => r.status === 409)).toBe(true);
}, 900_000);
