/**
 * External Callback Wait through mocked n8n contexts: execute() (the wait and its deadline) and
 * webhook() on the resume URL and the fail URL (guards, condition, reply, expiry, readiness,
 * n8n 1.x URL secrets, refused forwards). The stable URL: ExternalCallbackWait.stable.test.ts.
 */
import { createHmac } from 'node:crypto';
import { NodeOperationError, WAIT_INDEFINITELY, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';

import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { forgetTokenized, knownTokenized } from '../../nodes/callback/urls/urlSecret';
import {
	BASE,
	FakeN8n,
	JSON_HEADERS,
	N8N_API_KEY,
	WAIT_NODE,
	WAIT_TYPE,
	WORKFLOW_ID,
	callWebhook,
	n8nResumeUrl,
	networkError,
	runExecute,
	serveWaitNode,
	tokenFor,
	type CallSpec,
	type WebhookSetup,
} from './helpers';

const node = new ExternalCallbackWait().getNodeType(1);
const API_KEY = 'k-live-7f3a9c';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const SHARED_SECRET = 'hs256-shared-secret-for-tests-only';
const apiKeyCredential = { externalCallbackApiKeyApi: { apiKeys: `${API_KEY}\nk-old-1`, location: 'header', name: 'x-api-key' } };

/** The resume URL's webhook() in execution 101, which n8n ready answers (readiness 200). */
function resume(setup: Partial<WebhookSetup> = {}) {
	return callWebhook({ http: new FakeN8n().http, ...setup, node });
}

function post(body: unknown, headers: Record<string, string> = {}, query: IDataObject = {}): CallSpec {
	return { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body, query: { signature: tokenFor('101'), ...query } };
}

function jwt(claims: IDataObject, secret = SHARED_SECRET): string {
	const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
	const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
	return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}
const jwtCredential = {
	externalCallbackJwtApi: {
		algorithms: ['HS256'],
		keyType: 'secret',
		secret: SHARED_SECRET,
		issuer: 'https://idp.test',
		audience: '',
		audienceMode: 'any',
		leewaySeconds: 0,
		readFrom: 'bearer',
		readFromName: '',
		rolesClaim: 'roles',
	},
};
const now = () => Math.floor(Date.now() / 1000);

describe('ExternalCallbackWait.execute()', () => {
	const items = () => [{ json: { orderId: 'A-1' } }, { json: { orderId: 'A-2' } }];

	test('no limit: waits indefinitely and passes its items on unmarked', async () => {
		const { output, putExecutionToWait, ctx } = await runExecute({ node, items: items(), nodeInfo: { name: WAIT_NODE.name, type: WAIT_TYPE } });
		expect(putExecutionToWait).toHaveBeenCalledTimes(1);
		expect(putExecutionToWait).toHaveBeenCalledWith(WAIT_INDEFINITELY);
		expect(output).toEqual([[{ json: { orderId: 'A-1' } }, { json: { orderId: 'A-2' } }]]);
		// nothing to mark: a wait without deadline never times out
		expect(ctx.getInputData()).toEqual(items());
	});

	test("stores n8n's resume URL of the execution in the run's metadata (the editor's waiting tooltip builds on it)", async () => {
		const { ctx } = await runExecute({ node, items: items(), nodeInfo: { name: WAIT_NODE.name, type: WAIT_TYPE } });
		expect(ctx.setMetadata).toHaveBeenCalledWith({ resumeUrl: n8nResumeUrl('101') });
	});

	test('after a time interval: waits until then; the waiting items (what a timeout continues with) say timedOut', async () => {
		const before = Date.now();
		const { output, putExecutionToWait, items: waiting } = await runExecute({
			node,
			items: items(),
			params: { limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount: 90, resumeUnit: 'seconds' },
		});
		const till = putExecutionToWait.mock.calls[0][0] as Date;
		expect(till.getTime()).toBeGreaterThanOrEqual(before + 90_000);
		expect(till.getTime()).toBeLessThanOrEqual(Date.now() + 90_000);
		expect(waiting.map((i) => i.json)).toEqual([
			{ orderId: 'A-1', timedOut: true },
			{ orderId: 'A-2', timedOut: true },
		]);
		expect(output[0].map((i) => i.json)).toEqual([{ orderId: 'A-1' }, { orderId: 'A-2' }]);
	});

	test('at a specified time: waits until that date', async () => {
		const { putExecutionToWait } = await runExecute({
			node,
			params: { limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime: '2031-05-01T12:00:00.000Z' },
		});
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date('2031-05-01T12:00:00.000Z'));
	});

	test.each([
		[{ limitType: 'atSpecifiedTime', maxDateAndTime: 'next tuesday' }, '"Max Date and Time" is not a valid date'],
		[{ limitType: 'afterTimeInterval', resumeAmount: 0 }, '"Amount" must be a number greater than 0'],
	])('an invalid limit is a NodeOperationError and nothing waits (%j)', async (limit, message) => {
		const pending = runExecute({ node, params: { limitWaitTime: true, ...limit } });
		await expect(pending).rejects.toThrow(NodeOperationError);
		await expect(pending).rejects.toThrow(message);
	});

	test('a generated URL expiry ends the wait a minute after it, when that is sooner than the limit', async () => {
		const expiresAt = new Date(Date.now() + 5 * 60_000);
		const { putExecutionToWait, items: waiting } = await runExecute({
			node,
			nodeInfo: { name: WAIT_NODE.name, type: WAIT_TYPE },
			params: { limitWaitTime: true, resumeAmount: 2, resumeUnit: 'hours' },
			generators: [{ output: { expiresAt: expiresAt.toISOString() } }],
		});
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date(expiresAt.getTime() + 60_000));
		expect(waiting[0].json.timedOut).toBe(true);
	});

	test('the limit wins when it is sooner than the expiry; an expiry alone also marks the items', async () => {
		const far = new Date(Date.now() + 3 * 86_400_000).toISOString();
		const limited = await runExecute({
			node,
			nodeInfo: { name: WAIT_NODE.name },
			params: { limitWaitTime: true, resumeAmount: 1, resumeUnit: 'minutes' },
			generators: [{ output: { expiresAt: far } }],
		});
		expect((limited.putExecutionToWait.mock.calls[0][0] as Date).getTime()).toBeLessThan(Date.now() + 61_000);

		const only = await runExecute({ node, nodeInfo: { name: WAIT_NODE.name }, generators: [{ output: { expiresAt: far } }] });
		expect(only.putExecutionToWait).toHaveBeenCalledWith(new Date(new Date(far).getTime() + 60_000));
		expect(only.items[0].json.timedOut).toBe(true);
	});

	test('generators that target another wait node, are disabled or have not run set no expiry', async () => {
		const soon = new Date(Date.now() + 60_000).toISOString();
		const { putExecutionToWait } = await runExecute({
			node,
			nodeInfo: { name: WAIT_NODE.name },
			generators: [
				{ name: 'For Another Wait', waitNode: 'Other Wait', output: { expiresAt: soon } },
				{ name: 'Disabled Generator', disabled: true, output: { expiresAt: soon } },
				{ name: 'Not Run Yet', output: undefined },
			],
		});
		expect(putExecutionToWait).toHaveBeenCalledWith(WAIT_INDEFINITELY);
	});
});

