/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * The stable URL while n8n starts: calls begin as soon as the restarted n8n listens, before its
 * start-up (and crash recovery) finished. The stable URL must answer 503 code 1052 (retry) or
 * n8n's own "not registered yet" in that window, never 404 code 1031 ("not waiting"), which
 * told the caller that a waiting execution was gone. Its own n8n (this test restarts it).
 */
import { N8nApi, http, nodeOutput, nodeRuns } from './harness/client';
import { type N8nInstance, newInstance } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { state } = shared();
const major = Number(String(state.install.version).split('.')[0]);
// n8n 1.x reports itself ready before its crash recovery ran (README, "Restarts on n8n 1.x").
const line = major >= 2 ? test : test.skip;

let n8n: N8nInstance | undefined;
beforeAll(async () => {
	if (major < 2) return; // nothing to run: no n8n to start
	n8n = newInstance(state.install, { nodesDir: state.nodesDir });
	await n8n.start();
}, 240_000);
afterAll(async () => {
	await n8n?.stop();
	if (!process.env.ECB_KEEP_N8N_FOLDER) n8n?.destroy();
});

line('stable URL during start-up: 503 code 1052 or n8n\'s own 404, never 404 code 1031; then it resumes exactly once', async () => {
	if (!n8n) throw new Error('no n8n');
	const instance = n8n;
	const api = new N8nApi(instance.info);
	const scenario = scenarios(api);
	const credential = await scenario.credential('externalCallbackN8nApi', { baseUrl: instance.info.baseUrl, apiKey: instance.info.apiKey });
	const p = await scenario.publishWait({ wait: { stableUrl: true }, waitCredentials: { externalCallbackN8nApi: credential } });
	const { executionId } = await p.start('boot-1');

	await instance.restart({ waitFor: 'listening' });
	const seen: Record<string, number> = {};
	let last = { status: 0, text: '' };
	for (let attempt = 0; attempt < 600 && last.status !== 200; attempt++) {
		last = await http('POST', `${p.stableUrl}?execution=${executionId}`, { headers: { 'content-type': 'application/json' }, body: '{"paid":true}' }).catch(() => ({ status: 0, text: '' }));
		let code: unknown;
		try {
			code = (JSON.parse(last.text) as { code?: unknown }).code;
		} catch {
			code = undefined;
		}
		const key = `${last.status}${code !== undefined && code !== last.status ? ` ${String(code)}` : ''}`;
		seen[key] = (seen[key] ?? 0) + 1;
		if (last.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
	}
	process.stdout.write(`[startup] stable URL replies while n8n started: ${JSON.stringify(seen)}\n`);
	expect(last.status).toBe(200);
	expect(Object.keys(seen).filter((k) => k !== '200' && k !== '0' && k !== '503 1052' && k !== '404')).toEqual([]);
	const done = await api.waitForStatus(executionId, ['success'], 60_000);
	expect(nodeRuns(done, 'Done')).toBe(1);
	expect(nodeOutput<{ data: unknown }>(done, 'Done')![0].data).toEqual({ paid: true });
}, 400_000);
