import { http, loadFixture, node, nodeOutput, postJson, type Execution, type JsonAnswer, type OutputJson } from './harness/client';
import { until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api } = shared();
const scenario = scenarios(api);

type Started = JsonAnswer;

/** Publishes a wait-basic workflow (Webhook → Generate → Respond → Wait → Done); its trigger URL. */
const publishWait = async (wait: Record<string, unknown> = {}) => (await scenario.publishWait({ wait })).triggerUrl;
const start = scenario.startExecution;

const callbackOf = (exec: Execution) => nodeOutput(exec, 'Done')?.[0] as OutputJson;

/** The execution is still waiting at its wait node, untouched by the refused call. */
const { expectStillWaiting } = scenario;

function withQuery(url: string, params: Record<string, string>) {
	const u = new URL(url);
	for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
	return u.toString();
}

// The timeout test waits on n8n's wait tracker (polls every 60 s): start it first and check it last.
let timeoutRun: Started;
beforeAll(async () => {
	const triggerUrl = await publishWait({ limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'seconds' });
	timeoutRun = await start(triggerUrl, { orderId: 'slow-1' });
});

describe('resume by URL, every method', () => {
	let triggerUrl: string;
	beforeAll(async () => {
		triggerUrl = await publishWait();
	});

	test('GET: the query (without execution, executionId, signature) is the data', async () => {
		const s = await start(triggerUrl);
		expect(s.methods).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
		const token = new URL(s.callbackUrl).searchParams.get('signature')!;
		expect(token).toMatch(/^[0-9a-f]{32,}$/);
		const url = withQuery(s.callbackUrl, { status: 'paid', execution: 'x', executionId: 'y' });
		const r = await http('GET', url, { headers: { authorization: 'Bearer sekret-user-token', 'user-token': 'ut-123', 'x-trace': 't1' } });
		expect(r.status).toBe(200);
		expect(r.text).toBe('');
		const exec = await api.waitForStatus(s.executionId, ['success']);
		const out = callbackOf(exec);
		expect(out.data).toEqual({ status: 'paid' });
		expect(out.query).toEqual({ status: 'paid' });
		expect(out.method).toBe('GET');
		expect(out.executionId).toBe(String(s.executionId));
		expect(Math.abs(Date.parse(out.receivedAt) - Date.now())).toBeLessThan(60_000);
		expect(out.headers['x-trace']).toBe('t1');
		const outText = JSON.stringify(nodeOutput(exec, 'External Callback Wait'));
		for (const secret of [token, 'sekret-user-token', 'ut-123']) expect(outText).not.toContain(secret);
		expect(out.timedOut).toBe(false);
	});

	test('POST JSON: the body (any shape) is the data and the query is ignored for data', async () => {
		const s = await start(triggerUrl);
		const body = { payment: { id: 'pay_1', amount: 9.95 }, items: [1, 'two', null], ok: true };
		const r = await postJson(withQuery(s.callbackUrl, { source: 'gw' }), body);
		expect(r.status).toBe(200);
		const out = callbackOf(await api.waitForStatus(s.executionId, ['success']));
		expect(out.data).toEqual(body);
		expect(out.query).toEqual({ source: 'gw' });
		expect(out.method).toBe('POST');
	});

	test('POST a JSON array and a form-urlencoded body', async () => {
		const a = await start(triggerUrl);
		await postJson(a.callbackUrl, [{ n: 1 }, { n: 2 }]);
		expect(callbackOf(await api.waitForStatus(a.executionId, ['success'])).data).toEqual([{ n: 1 }, { n: 2 }]);

		const f = await start(triggerUrl);
		const r = await http('POST', f.callbackUrl, {
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'status=paid&amount=9.95&tags=a&tags=b',
		});
		expect(r.status).toBe(200);
		const out = callbackOf(await api.waitForStatus(f.executionId, ['success']));
		expect(out.data).toEqual({ status: 'paid', amount: '9.95', tags: ['a', 'b'] });
	});

	test.each(['PUT', 'PATCH'])('%s resumes with the body as data', async (method) => {
		const s = await start(triggerUrl);
		const r = await http(method, s.callbackUrl, {
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ via: method }),
		});
		expect(r.status).toBe(200);
		const out = callbackOf(await api.waitForStatus(s.executionId, ['success']));
		expect(out).toMatchObject({ method, data: { via: method } });
	});

	test('DELETE resumes with the query as data', async () => {
		const s = await start(triggerUrl);
		const r = await http('DELETE', withQuery(s.callbackUrl, { reason: 'cancelled' }));
		expect(r.status).toBe(200);
		const out = callbackOf(await api.waitForStatus(s.executionId, ['success']));
		expect(out).toMatchObject({ method: 'DELETE', data: { reason: 'cancelled' } });
	});

	test('vendor JSON (+json) is parsed; malformed vendor JSON → 422 with code 1010, wait intact', async () => {
		const s = await start(triggerUrl);
		const headers = { 'content-type': 'application/vnd.api+json' };
		const bad = await http('POST', s.callbackUrl, { headers, body: '{"data": ' });
		expect(bad.status).toBe(422);
		expect(bad.json).toEqual({ code: 1010, message: 'The request body is not valid JSON' });
		await expectStillWaiting(s.executionId);
		const ok = await http('POST', s.callbackUrl, { headers, body: JSON.stringify({ data: { type: 'payment', id: '7' } }) });
		expect(ok.status).toBe(200);
		const out = callbackOf(await api.waitForStatus(s.executionId, ['success']));
		expect(out.data).toEqual({ data: { type: 'payment', id: '7' } });
	});

	test('a call after the execution finished gets 409 JSON', async () => {
		const s = await start(triggerUrl);
		await http('GET', s.callbackUrl);
		await api.waitForStatus(s.executionId, ['success']);
		const again = await http('GET', s.callbackUrl);
		expect(again.status).toBe(409);
		expect(again.json).toMatchObject({ code: 409 });
		expect(again.text).not.toMatch(/stack/i);
	});
});