describe('resume URL (webhook "default")', () => {
	test('a JSON POST resumes on output 0 with the call, linked to the waiting item; 200 empty', async () => {
		const { result, res, http } = await resume({
			call: post({ paid: true, amount: 12.5 }, { 'x-request-id': 'r-1' }, { note: 'hi' }),
		});
		expect(result.webhookResponse).toBe('');
		expect(result.workflowData).toHaveLength(1);
		const [[item]] = result.workflowData!;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			data: { paid: true, amount: 12.5 },
			query: { note: 'hi' },
			method: 'POST',
			executionId: '101',
			user: null,
			roles: [],
			timedOut: false,
			failed: false,
			reason: null,
		});
		// n8n's resume token never reaches the output
		expect(item.json.query).not.toHaveProperty('signature');
		expect((item.json.headers as IDataObject)['x-request-id']).toBe('r-1');
		expect(Number.isNaN(Date.parse(String(item.json.receivedAt)))).toBe(false);
		// the stable URL's internal outcome header: only for its own forwards, never a direct caller
		expect(res.headers).not.toHaveProperty('x-external-callback-outcome');
		// the readiness check asked this n8n process itself
		expect(http).toHaveBeenCalledWith(expect.objectContaining({ url: `${BASE}/healthz/readiness`, method: 'GET' }));
	});

	test('a GET resumes with its query as data', async () => {
		const { result } = await resume({ call: { method: 'GET', query: { signature: tokenFor('101'), status: 'ok', ref: '9' } } });
		expect(result.workflowData![0][0].json.data).toEqual({ status: 'ok', ref: '9' });
		expect(result.workflowData![0][0].json.method).toBe('GET');
	});

	test('n8n still starting (readiness 503): 503 code 1052 with retry-after, nothing resumed', async () => {
		const fake = new FakeN8n();
		fake.ready = false;
		const { result, res } = await callWebhook({ node, http: fake.http, call: post({ paid: true }) });
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBe(true);
		expect(res.statusCode).toBe(503);
		expect(res.headers['retry-after']).toBe('5');
		expect(res.body).toEqual({ code: 1052, message: expect.stringContaining('still starting') });
	});

	test('a health endpoint that cannot be reached counts as ready', async () => {
		const { result } = await callWebhook({ node, http: async () => Promise.reject(networkError()), call: post({ a: 1 }) });
		expect(result.workflowData).toBeDefined();
	});

	test('expired (Generate Callback URL expiry passed): 410 code 1040, nothing resumed', async () => {
		const expiresAt = new Date(Date.now() - 1000).toISOString();
		const { result, res, http } = await resume({ call: post({ a: 1 }), generators: [{ output: { expiresAt } }] });
		expect(result.workflowData).toBeUndefined();
		expect(res.statusCode).toBe(410);
		expect(res.body).toEqual({ code: 1040, message: `This callback URL expired at ${expiresAt}` });
		expect(http).not.toHaveBeenCalled();
	});

	test('before its expiry a call resumes', async () => {
		const expiresAt = new Date(Date.now() + 60_000).toISOString();
		const { result } = await resume({ call: post({ a: 1 }), generators: [{ output: { expiresAt } }] });
		expect(result.workflowData).toBeDefined();
	});

	describe('respond modes', () => {
		test('custom: status (via the description), body and headers', async () => {
			const { result, res } = await resume({
				call: post({ a: 1 }),
				params: {
					respond: 'custom',
					responseCode: 201,
					responseBody: '{"received":true}',
					responseHeaders: { entries: [{ name: 'X-Trace', value: 't-1\r\nInjected: yes' }] },
				},
			});
			expect(result.webhookResponse).toBe('{"received":true}');
			expect(res.headers['x-trace']).toBe('t-1  Injected: yes');
			expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
			expect(node.description.webhooks![0].responseCode).toContain('responseCode');
		});

		test('redirect: a Location header', async () => {
			const { result, res } = await resume({
				call: post({ a: 1 }),
				params: { respond: 'redirect', redirectUrl: 'https://shop.example.com/thanks', redirectStatus: 303 },
			});
			expect(result.workflowData).toBeDefined();
			expect(res.headers.location).toBe('https://shop.example.com/thanks');
		});

		test('a redirect URL that is not absolute http(s) is the workflow\'s mistake: 500 code 1099, logged, nothing resumed', async () => {
			const { result, res, logger } = await resume({ call: post({ a: 1 }), params: { respond: 'redirect', redirectUrl: 'javascript:alert(1)' } });
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(500);
			expect(res.body).toEqual({ code: 1099, message: 'The callback could not be processed' });
			expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('Redirect URL must be an absolute http(s) URL'));
		});

		test.each(['lastNode', 'responseNode'])('%s: resumes and leaves the answer to n8n', async (respond) => {
			const { result, res } = await resume({ call: post({ a: 1 }), params: { respond } });
			expect(result.workflowData).toBeDefined();
			expect(res.status).not.toHaveBeenCalled();
		});
	});

	describe('request options', () => {
		test('a content type outside the accepted list: 415 code 1011', async () => {
			const { result, res } = await resume({
				call: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello', query: { signature: tokenFor('101') } },
				params: { options: { allowedContentTypes: 'application/json' } },
			});
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(415);
			expect((res.body as IDataObject).code).toBe(1011);
		});

		test('a body over the size limit: 413 code 1012', async () => {
			const { res } = await resume({ call: post({ blob: 'x'.repeat(2048) }), params: { options: { maxBodyKb: 1 } } });
			expect(res.statusCode).toBe(413);
			expect(res.body).toEqual({ code: 1012, message: 'The request body is larger than the accepted 1024 bytes' });
		});

		test('a vendor +json body is read raw and parsed; broken, it is 422 code 1010', async () => {
			const headers = { 'content-type': 'application/vnd.api+json' };
			const ok = await resume({ call: { method: 'POST', headers, raw: '{"data":{"id":"7"}}', query: { signature: tokenFor('101') } } });
			expect(ok.req.readRawBody).toHaveBeenCalled();
			expect(ok.result.workflowData![0][0].json.data).toEqual({ data: { id: '7' } });
			const bad = await resume({ call: { method: 'POST', headers, raw: '{"data":', query: { signature: tokenFor('101') } } });
			expect(bad.res.statusCode).toBe(422);
			expect((bad.res.body as IDataObject).code).toBe(1010);
		});

		test('a binary body becomes binary property "data"', async () => {
			const pdf = Buffer.from('%PDF-1.7 test');
			const { result, prepareBinaryData } = await resume({
				call: { method: 'POST', headers: { 'content-type': 'application/pdf' }, raw: pdf, query: { signature: tokenFor('101') } },
			});
			expect(prepareBinaryData).toHaveBeenCalledWith(pdf, undefined, 'application/pdf');
			expect(result.workflowData![0][0].binary?.data).toMatchObject({ mimeType: 'application/pdf' });
		});

		test('multipart files become binary properties, fields the data', async () => {
			const { result, copyBinaryFile } = await resume({
				call: {
					method: 'POST',
					headers: { 'content-type': 'multipart/form-data; boundary=x' },
					query: { signature: tokenFor('101') },
					body: {
						data: { invoice: 'INV-1' },
						files: { scan: { filepath: '/tmp/upload-1', originalFilename: 'scan.png', mimetype: 'image/png', size: 3 } },
					},
				},
			});
			expect(copyBinaryFile).toHaveBeenCalledWith('/tmp/upload-1', 'scan.png', 'image/png');
			expect(result.workflowData![0][0].json.data).toEqual({ invoice: 'INV-1' });
			expect(result.workflowData![0][0].binary?.scan).toBeDefined();
		});
	});

	describe('condition', () => {
		test('true ($callback against the waiting item $json): resumes', async () => {
			const { result } = await resume({
				call: post({ orderId: 'A-1' }),
				waitingItem: { orderId: 'A-1' },
				params: { condition: '={{ $callback.data.orderId === $json.orderId }}' },
			});
			expect(result.workflowData).toBeDefined();
		});

		test('false: the Ignored Call Response Code, no outcome header for a direct caller, still waiting', async () => {
			const { result, res } = await resume({
				call: post({ orderId: 'B-9' }),
				waitingItem: { orderId: 'A-1' },
				params: { condition: '={{ $callback.data.orderId === $json.orderId }}', ignoredResponseCode: 202 },
			});
			expect(result).toEqual({ noWebhookResponse: true });
			expect(res.statusCode).toBe(202);
			expect(res.headers).not.toHaveProperty('x-external-callback-outcome');
			expect(res.body).toBe('');
		});

		test('a condition that throws: 422 code 1020 and a warning in n8n\'s log', async () => {
			const { result, res, logger } = await resume({
				call: post({}),
				params: { condition: '={{ $callback.data.missing.deeper === 1 }}' },
			});
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(422);
			expect(res.body).toEqual({ code: 1020, message: 'The callback condition could not be evaluated' });
			expect(logger.warn).toHaveBeenCalled();
		});

		test('a plain (non-expression) condition is read as a boolean', async () => {
			expect((await resume({ call: post({}), params: { condition: 'true' } })).result.workflowData).toBeDefined();
			expect((await resume({ call: post({}), params: { condition: 'false' } })).result.workflowData).toBeUndefined();
		});
	});
});

