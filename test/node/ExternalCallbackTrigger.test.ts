/**
 * External Callback Trigger through mocked n8n contexts: webhook() (a call starts an execution,
 * with the same guards, condition and reply as the wait node) and execute() (adds the id).
 */
import { createHmac } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { ExternalCallbackTrigger } from '../../nodes/ExternalCallbackTrigger/ExternalCallbackTrigger.node';
import { BASE, FakeN8n, TRIGGER_TYPE, callWebhook, runExecute, type CallSpec, type WebhookSetup } from './helpers';

const node = new ExternalCallbackTrigger();
const nodeInfo = { id: 'trigger-node-id', name: 'On Payment', type: TRIGGER_TYPE };
const HMAC_SECRET = 'trigger-hmac-secret';

/** A published trigger's production webhook; its only n8n request is the readiness check (http rejects: counts as ready). */
function trigger(setup: Partial<WebhookSetup> = {}) {
	return callWebhook({ nodeInfo, executionId: undefined, ...setup, node });
}
const post = (body: unknown, headers: Record<string, string> = {}, query: IDataObject = {}): CallSpec => ({
	method: 'POST',
	headers: { 'content-type': 'application/json', ...headers },
	body,
	query,
});

describe('ExternalCallbackTrigger.webhook()', () => {
	test('a POST starts an execution with the call, linked to no earlier item; 200 empty', async () => {
		const { result, res, http } = await trigger({ call: post({ event: 'paid', id: 'ch_1' }, { 'user-agent': 'stripe' }, { mode: 'live' }) });
		expect(result.webhookResponse).toBe('');
		const [[item]] = result.workflowData!;
		expect(item).not.toHaveProperty('pairedItem');
		expect(item.json).toMatchObject({
			data: { event: 'paid', id: 'ch_1' },
			query: { mode: 'live' },
			method: 'POST',
			user: null,
			roles: [],
		});
		expect((item.json.headers as IDataObject)['user-agent']).toBe('stripe');
		// a trigger has no wait state; it asks this n8n process whether it is ready, nothing else
		expect(item.json).not.toHaveProperty('timedOut');
		expect(http.mock.calls.map(([o]) => o.url)).toEqual([`${BASE}/healthz/readiness`]);
		// the stable URL's internal outcome header never reaches a trigger's caller
		expect(res.headers).not.toHaveProperty('x-external-callback-outcome');
	});

	test('n8n still starting (readiness 503): 503 code 1052 with retry-after, no execution started', async () => {
		const fake = new FakeN8n();
		fake.ready = false;
		const { result, res } = await trigger({ http: fake.http, call: post({ event: 'paid' }) });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(503);
		expect(res.headers['retry-after']).toBe('5');
		expect(res.body).toEqual({ code: 1052, message: expect.stringContaining('still starting') });
	});

	test('a guard credential n8n cannot read: 503 code 1053 (the cause in n8n\'s log, not in the reply), no execution', async () => {
		const { result, res, logger } = await trigger({ params: { authentication: 'apiKey' }, call: post({ a: 1 }) });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(503);
		expect(res.body).toEqual({ code: 1053, message: expect.stringContaining('authentication credential cannot be read') });
		expect(JSON.stringify(res.body)).not.toContain('externalCallbackApiKeyApi');
		expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('does not have any credentials of type "externalCallbackApiKeyApi"'));
	});

	test('GET: the query is the data; execution parameters are not payload', async () => {
		const { result } = await trigger({ call: { method: 'GET', query: { status: 'done', execution: '5', executionId: '6' } } });
		expect(result.workflowData![0][0].json).toMatchObject({ data: { status: 'done' }, query: { status: 'done' }, method: 'GET' });
	});

	test('DELETE with a body uses the body', async () => {
		const { result } = await trigger({ call: { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: { id: 3 } } });
		expect(result.workflowData![0][0].json.data).toEqual({ id: 3 });
	});

	describe('guards', () => {
		const body = '{"type":"invoice.paid"}';
		const credentials = { externalCallbackSignatureApi: { scheme: 'hmac', secret: HMAC_SECRET, header: 'x-signature', algorithm: 'sha256', encoding: 'hex', prefix: '' } };
		const signed = (key = HMAC_SECRET): CallSpec => ({
			...post(JSON.parse(body), { 'x-signature': createHmac('sha256', key).update(body).digest('hex') }),
			raw: body,
		});

		test('a generic HMAC signature over the exact bytes starts the execution', async () => {
			const { result } = await trigger({ params: { authentication: 'signature' }, credentials, call: signed() });
			expect(result.workflowData![0][0].json.user).toMatchObject({ signatureScheme: 'hmac' });
		});

		test('a wrong signature: 401 code 1002, no execution', async () => {
			const { result, res } = await trigger({ params: { authentication: 'signature' }, credentials, call: signed('wrong') });
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(401);
			expect((res.body as IDataObject).code).toBe(1002);
		});

		test('On Fail Policy "ignore": 200 empty, no execution', async () => {
			const { result, res } = await trigger({ params: { authentication: 'signature', onFail: 'ignore' }, credentials, call: signed('wrong') });
			expect(result).toEqual({ noWebhookResponse: true });
			expect(res.statusCode).toBe(200);
			expect(res.body).toBe('');
		});

		test('an API key in a header', async () => {
			const apiKey = { externalCallbackApiKeyApi: { apiKeys: 'tk-1', location: 'header', name: 'x-api-key' } };
			expect((await trigger({ params: { authentication: 'apiKey' }, credentials: apiKey, call: post({}, { 'x-api-key': 'tk-1' }) })).result.workflowData).toBeDefined();
			const refused = await trigger({ params: { authentication: 'apiKey' }, credentials: apiKey, call: post({}) });
			expect(refused.res.statusCode).toBe(401);
			expect((refused.res.body as IDataObject).code).toBe(1001);
		});
	});

	describe('credential headers of a custom name never reach the output', () => {
		const body = '{"type":"invoice.paid"}';
		test('a generic HMAC signature in "x-hmac" (a name without a secret word)', async () => {
			const custom = { externalCallbackSignatureApi: { scheme: 'hmac', secret: HMAC_SECRET, header: 'X-Hmac', algorithm: 'sha256', encoding: 'hex', prefix: '' } };
			const digest = createHmac('sha256', HMAC_SECRET).update(body).digest('hex');
			const { result } = await trigger({
				params: { authentication: 'signature' },
				credentials: custom,
				call: { ...post(JSON.parse(body), { 'x-hmac': digest, 'x-request-id': 'r-1' }), raw: body },
			});
			const json = result.workflowData![0][0].json;
			expect(json.headers).toMatchObject({ 'x-request-id': 'r-1' });
			expect(json.headers).not.toHaveProperty('x-hmac');
			expect(JSON.stringify(json)).not.toContain(digest);
		});

		test('an API key in "x-partner"', async () => {
			const apiKey = { externalCallbackApiKeyApi: { apiKeys: 'tk-partner-1', location: 'header', name: 'X-Partner' } };
			const { result } = await trigger({ params: { authentication: 'apiKey' }, credentials: apiKey, call: post({}, { 'x-partner': 'tk-partner-1' }) });
			const json = result.workflowData![0][0].json;
			expect(json.headers).not.toHaveProperty('x-partner');
			expect(JSON.stringify(json)).not.toContain('tk-partner-1');
		});
	});

	describe('condition and reply', () => {
		test('a false condition: the Ignored Call Response Code, no execution', async () => {
			const { result, res } = await trigger({
				params: { condition: '={{ $callback.data.event === "paid" }}', ignoredResponseCode: 204 },
				call: post({ event: 'refunded' }),
			});
			expect(result).toEqual({ noWebhookResponse: true });
			expect(res.statusCode).toBe(204);
			expect(res.headers).not.toHaveProperty('x-external-callback-outcome');
		});

		test('a true condition starts it, with a custom reply', async () => {
			const { result, res } = await trigger({
				params: { condition: '={{ $callback.method === "POST" && $callback.data.event === "paid" }}', respond: 'custom', responseCode: 202, responseBody: 'queued' },
				call: post({ event: 'paid' }),
			});
			expect(result.workflowData).toBeDefined();
			expect(result.webhookResponse).toBe('queued');
			expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
		});

		test('a response header name that is not allowed: 500 code 1099, logged, no execution', async () => {
			const { result, res, logger } = await trigger({
				params: { respond: 'custom', responseHeaders: { entries: [{ name: 'Content-Length', value: '1' }] } },
				call: post({}),
			});
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(500);
			expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('Response header name "Content-Length" is not allowed'));
		});
	});
});

describe('ExternalCallbackTrigger.execute()', () => {
	test('adds the new execution\'s id to every item and links each to its input', async () => {
		const { output } = await runExecute({
			node,
			executionId: '555',
			nodeInfo: { name: nodeInfo.name, type: TRIGGER_TYPE },
			items: [{ json: { data: { a: 1 } } }, { json: { data: { a: 2 } }, binary: { data: { data: '', mimeType: 'text/plain' } } }],
		});
		expect(output).toEqual([
			[
				{ json: { data: { a: 1 }, executionId: '555' }, pairedItem: { item: 0 } },
				{ json: { data: { a: 2 }, executionId: '555' }, binary: { data: { data: '', mimeType: 'text/plain' } }, pairedItem: { item: 1 } },
			],
		]);
	});
});

describe('description', () => {
	test('one webhook per method on the node\'s path (its webhook id when empty), as full path', () => {
		expect(node.description.webhooks!.map((h) => [h.httpMethod, h.path, h.isFullPath])).toEqual(
			['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => [m, '={{ $parameter["path"] || $webhookId }}', true]),
		);
	});
});