describe('replies', () => {
	test('custom status, body (expression on the waiting item) and headers', async () => {
		const triggerUrl = await publishWait({
			respond: 'custom',
			responseCode: 201,
			responseBody: '={{ JSON.stringify({ ok: true, order: $json.body.orderId }) }}',
			responseHeaders: { entries: [{ name: 'X-Order-State', value: 'confirmed' }] },
		});
		const s = await start(triggerUrl, { orderId: 'o-77' });
		const r = await postJson(s.callbackUrl, { paid: true });
		expect(r.status).toBe(201);
		expect(r.json).toEqual({ ok: true, order: 'o-77' });
		expect(r.headers.get('x-order-state')).toBe('confirmed');
		expect(r.headers.get('content-type')).toContain('application/json');
		expect(callbackOf(await api.waitForStatus(s.executionId, ['success'])).data).toEqual({ paid: true });
	});

	test.each([302, 303])('redirect with status %i to an expression URL', async (status) => {
		const triggerUrl = await publishWait({
			respond: 'redirect',
			redirectUrl: '=https://shop.example.test/thanks?order={{ $json.body.orderId }}',
			redirectStatus: status,
		});
		const s = await start(triggerUrl, { orderId: 'o-9' });
		const r = await http('GET', withQuery(s.callbackUrl, { code: 'ok' }));
		expect(r.status).toBe(status);
		expect(r.headers.get('location')).toBe('https://shop.example.test/thanks?order=o-9');
		expect(callbackOf(await api.waitForStatus(s.executionId, ['success'])).data).toEqual({ code: 'ok' });
	});

	test('respond when the last node finishes: the caller gets the workflow result', async () => {
		const triggerUrl = await publishWait({ respond: 'lastNode' });
		const s = await start(triggerUrl);
		const r = await postJson(s.callbackUrl, { answer: 42 });
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ data: { answer: 42 }, method: 'POST' });
	});

	test("respond through a 'Respond to Webhook' node", async () => {
		const wf = loadFixture('wait-basic');
		node(wf, 'External Callback Wait').parameters = { respond: 'responseNode' };
		const done = node(wf, 'Done');
		done.type = 'n8n-nodes-base.respondToWebhook';
		done.typeVersion = 1.1;
		done.parameters = {
			respondWith: 'json',
			responseBody: '={{ { received: $json.data.answer, by: "respond-node" } }}',
			options: { responseCode: 202 },
		};
		const { triggerUrl } = await api.publish(wf);
		const s = await start(triggerUrl);
		const r = await postJson(s.callbackUrl, { answer: 'yes' });
		expect(r.status).toBe(202);
		expect(r.json).toEqual({ received: 'yes', by: 'respond-node' });
	});
});