describe('fail URL (webhook "fail")', () => {
	test.each([
		[{ reason: 'card declined' }, 'card declined'],
		[{ message: 'timeout at bank' }, 'timeout at bank'],
		[{ error: 'E42' }, 'E42'],
		[{ code: 7 }, null],
		[['not', 'an', 'object'], null],
	])('resumes with failed: true and the caller\'s reason (%j)', async (body, reason) => {
		const { result } = await resume({ webhookName: 'fail', call: post(body) });
		expect(result.workflowData![0][0].json).toMatchObject({ failed: true, reason, timedOut: false, data: body });
	});
});

describe('guards on the resume URL', () => {
	describe('API key', () => {
		test('a configured key resumes; the identity names the key by position, never its value', async () => {
			const { result } = await resume({
				call: post({ a: 1 }, { 'x-api-key': 'k-old-1' }),
				params: { authentication: 'apiKey' },
				credentials: apiKeyCredential,
			});
			expect(result.workflowData![0][0].json.user).toEqual({ apiKey: 'key#2' });
			expect(JSON.stringify(result.workflowData)).not.toContain('k-old-1');
		});

		test('no key: 401 code 1001; a wrong key: 401 code 1002; nothing resumed', async () => {
			const missing = await resume({ call: post({ a: 1 }), params: { authentication: 'apiKey' }, credentials: apiKeyCredential });
			expect(missing.result.workflowData).toBeUndefined();
			expect(missing.res.statusCode).toBe(401);
			expect((missing.res.body as IDataObject).code).toBe(1001);
			const wrong = await resume({
				call: post({ a: 1 }, { 'x-api-key': 'guess' }),
				params: { authentication: 'apiKey' },
				credentials: apiKeyCredential,
			});
			expect(wrong.res.statusCode).toBe(401);
			expect(wrong.res.body).toEqual({ code: 1002, message: 'Authentication failed: invalid API key' });
		});

		test('On Fail Policy "ignore": a refused caller gets 200 empty and nothing happens', async () => {
			const { result, res } = await resume({
				call: post({ a: 1 }, { 'x-api-key': 'guess' }),
				params: { authentication: 'apiKey', onFail: 'ignore' },
				credentials: apiKeyCredential,
			});
			expect(result).toEqual({ noWebhookResponse: true });
			expect(res.statusCode).toBe(200);
			expect(res.body).toBe('');
		});

		test('Refused Calls "fail": the caller gets 401 and the wait resumes with failed: true and the reason', async () => {
			const { result, res } = await resume({
				call: post({ a: 1 }, { 'x-api-key': 'guess' }),
				params: { authentication: 'apiKey', refusedCalls: 'fail' },
				credentials: apiKeyCredential,
			});
			expect(res.statusCode).toBe(401);
			expect((res.body as IDataObject).code).toBe(1002);
			expect(result.noWebhookResponse).toBe(true);
			expect(result.workflowData![0][0].json).toMatchObject({
				failed: true,
				timedOut: false,
				data: null,
				reason: 'Authentication failed: invalid API key',
			});
		});

		test('Refused Calls "fail": the failed item has the shape of an accepted one (method, redacted query and headers)', async () => {
			const { result } = await resume({
				call: post({ a: 1 }, { 'x-api-key': 'guess', 'x-request-id': 'r-9', authorization: 'Bearer t0ps3cret' }, { page: '2' }),
				params: { authentication: 'apiKey', refusedCalls: 'fail' },
				credentials: apiKeyCredential,
			});
			const json = result.workflowData![0][0].json;
			expect(Object.keys(json).sort()).toEqual(
				['data', 'executionId', 'failed', 'headers', 'method', 'query', 'reason', 'receivedAt', 'roles', 'timedOut', 'user'].sort(),
			);
			expect(json).toMatchObject({ method: 'POST', query: { page: '2' }, data: null, executionId: '101', user: null, roles: [] });
			const headers = json.headers as IDataObject;
			expect(headers['x-request-id']).toBe('r-9');
			expect(headers['content-type']).toBe('application/json');
			// neither n8n's resume token nor the caller's credentials reach the output
			expect(json.query).not.toHaveProperty('signature');
			expect(headers).not.toHaveProperty('x-api-key');
			expect(headers).not.toHaveProperty('authorization');
			expect(JSON.stringify(json)).not.toContain('guess');
			expect(JSON.stringify(json)).not.toContain(tokenFor('101'));
		});

		test('Refused Calls "fail" on a call refused by parsing (body too large): the same shape, no data', async () => {
			const { result, res } = await resume({
				call: post({ text: 'x'.repeat(2048) }, {}, { ref: 'big' }),
				params: { refusedCalls: 'fail', options: { maxBodyKb: 1 } },
			});
			expect(res.statusCode).toBe(413);
			expect(result.workflowData![0][0].json).toMatchObject({ method: 'POST', query: { ref: 'big' }, data: null, failed: true });
		});

		test('Refused Calls "fail" with On Fail "ignore": an ignored caller fails nothing', async () => {
			const { result, res } = await resume({
				call: post({ a: 1 }),
				params: { authentication: 'apiKey', refusedCalls: 'fail', onFail: 'ignore' },
				credentials: apiKeyCredential,
			});
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(200);
		});

		test('a key in the query is never part of the output', async () => {
			const { result } = await resume({
				call: post({ a: 1 }, {}, { api_key: API_KEY, page: '2' }),
				params: { authentication: 'apiKey' },
				credentials: { externalCallbackApiKeyApi: { apiKeys: API_KEY, location: 'query', name: 'api_key' } },
			});
			expect(result.workflowData![0][0].json.query).toEqual({ page: '2' });
		});

		test('a guard credential n8n cannot read: 503 code 1053, the cause in n8n\'s log only, still waiting', async () => {
			const { result, res, logger } = await resume({ call: post({ a: 1 }), params: { authentication: 'apiKey' } });
			expect(result).toEqual({ noWebhookResponse: true });
			expect(res.statusCode).toBe(503);
			expect(res.body).toEqual({ code: 1053, message: expect.stringContaining('authentication credential cannot be read') });
			expect(JSON.stringify(res.body)).not.toContain('externalCallbackApiKeyApi');
			expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('does not have any credentials of type "externalCallbackApiKeyApi"'));
		});
	});

	describe('webhook signature (GitHub)', () => {
		const secret = 'gh-webhook-secret';
		const credentials = { externalCallbackSignatureApi: { scheme: 'github', secret } };
		const body = '{"action":"completed","check_run":{"id":1}}';
		const sign = (text: string, key = secret) => `sha256=${createHmac('sha256', key).update(text).digest('hex')}`;

		test('the HMAC of the exact bytes received resumes', async () => {
			const { result } = await resume({
				params: { authentication: 'signature' },
				credentials,
				call: { ...post(JSON.parse(body), { 'x-hub-signature-256': sign(body) }), raw: body },
			});
			expect(result.workflowData![0][0].json.data).toEqual(JSON.parse(body));
			// the signature header is a secret: not in the output
			expect(result.workflowData![0][0].json.headers).not.toHaveProperty('x-hub-signature-256');
		});

		test('a signature made with another secret: 401 code 1002; none: 401 code 1001', async () => {
			const wrong = await resume({
				params: { authentication: 'signature' },
				credentials,
				call: { ...post(JSON.parse(body), { 'x-hub-signature-256': sign(body, 'other') }), raw: body },
			});
			expect(wrong.res.statusCode).toBe(401);
			expect((wrong.res.body as IDataObject).code).toBe(1002);
			const none = await resume({ params: { authentication: 'signature' }, credentials, call: { ...post(JSON.parse(body)), raw: body } });
			expect((none.res.body as IDataObject).code).toBe(1001);
		});
	});

	describe('JWT with a shared secret (HS256)', () => {
		const claims = () => ({ sub: 'user-7', iss: 'https://idp.test', roles: ['approver', 'finance'], exp: now() + 300 });

		test('a valid token resumes with its claims as user and its roles', async () => {
			const { result } = await resume({
				params: { authentication: 'jwt', requiredRoles: 'approver' },
				credentials: jwtCredential,
				call: post({ ok: true }, { authorization: `Bearer ${jwt(claims())}` }),
			});
			const json = result.workflowData![0][0].json;
			expect(json.user).toMatchObject({ sub: 'user-7', iss: 'https://idp.test' });
			expect(json.roles).toEqual(['approver', 'finance']);
			expect(json.headers).not.toHaveProperty('authorization');
		});

		test('missing a required role: 403 code 1000 with FlowRunner\'s message; all roles required', async () => {
			const { res } = await resume({
				params: { authentication: 'jwt', requiredRoles: 'approver, admin', rolesMatch: 'all' },
				credentials: jwtCredential,
				call: post({ ok: true }, { authorization: `Bearer ${jwt(claims())}` }),
			});
			expect(res.statusCode).toBe(403);
			expect(res.body).toEqual({ code: 1000, message: 'Unable to execute the callback. User is missing required security role(s)' });
		});

		test.each([
			['expired', () => jwt({ ...claims(), exp: now() - 60 })],
			['signed with another secret', () => jwt(claims(), 'not-the-secret')],
			['from another issuer', () => jwt({ ...claims(), iss: 'https://evil.test' })],
		])('a token %s: 401 code 1002, nothing resumed', async (_what, token) => {
			const { result, res } = await resume({
				params: { authentication: 'jwt' },
				credentials: jwtCredential,
				call: post({ ok: true }, { authorization: `Bearer ${token()}` }),
			});
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(401);
			expect((res.body as IDataObject).code).toBe(1002);
		});

		test('no bearer token: 401 code 1001', async () => {
			const { res } = await resume({ params: { authentication: 'jwt' }, credentials: jwtCredential, call: post({}) });
			expect(res.body).toEqual({ code: 1001, message: 'Authentication required: no bearer token in the request' });
		});
	});

	describe('identity providers through n8n\'s request helper', () => {
		/** A provider on loopback behind helpers.httpRequest, plus n8n's readiness endpoint. */
		function provider(answer: (o: IHttpRequestOptions) => { statusCode: number; body: unknown } | Error) {
			const fake = new FakeN8n();
			return async (o: IHttpRequestOptions) => {
				if (o.url.startsWith(BASE)) return await fake.http(o);
				const r = answer(o);
				if (r instanceof Error) throw r;
				return { ...r, headers: {}, body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) };
			};
		}
		const lookup = { externalCallbackUserLookupApi: { url: 'http://127.0.0.1:9101/me', readFrom: 'bearer', sendHeader: 'authorization', rolesPath: 'roles' } };

		test('user lookup: the endpoint\'s user and roles; the token is sent as configured', async () => {
			const { result, http } = await resume({
				params: { authentication: 'userLookup', requiredRoles: 'ops' },
				credentials: lookup,
				call: post({ a: 1 }, { authorization: 'Bearer opaque-1' }),
				http: provider(() => ({ statusCode: 200, body: { id: 5, roles: ['ops'] } })),
			});
			expect(result.workflowData![0][0].json).toMatchObject({ user: { id: 5 }, roles: ['ops'] });
			expect(http).toHaveBeenCalledWith(
				expect.objectContaining({ url: 'http://127.0.0.1:9101/me', headers: expect.objectContaining({ authorization: 'Bearer opaque-1' }) }),
			);
		});

		test.each([
			['rejects the token', 401, 1002, { statusCode: 401, body: { error: 'bad' } }],
			['answers 500', 503, 1050, { statusCode: 500, body: 'oops' }],
			['cannot be reached', 503, 1050, networkError()],
		] as const)('user lookup %s: %i code %i', async (_what, status, code, answer) => {
			const { res, result } = await resume({
				params: { authentication: 'userLookup' },
				credentials: lookup,
				call: post({ a: 1 }, { authorization: 'Bearer opaque-1' }),
				http: provider(() => answer),
			});
			expect(result.workflowData).toBeUndefined();
			expect(res.statusCode).toBe(status);
			expect((res.body as IDataObject).code).toBe(code);
		});

		test('OAuth2 introspection: active resumes with the scope as roles; inactive is 401 code 1002', async () => {
			const credentials = {
				externalCallbackIntrospectionOAuth2Api: {
					endpoint: 'http://127.0.0.1:9102/introspect',
					clientAuth: 'basic',
					clientId: 'n8n',
					clientSecret: 'client-secret',
					readFrom: 'bearer',
					rolesPath: 'scope',
				},
			};
			const active = await resume({
				params: { authentication: 'introspection' },
				credentials,
				call: post({}, { authorization: 'Bearer at-1' }),
				http: provider((o) => ({ statusCode: 200, body: { active: String(o.body).includes('token=at-1'), scope: 'read write', sub: 'svc' } })),
			});
			expect(active.result.workflowData![0][0].json).toMatchObject({ roles: ['read', 'write'], user: { sub: 'svc' } });
			const inactive = await resume({
				params: { authentication: 'introspection' },
				credentials,
				call: post({}, { authorization: 'Bearer at-2' }),
				http: provider(() => ({ statusCode: 200, body: { active: false } })),
			});
			expect((inactive.res.body as IDataObject).code).toBe(1002);
		});

		test('Backendless: a valid user-token resumes with its roles', async () => {
			const { result } = await resume({
				params: { authentication: 'backendless' },
				credentials: { externalCallbackBackendlessApi: { baseUrl: 'http://127.0.0.1:9103/api', userLookupUrl: '' } },
				call: post({}, { 'user-token': 'bl-token' }),
				http: provider((o) => (o.url.includes('isvalidusertoken') ? { statusCode: 200, body: true } : { statusCode: 200, body: ['AuthenticatedUser'] })),
			});
			expect(result.workflowData![0][0].json).toMatchObject({ user: { userRoles: ['AuthenticatedUser'] }, roles: ['AuthenticatedUser'] });
		});
	});
});

