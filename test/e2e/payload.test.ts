/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * A body over n8n's own limit (N8N_PAYLOAD_SIZE_MAX, in MB; default 16): what n8n answers before
 * the node runs (README, Errors), and that the wait is intact. Its own n8n with the limit at 1 MB.
 */
import { N8nApi, loadFixture, nodeOutput, postJson } from './harness/client';
import { type N8nInstance, newInstance } from './harness/n8n';
import { shared } from './harness/shared';

let n8n: N8nInstance;
beforeAll(async () => {
	const { state } = shared();
	n8n = newInstance(state.install, { nodesDir: state.nodesDir, extraEnv: { N8N_PAYLOAD_SIZE_MAX: '1' } });
	await n8n.start();
}, 240_000);
afterAll(async () => {
	await n8n?.stop();
	if (!process.env.ECB_KEEP_N8N_FOLDER) n8n?.destroy();
});

test('a body over N8N_PAYLOAD_SIZE_MAX: n8n answers 500 with its own JSON (not 413) before the node runs; the execution keeps waiting', async () => {
	const api = new N8nApi(n8n.info);
	const { triggerUrl } = await api.publish(loadFixture('wait-basic'));
	const started = await postJson(triggerUrl, { orderId: 'big-1' });
	expect(started.status).toBe(200);
	const { executionId, callbackUrl } = started.json;
	await api.waitForStatus(executionId, ['waiting']);

	const big = await postJson(callbackUrl, { blob: 'x'.repeat(1_200_000) });
	process.stdout.write(`[payload] over the limit: ${big.status} ${big.text.slice(0, 200)}\n`);
	// measured on 2.41.1 and 1.123.81: n8n's body reader throws raw-body's "request entity too
	// large" and n8n answers it as a workflow problem
	expect(big.status).toBe(500);
	expect(big.json).toEqual({ code: 0, message: 'There was a problem executing the workflow' });
	expect(big.text).not.toMatch(/\n\s+at |stack/i);
	expect((await api.execution(executionId)).status).toBe('waiting');

	const ok = await postJson(callbackUrl, { paid: true });
	expect(ok.status).toBe(200);
	const done = await api.waitForStatus(executionId, ['success'], 60_000);
	expect(nodeOutput<{ data: unknown }>(done, 'Done')![0].data).toEqual({ paid: true });
}, 300_000);
