import { randomUUID } from 'node:crypto';

import { http, nodeOutput, nodeRuns, postJson } from './harness/client';
import { until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api } = shared();

const scenario = scenarios(api);
/** A fixture with these wait parameters and credentials; returns a starter (orders F-1). */
async function publish(fixture: string, wait: Record<string, unknown> = {}, waitCredentials?: Record<string, unknown>) {
	return (await scenario.publishWait({ fixture, wait, waitCredentials, orderId: 'F-1' })).start;
}

test('failUrl: the external system reports failure with data; the workflow sees failed and the reason', async () => {
	const start = await publish('wait-basic');
	const s = await start();
	expect(s.failUrl).toBe(s.callbackUrl.replace(/(\/[0-9a-f-]{36})\?/, '$1-fail?'));
	const r = await postJson(s.failUrl, { reason: 'card declined', code: 'do_not_honor' });
	expect(r.status).toBe(200);
	const out = nodeOutput(await api.waitForStatus(s.executionId, ['success']), 'Done')![0];
	expect(out).toMatchObject({ failed: true, reason: 'card declined', timedOut: false, data: { reason: 'card declined', code: 'do_not_honor' } });

	// the success URL resumes with failed: false
	const ok = await start();
	await postJson(ok.callbackUrl, { paid: true });
	expect(nodeOutput(await api.waitForStatus(ok.executionId, ['success']), 'Done')![0]).toMatchObject({ failed: false, reason: null });
});

test('Refused Calls "Fail the Wait": the refused caller gets its error and the execution takes the failure path', async () => {
	const cred = await api.api('POST', '/credentials', {
		name: `fail key ${randomUUID().slice(0, 6)}`,
		type: 'externalCallbackApiKeyApi',
		data: { apiKeys: 'good-key', location: 'header', name: 'x-api-key' },
	});
	const start = await publish(
		'wait-basic',
		{ authentication: 'apiKey', refusedCalls: 'fail' },
		{ externalCallbackApiKeyApi: { id: cred.id, name: cred.name } },
	);
	const s = await start();
	const r = await postJson(s.callbackUrl, { paid: true }, { 'x-api-key': 'bad-key' });
	expect(r.status).toBe(401);
	expect(r.json).toEqual({ code: 1002, message: 'Authentication failed: invalid API key' });
	const out = nodeOutput(await api.waitForStatus(s.executionId, ['success']), 'Done')![0];
	expect(out).toMatchObject({ failed: true, reason: 'Authentication failed: invalid API key', timedOut: false });
	expect(JSON.stringify(out)).not.toContain('bad-key');

	// by default (retryable) the same refusal leaves the URL usable
	const retryable = await publish(
		'wait-basic',
		{ authentication: 'apiKey' },
		{ externalCallbackApiKeyApi: { id: cred.id, name: cred.name } },
	);
	const t = await retryable();
	expect((await postJson(t.callbackUrl, {}, { 'x-api-key': 'bad-key' })).status).toBe(401);
	expect((await api.execution(t.executionId, false)).status).toBe('waiting');
	expect((await postJson(t.callbackUrl, { paid: true }, { 'x-api-key': 'good-key' })).status).toBe(200);
	expect(nodeOutput(await api.waitForStatus(t.executionId, ['success']), 'Done')![0]).toMatchObject({ failed: false });
});

test('multiple calls: one URL called three times through a loop resumes three iterations, then the workflow ends', async () => {
	const start = await publish('wait-loop');
	const s = await start();
	for (const [i, status] of ['processing', 'shipped', 'done'].entries()) {
		await until(`iteration ${i + 1} to wait`, async () => {
			const e = await api.execution(s.executionId);
			return e.status === 'waiting' && nodeRuns(e, 'External Callback Wait') === i + 1 ? true : undefined;
		});
		const r = await postJson(s.callbackUrl, { status });
		expect(r.status).toBe(200);
	}
	const e = await api.waitForStatus(s.executionId, ['success']);
	// one run per iteration, each with its own call
	expect(nodeRuns(e, 'External Callback Wait')).toBe(3);
	expect([0, 1, 2].map((run) => nodeOutput(e, 'External Callback Wait', 0, run)![0].data.status)).toEqual([
		'processing',
		'shipped',
		'done',
	]);
	expect(nodeOutput(e, 'Done')![0].data).toEqual({ status: 'done' });
	// the URL is spent once the execution ended
	expect((await http('POST', s.callbackUrl)).status).toBe(409);
});