describe('n8n 1.x: the URL secret of Generate Callback URL stands in for the resume token', () => {
	// execution 101 of the 2.x tests above went to wait with a token in this process: a 1.x one is another
	beforeEach(() => forgetTokenized());
	const secret = 'c'.repeat(64);
	const v1 = (query: IDataObject, output: IDataObject | undefined, webhookName = 'default') =>
		resume({
			webhookName,
			resumeUrl: n8nResumeUrl('101', 1),
			call: { method: 'POST', headers: JSON_HEADERS, body: { ok: 1 }, query },
			generators: [{ output }],
		});
	const generated = { callbackUrl: `${BASE}/webhook-waiting/101/${WAIT_NODE.id}?signature=${secret}`, failUrl: `${BASE}/webhook-waiting/101/${WAIT_NODE.id}-fail?signature=${secret}` };

	test('the generated secret resumes (also on the fail URL)', async () => {
		expect((await v1({ signature: secret }, generated)).result.workflowData).toBeDefined();
		expect((await v1({ signature: secret }, generated, 'fail')).result.workflowData![0][0].json.failed).toBe(true);
	});

	test.each([
		['a wrong secret', { signature: 'd'.repeat(64) }, generated],
		['no secret', {}, generated],
		['no generator output at all', { signature: secret }, undefined],
	])('%s: 401 {"error":"Invalid token"} as n8n 2.x answers, still waiting', async (_what, query, output) => {
		const { result, res } = await v1(query, output);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(401);
		expect(res.jsonBody).toEqual({ error: 'Invalid token' });
	});
});

