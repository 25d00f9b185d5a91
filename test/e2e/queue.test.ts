/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runPool } from '../../nodes/callback/targeting/pool';

import { http, loadFixture, N8nApi, node, nodeOutput, nodeRuns, postJson } from './harness/client';
import { type QueueCluster, ROOT, startQueueCluster, until } from './harness/n8n';
import { allOrThrow } from './harness/scenarios';
import { shared } from './harness/shared';

/** 100 in `npm test`; `npm run soak` sets ECB_QUEUE_EXECUTIONS=1000. */
const COUNT = Number(process.env.ECB_QUEUE_EXECUTIONS ?? 100);

// n8n 2.x only. n8n 1.123 has no at-most-once resume (it marks a resumed execution `running`
// unconditionally: concurrent calls each resume it, see README "n8n 1.x does not resume at most
// once"), so several processes resuming executions cannot give the exactly-once this test checks;
// the package does not support queue mode on 1.x.
const queueLine = Number(String(shared().state.install.version).split('.')[0]) >= 2 ? describe : describe.skip;

queueLine('queue mode', () => {
	let servicesDir: string;
	let cluster: QueueCluster;
	beforeAll(async () => {
		servicesDir = mkdtempSync(join(tmpdir(), 'ecb-services-'));
		const out = execFileSync('bash', [join(ROOT, 'scripts/services.sh'), 'start', servicesDir], { encoding: 'utf8' });
		const port = (k: string) => Number(/^(\w+)=(\d+)$/m.exec(out.split('\n').find((l) => l.startsWith(k))!)![2]);
		const { state } = shared();
		cluster = await startQueueCluster(state.install, state.nodesDir, { pgPort: port('PG_PORT'), redisPort: port('REDIS_PORT'), workers: 2 });
	}, 600_000);
	afterAll(async () => {
		await cluster?.stop();
		if (!process.env.ECB_KEEP_N8N_FOLDER) cluster?.destroy();
		execFileSync('bash', [join(ROOT, 'scripts/services.sh'), 'stop', servicesDir]);
		rmSync(servicesDir, { recursive: true, force: true });
	});

	test(`queue mode (main + 2 workers + webhook processor, PostgreSQL, Redis): ${COUNT} executions, resumed by resume URLs and the stable URL (any, all), each exactly once`, async () => {
		const api = new N8nApi(cluster.info);
		const cred = await api.api('POST', '/credentials', {
			name: 'queue n8n api',
			type: 'externalCallbackN8nApi',
			data: { baseUrl: cluster.info.baseUrl, webhookBaseUrl: cluster.info.webhookBaseUrl, apiKey: cluster.info.apiKey },
		});
		const wf = loadFixture('wait-basic');
		const wait = node(wf, 'External Callback Wait');
		wait.parameters = { stableUrl: true };
		wait.credentials = { externalCallbackN8nApi: { id: cred.id, name: cred.name } };
		const { triggerUrl } = await api.publish(wf);
		expect(triggerUrl.startsWith(cluster.info.webhookBaseUrl)).toBe(true);
		const stableUrl = `${cluster.info.webhookBaseUrl}/webhook/${wait.webhookId}/callback`;
		await until('stable URL on the webhook processor', async () => ((await http('GET', stableUrl)).status === 400 ? true : undefined));

		const started = allOrThrow(await runPool(COUNT, 10, async (i) => {
			const r = await postJson(triggerUrl, { orderId: `Q-${i}` });
			if (r.status !== 200) throw new Error(`start ${i}: ${r.status} ${r.text}\n${cluster.logTail()}`);
			return r.json as { executionId: string; callbackUrl: string };
		}));
		expect(started.every((s) => s.callbackUrl.startsWith(`${cluster.info.webhookBaseUrl}/webhook-waiting/`))).toBe(true);
		allOrThrow(await runPool(COUNT, 10, (i) => api.waitForStatus(started[i].executionId, ['waiting'], 120_000)));

		const byUrl = Math.floor(COUNT * 0.4);
		const byAny = Math.floor(COUNT * 0.3);
		const urlReplies = allOrThrow(await runPool(byUrl, 10, (i) => postJson(started[i].callbackUrl, { via: 'url', i })));
		expect(urlReplies.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);
		const anyReplies = allOrThrow(await runPool(byAny, 10, (i) => postJson(`${stableUrl}?execution=any`, { via: 'any', i })));
		expect(anyReplies.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);
		const all = await postJson(`${stableUrl}?execution=all`, { via: 'all' });
		expect(all.status).toBe(200);
		expect(all.text.split(',')).toHaveLength(COUNT - byUrl - byAny);

		const via: Record<string, number> = {};
		allOrThrow(await runPool(COUNT, 10, async (i) => {
			const e = await api.waitForStatus(started[i].executionId, ['success'], 120_000);
			expect(nodeRuns(e, 'Done')).toBe(1);
			expect(nodeRuns(e, 'External Callback Wait')).toBe(1);
			const v = nodeOutput<{ data: { via: string } }>(e, 'Done')![0].data.via;
			via[v] = (via[v] ?? 0) + 1;
		}));
		expect(via).toEqual({ url: byUrl, any: byAny, all: COUNT - byUrl - byAny });
		// the any-callers resumed distinct executions
		expect(new Set(anyReplies.map((r) => r.headers.get('x-execution-id'))).size).toBe(byAny);
	}, 900_000);

	test(`queue mode: ${COUNT} executions correlated by key through the webhook processor's stable URL, each exactly once`, async () => {
		const api = new N8nApi(cluster.info);
		const cred = await api.api('POST', '/credentials', {
			name: 'queue n8n api (keys)',
			type: 'externalCallbackN8nApi',
			data: { baseUrl: cluster.info.baseUrl, webhookBaseUrl: cluster.info.webhookBaseUrl, apiKey: cluster.info.apiKey },
		});
		const wf = loadFixture('wait-basic');
		wf.name = `${wf.name} (keys)`;
		const wait = node(wf, 'External Callback Wait');
		wait.parameters = { stableUrl: true, correlationKey: "={{ $('Start').item.json.body.orderId }}" };
		wait.credentials = { externalCallbackN8nApi: { id: cred.id, name: cred.name } };
		for (const n of wf.nodes) if (n.webhookId) n.webhookId = randomUUID();
		node(wf, 'Start').parameters.path = `queue-keys-${randomUUID()}`;
		const { triggerUrl } = await api.publish(wf);
		const stableUrl = `${cluster.info.webhookBaseUrl}/webhook/${wait.webhookId}/callback`;
		await until('keyed stable URL on the webhook processor', async () => ((await http('GET', stableUrl)).status === 400 ? true : undefined));
		// started by a worker (execute() writes the index row there), resumed through the webhook processor
		const started = allOrThrow(await runPool(COUNT, 10, async (i) => {
			const r = await postJson(triggerUrl, { orderId: `QK-${i}` });
			if (r.status !== 200) throw new Error(`start ${i}: ${r.status} ${r.text}\n${cluster.logTail()}`);
			return r.json as { executionId: string };
		}));
		allOrThrow(await runPool(COUNT, 10, (i) => api.waitForStatus(started[i].executionId, ['waiting'], 120_000)));
		// each key twice, concurrently: one resumes, the other finds nothing
		const replies = allOrThrow(await runPool(2 * COUNT, 10, (j) => postJson(`${stableUrl}?key=QK-${j % COUNT}`, { via: 'key', j })));
		const ok = replies.map((r, j) => ({ r, j })).filter(({ r }) => r.status === 200);
		expect(replies.filter((r) => r.status !== 200 && r.status !== 404).map((r) => `${r.status} ${r.text}`)).toEqual([]);
		expect(ok).toHaveLength(COUNT);
		for (const { r, j } of ok) expect(r.headers.get('x-execution-id')).toBe(String(started[j % COUNT].executionId));
		allOrThrow(await runPool(COUNT, 10, async (i) => {
			const e = await api.waitForStatus(started[i].executionId, ['success'], 120_000);
			expect(nodeRuns(e, 'Done')).toBe(1);
		}));
	}, 900_000);
});