describe('refused calls leave the wait intact', () => {
	let triggerUrl: string;
	beforeAll(async () => {
		triggerUrl = await publishWait({
			options: { allowedContentTypes: 'application/json, application/x-www-form-urlencoded, multipart/form-data', maxBodyKb: 1 },
		});
	});

	test('missing or wrong resume token → 401, then a valid call resumes', async () => {
		const s = await start(triggerUrl);
		const noToken = new URL(s.callbackUrl);
		noToken.searchParams.delete('signature');
		const missing = await postJson(noToken.toString(), { x: 1 });
		expect(missing.status).toBe(401);
		expect(missing.json).toEqual({ error: 'Invalid token' });
		const token = new URL(s.callbackUrl).searchParams.get('signature')!;
		const wrongToken = token.slice(0, -4) + (token.endsWith('aaaa') ? 'bbbb' : 'aaaa');
		const wrong = await postJson(withQuery(s.callbackUrl, { signature: wrongToken }), { x: 2 });
		expect(wrong.status).toBe(401);
		await expectStillWaiting(s.executionId);
		const ok = await postJson(s.callbackUrl, { x: 3 });
		expect(ok.status).toBe(200);
		expect(callbackOf(await api.waitForStatus(s.executionId, ['success'])).data).toEqual({ x: 3 });
	});

	test('malformed JSON → 422 JSON, then a valid call resumes', async () => {
		const s = await start(triggerUrl);
		const bad = await http('POST', s.callbackUrl, { headers: { 'content-type': 'application/json' }, body: '{"x": 1,' });
		expect(bad.status).toBe(422);
		expect(bad.json).toMatchObject({ code: 422, message: expect.any(String) });
		expect(bad.text).not.toMatch(/stack/i);
		await expectStillWaiting(s.executionId);
		const ok = await postJson(s.callbackUrl, { fixed: true });
		expect(ok.status).toBe(200);
		expect(callbackOf(await api.waitForStatus(s.executionId, ['success'])).data).toEqual({ fixed: true });
	});

	test('unsupported content type → 415 JSON, wait intact', async () => {
		const s = await start(triggerUrl);
		const r = await http('POST', s.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2' });
		expect(r.status).toBe(415);
		expect(r.json).toEqual({ code: 1011, message: expect.stringContaining('text/csv') });
		await expectStillWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, { ok: 1 })).status).toBe(200);
		await api.waitForStatus(s.executionId, ['success']);
	});

	test('body over the node limit → 413 JSON, wait intact', async () => {
		const s = await start(triggerUrl);
		const r = await postJson(s.callbackUrl, { blob: 'x'.repeat(4096) });
		expect(r.status).toBe(413);
		expect(r.json).toEqual({ code: 1012, message: expect.stringContaining('1024 bytes') });
		await expectStillWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, { small: 1 })).status).toBe(200);
		await api.waitForStatus(s.executionId, ['success']);
	});

	test('multipart upload: fields are the data, files are binary properties', async () => {
		const s = await start(triggerUrl);
		const form = new FormData();
		form.set('invoice', 'INV-1');
		const pdf = Buffer.from('%PDF-1.4 fake invoice bytes');
		form.set('file', new Blob([pdf], { type: 'application/pdf' }), 'invoice.pdf');
		const r = await http('POST', s.callbackUrl, { body: form });
		expect(r.status).toBe(200);
		const exec = await api.waitForStatus(s.executionId, ['success']);
		const item = exec.data.resultData.runData['External Callback Wait'][0].data.main[0][0];
		expect(item.json.data).toEqual({ invoice: 'INV-1' });
		expect(item.binary.file).toMatchObject({ fileName: 'invoice.pdf', mimeType: 'application/pdf' });
		expect(Number(item.binary.file.fileSize.replace(/[^0-9.]/g, ''))).toBeGreaterThan(0);
	});
});