describe('forwards and probes at the resume URL', () => {
	test('an origin header of another wait node: 403 code 1034, outcome refused, whatever Refused Calls says', async () => {
		const { result, res } = await resume({
			params: { refusedCalls: 'fail' },
			call: post({ a: 1 }, { 'x-external-callback-origin': `${WORKFLOW_ID} another-node-id` }),
		});
		expect(result.workflowData).toBeUndefined();
		expect(res.statusCode).toBe(403);
		expect((res.body as IDataObject).code).toBe(1034);
		expect(res.headers['x-external-callback-outcome']).toBe('refused');
	});

	test('its own origin is accepted on the resume URL (with the outcome header its stable URL reads) but refused on the fail URL', async () => {
		const origin = { 'x-external-callback-origin': `${WORKFLOW_ID} ${WAIT_NODE.id}` };
		const own = await resume({ call: post({ a: 1 }, origin) });
		expect(own.result.workflowData).toBeDefined();
		expect(own.res.headers['x-external-callback-outcome']).toBe('resumed');
		const ignored = await resume({ call: post({ a: 1 }, origin), params: { condition: '={{ false }}' } });
		expect(ignored.result.workflowData).toBeUndefined();
		expect(ignored.res.headers['x-external-callback-outcome']).toBe('ignored');
		const atFail = await resume({ webhookName: 'fail', call: post({ a: 1 }, origin) });
		expect(atFail.result.workflowData).toBeUndefined();
		expect((atFail.res.body as IDataObject).code).toBe(1034);
	});

	test('a forward header at a node whose stable URL is off (it sends none): 401 code 1035', async () => {
		const { result, res } = await resume({ call: post({ a: 1 }, { 'x-external-callback-forward': 'e30.c2ln' }) });
		expect(result.workflowData).toBeUndefined();
		expect(res.statusCode).toBe(401);
		expect((res.body as IDataObject).code).toBe(1035);
	});

	test('a probe answers whose resume URL this is and resumes nothing', async () => {
		const { result, res } = await resume({ call: { method: 'GET', headers: { 'x-external-callback-probe': '1' }, query: { signature: tokenFor('101') } } });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(200);
		expect(res.headers).toMatchObject({
			'x-external-callback-outcome': 'probe',
			'x-external-callback-workflow': WORKFLOW_ID,
			'x-external-callback-node': WAIT_NODE.id,
		});
	});

	describe('forwards made by a stable URL, replayed elsewhere', () => {
		const params = { stableUrl: true, authentication: 'apiKey' };
		const credentials = { ...apiKeyCredential, externalCallbackN8nApi: { baseUrl: BASE, apiKey: N8N_API_KEY } };

		/** The forward header the stable URL signs for execution 7 (captured from its request). */
		async function forwardFor7(): Promise<string> {
			const fake = new FakeN8n();
			fake.wait(7);
			const resumed = serveWaitNode(fake, node, { params, credentials });
			const { res } = await callWebhook({
				node,
				webhookName: 'stable',
				params,
				credentials,
				http: fake.http,
				call: { method: 'POST', headers: { ...JSON_HEADERS, 'x-api-key': API_KEY }, body: { paid: true }, query: { execution: '7' } },
			});
			expect(res.statusCode).toBe(200);
			expect(resumed).toHaveLength(1);
			const [forward] = fake.callsTo('/webhook-waiting/7/');
			const header = (forward.headers as IDataObject)['x-external-callback-forward'];
			expect(typeof header).toBe('string');
			return header as string;
		}

		test('at another execution: 403 code 1034; at the fail URL of the same: 403 code 1034', async () => {
			const header = await forwardFor7();
			const other = await resume({ executionId: '8', params, credentials, call: post({ paid: true }, { 'x-external-callback-forward': header }) });
			expect(other.result.workflowData).toBeUndefined();
			expect((other.res.body as IDataObject).code).toBe(1034);
			const fail = await resume({ executionId: '7', webhookName: 'fail', params, credentials, call: post({}, { 'x-external-callback-forward': header }) });
			expect((fail.res.body as IDataObject).code).toBe(1034);
		});

		test('with its signature altered: 401 code 1035', async () => {
			const header = await forwardFor7();
			const [body, sig] = header.split('.');
			const altered = `${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
			const { res } = await resume({ executionId: '7', params, credentials, call: post({}, { 'x-external-callback-forward': altered }) });
			expect(res.statusCode).toBe(401);
			expect((res.body as IDataObject).code).toBe(1035);
		});

		test('where it belongs it skips the guards and carries the stable URL\'s identity', async () => {
			const header = await forwardFor7();
			const { result } = await resume({ executionId: '7', params, credentials, call: post({ paid: true }, { 'x-external-callback-forward': header }) });
			expect(result.workflowData![0][0].json.user).toEqual({ apiKey: 'key#1' });
		});
	});
});

describe('description', () => {
	test('restart webhooks for every method on the node id and on <node id>-fail; the stable URL on callback', () => {
		const hooks = node.description.webhooks!;
		expect(hooks.filter((h) => h.restartWebhook).map((h) => [h.name, h.path, h.httpMethod])).toEqual([
			['default', '={{ $nodeId }}', 'GET,POST,PUT,PATCH,DELETE'],
			['fail', '={{ $nodeId + "-fail" }}', 'GET,POST,PUT,PATCH,DELETE'],
		]);
		expect(hooks.filter((h) => h.name === ('stable' as string)).map((h) => h.path)).toEqual(['callback', 'callback']);
	});
});

describe('the memo of executions n8n gave a resume token (a fact recorded by execute(), only saving its reading)', () => {
	beforeEach(() => forgetTokenized());
	const readsResumeUrl = (ctx: { evaluateExpression: jest.Mock }) =>
		ctx.evaluateExpression.mock.calls.filter(([expression]) => String(expression).includes('$execution.resumeUrl')).length;

	test('execute() on n8n 2.x records it; the webhook then resumes without evaluating $execution.resumeUrl (no expression isolate)', async () => {
		await runExecute({ node, resumeUrl: n8nResumeUrl('101') });
		expect(knownTokenized(WORKFLOW_ID, '101')).toBe(true);
		const { result, ctx } = await resume({ call: post({ ok: 1 }) });
		expect(result.workflowData).toBeDefined();
		expect(readsResumeUrl(ctx as unknown as { evaluateExpression: jest.Mock })).toBe(0);
	});

	test('not known here (another process, a restart): the resume URL is read as before', async () => {
		const { result, ctx } = await resume({ call: post({ ok: 1 }) });
		expect(result.workflowData).toBeDefined();
		expect(readsResumeUrl(ctx as unknown as { evaluateExpression: jest.Mock })).toBe(1);
	});

	test('n8n 1.x (no token in the resume URL): nothing recorded, the URL secret is checked', async () => {
		await runExecute({ node, resumeUrl: n8nResumeUrl('101', 1) });
		expect(knownTokenized(WORKFLOW_ID, '101')).toBe(false);
		const { res } = await resume({ resumeUrl: n8nResumeUrl('101', 1), call: { method: 'POST', headers: JSON_HEADERS, body: { ok: 1 }, query: { signature: 'd'.repeat(64) } } });
		expect(res.statusCode).toBe(401);
	});
});
