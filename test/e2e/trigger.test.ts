import { randomUUID } from 'node:crypto';

import { http, loadFixture, nodeOutput, postJson, type WorkflowJson } from './harness/client';
import { sleep, until } from './harness/n8n';
import { shared } from './harness/shared';

const { api, logTail } = shared();

/** Publishes a trigger workflow; the trigger URL is /webhook/<path>. */
async function publishTrigger(params: Record<string, unknown> = {}, credentials?: Record<string, unknown>, fixture = 'trigger-basic') {
	const wf: WorkflowJson = loadFixture(fixture);
	const trigger = wf.nodes[0];
	trigger.parameters = { ...trigger.parameters, ...params };
	if (credentials) trigger.credentials = credentials;
	const { id, triggerUrl } = await api.publish(wf);
	return { id, url: triggerUrl };
}

async function executionsOf(workflowId: string) {
	return await api.executions(workflowId);
}

/** Waits until `count` executions finished, then returns them (newest first). */
async function finished(workflowId: string, count: number) {
	return await until(`${count} execution(s) of ${workflowId}`, async () => {
		const list = (await executionsOf(workflowId)).filter((e) => e.status === 'success');
		return list.length >= count ? list : undefined;
	});
}

test('GET starts one execution with the query as data; POST with the body; the execution parameter changes nothing', async () => {
	const { id, url } = await publishTrigger();
	const get = await http('GET', `${url}?status=paid&execution=any&executionId=123`);
	expect(get.status).toBe(200);
	expect(get.text).toBe('');
	// the stable URL's internal outcome header never reaches a trigger's caller
	expect(get.headers.get('x-external-callback-outcome')).toBeNull();
	const [first] = await finished(id, 1);
	const e1 = await api.execution(first.id);
	const out1 = nodeOutput(e1, 'External Callback Trigger')![0];
	expect(out1.data).toEqual({ status: 'paid' });
	expect(out1.method).toBe('GET');
	expect(out1.executionId).toBe(String(first.id));
	expect(out1.timedOut).toBeUndefined();
	expect(nodeOutput(e1, 'Done')![0]).toEqual({ received: { status: 'paid' }, via: 'GET' });

	const post = await postJson(`${url}?execution=all&source=gw`, { event: 'paid', amount: 9.95 });
	expect(post.status).toBe(200);
	const list = await finished(id, 2);
	expect(list).toHaveLength(2);
	const e2 = await api.execution(list[0].id);
	const out2 = nodeOutput(e2, 'External Callback Trigger')![0];
	expect(out2.data).toEqual({ event: 'paid', amount: 9.95 });
	expect(out2.query).toEqual({ source: 'gw' });
	expect(out2.executionId).toBe(String(list[0].id));
});

test.each(['PUT', 'PATCH', 'DELETE'])('%s starts an execution', async (method) => {
	const { id, url } = await publishTrigger();
	const r = await http(method, `${url}?m=${method}`, {
		headers: { 'content-type': 'application/json' },
		body: method === 'DELETE' ? undefined : JSON.stringify({ m: method }),
	});
	expect(r.status).toBe(200);
	const [e] = await finished(id, 1);
	expect(nodeOutput(await api.execution(e.id), 'External Callback Trigger')![0]).toMatchObject({ method, data: { m: method } });
});

describe('guards: a refused or ignored call starts no execution', () => {
	async function apiKeyCredential() {
		const created = await api.api('POST', '/credentials', {
			name: `trigger key ${randomUUID().slice(0, 6)}`,
			type: 'externalCallbackApiKeyApi',
			data: { apiKeys: 'trigger-key', location: 'header', name: 'x-api-key' },
		});
		return { externalCallbackApiKeyApi: { id: created.id, name: created.name } };
	}

	test('auth failure under ERROR → documented JSON, no execution; a valid key starts one with user', async () => {
		const { id, url } = await publishTrigger({ authentication: 'apiKey', onFail: 'error' }, await apiKeyCredential());
		const r = await postJson(url, { x: 1 }, { 'x-api-key': 'wrong' });
		expect(r.status).toBe(401);
		expect(r.json).toEqual({ code: 1002, message: 'Authentication failed: invalid API key' });
		const none = await postJson(url, { x: 1 });
		expect(none.status).toBe(401);
		await sleep(1000);
		expect(await executionsOf(id)).toHaveLength(0);
		expect((await postJson(url, { x: 2 }, { 'x-api-key': 'trigger-key' })).status).toBe(200);
		const [e] = await finished(id, 1);
		expect(nodeOutput(await api.execution(e.id), 'External Callback Trigger')![0]).toMatchObject({
			data: { x: 2 },
			user: { apiKey: 'key#1' },
			roles: [],
		});
	});

	test('auth failure under IGNORE → 200 empty, no execution', async () => {
		const { id, url } = await publishTrigger({ authentication: 'apiKey', onFail: 'ignore' }, await apiKeyCredential());
		const r = await postJson(url, { x: 1 }, { 'x-api-key': 'wrong' });
		expect(r.status).toBe(200);
		expect(r.text).toBe('');
		await sleep(1000);
		expect(await executionsOf(id)).toHaveLength(0);
	});

	test('a false condition → no execution; a true one starts it', async () => {
		const { id, url } = await publishTrigger({ condition: '={{ $callback.data.type === "payment.succeeded" }}' });
		const ignored = await postJson(url, { type: 'payment.failed' });
		expect(ignored.status).toBe(200);
		expect(ignored.headers.get('x-external-callback-outcome')).toBeNull();
		await sleep(1000);
		expect(await executionsOf(id)).toHaveLength(0);
		expect((await postJson(url, { type: 'payment.succeeded' })).status).toBe(200);
		await finished(id, 1);
	});
});

test('respond when the last node finishes returns the workflow result to the caller', async () => {
	const { url } = await publishTrigger({ respond: 'lastNode' });
	const r = await postJson(url, { order: 'A-7' });
	expect(r.status).toBe(200);
	expect(r.json).toEqual({ received: { order: 'A-7' }, via: 'POST' });
});

test('the trigger starts an execution that waits at a Wait node and is resumed by its URL', async () => {
	const { id, url } = await publishTrigger({}, undefined, 'trigger-then-wait');
	const r = await postJson(url, { ticket: 'T-100' });
	if (r.status !== 200) throw new Error(`${r.status} ${r.text}\n${logTail(40)}`);
	const { callbackUrl, executionId } = r.json;
	await api.waitForStatus(executionId, ['waiting']);
	expect((await postJson(callbackUrl, { assignee: 'sam' })).status).toBe(200);
	const e = await api.waitForStatus(executionId, ['success']);
	expect(nodeOutput(e, 'Assigned')).toEqual([{ ticket: 'T-100', assignee: 'sam' }]);
	expect((await executionsOf(id)).map((x) => x.id)).toEqual([executionId]);
});