test('a raw binary body arrives as the binary property "data"', async () => {
	const triggerUrl = await publishWait();
	const s = await start(triggerUrl);
	const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
	const r = await http('POST', s.callbackUrl, { headers: { 'content-type': 'image/png' }, body: png });
	expect(r.status).toBe(200);
	const exec = await api.waitForStatus(s.executionId, ['success']);
	const item = exec.data.resultData.runData['External Callback Wait'][0].data.main[0][0];
	expect(item.binary.data).toMatchObject({ mimeType: 'image/png' });
	expect(item.json.data).toEqual({});
});

test('two wait nodes in one workflow resume one after the other through their own URLs', async () => {
	const wf = loadFixture('two-waits');
	const { triggerUrl } = await api.publish(wf);
	const r = await postJson(triggerUrl, {});
	expect(r.status).toBe(200);
	const { first, second, executionId } = r.json;
	expect(first).not.toBe(second);
	await api.waitForStatus(executionId, ['waiting']);

	// The second node's URL does not resume the first wait.
	const early = await postJson(second, { step: 'too early' });
	expect(early.status).toBe(404);
	const stillFirst = await api.execution(executionId);
	expect(stillFirst.status).toBe('waiting');
	expect(stillFirst.data.resultData.lastNodeExecuted).toBe('First Wait');
	expect(nodeOutput(stillFirst, 'Second Wait')).toBeUndefined();

	expect((await postJson(first, { step: 1 })).status).toBe(200);
	const atSecond = await until('the execution to wait at Second Wait', async () => {
		const e = await api.execution(executionId);
		return e.status === 'waiting' && e.data.resultData.lastNodeExecuted === 'Second Wait' ? e : undefined;
	});
	expect(nodeOutput(atSecond, 'First Wait')?.[0].data).toEqual({ step: 1 });

	// Now the first URL is the stale one.
	const stale = await postJson(first, { step: 'stale' });
	expect(stale.status).toBe(404);

	expect((await postJson(second, { step: 2 })).status).toBe(200);
	const done = await api.waitForStatus(executionId, ['success']);
	expect(nodeOutput(done, 'Second Wait')?.[0].data).toEqual({ step: 2 });
	expect(nodeOutput(done, 'Done')?.[0].data).toEqual({ step: 2 });
});

test('a limited wait times out, and the workflow can tell from timedOut', async () => {
	const exec = await api.waitForStatus(timeoutRun.executionId, ['success', 'error'], 150_000);
	expect(exec.status).toBe('success');
	const timedOut = nodeOutput(exec, 'Done');
	expect(timedOut).toHaveLength(1);
	// n8n passes the items the node received through, marked by the node before it waited.
	expect(timedOut![0].timedOut).toBe(true);
	expect(timedOut![0].body).toEqual({ orderId: 'slow-1' });
	expect(timedOut![0].data).toBeUndefined();
	// A call after the timeout resumes nothing.
	const late = await postJson(timeoutRun.callbackUrl, { late: true });
	expect(late.status).toBe(409);
}, 200_000);
