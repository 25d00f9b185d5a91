/**
 * Links for people through mocked n8n contexts: Ignore Bots (wait node, stable URL, trigger) and
 * Confirm in Browser (the wait node's resume and fail URLs, on n8n 2.x and 1.x).
 */
import type { IDataObject } from 'n8n-workflow';

import { ExternalCallbackTrigger } from '../../nodes/ExternalCallbackTrigger/ExternalCallbackTrigger.node';
import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { confirmToken } from '../../nodes/callback/pipeline/human';
import { BASE, FakeN8n, JSON_HEADERS, N8N_API_KEY, TRIGGER_TYPE, WAIT_NODE, callWebhook, n8nResumeUrl, serveWaitNode, tokenFor, type CallSpec, type WebhookSetup } from './helpers';

const wait = new ExternalCallbackWait().getNodeType(1);
const trigger = new ExternalCallbackTrigger();
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFE_LINKS = 'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': CHROME };
const TOKEN = tokenFor('101');
const confirmParams = { confirmInBrowser: true, confirmTitle: 'Refund <b>A-1</b>?', confirmMessage: 'Amount: 12 €' };

function resume(setup: Partial<WebhookSetup> = {}) {
	return callWebhook({ http: new FakeN8n().http, waitingItem: { orderId: 'A-1' }, ...setup, node: wait });
}
const get = (headers: Record<string, string> = {}, query: IDataObject = { signature: TOKEN }): CallSpec => ({ method: 'GET', headers: { 'user-agent': CHROME, ...headers }, query });
const form = (body: IDataObject, query: IDataObject = { signature: TOKEN }): CallSpec => ({ method: 'POST', headers: FORM, body, query });
const pageToken = (html: string) => /name="ecb_token" value="([^"]+)"/.exec(html)?.[1];

describe('Ignore Bots', () => {
	test('resume URL: a link scanner gets 403 code 1060 and nothing resumes; a person resumes', async () => {
		const bot = await resume({ params: { options: { ignoreBots: true } }, call: get({ 'user-agent': SAFE_LINKS }) });
		expect(bot.result).toEqual({ noWebhookResponse: true });
		expect(bot.res.statusCode).toBe(403);
		expect((bot.res.body as IDataObject).code).toBe(1060);
		const person = await resume({ params: { options: { ignoreBots: true } }, call: get() });
		expect(person.result.workflowData![0][0].json).toMatchObject({ method: 'GET', failed: false });
	});

	test('a prefetch gets 403 code 1061 and nothing resumes', async () => {
		const { result, res } = await resume({ params: { options: { ignoreBots: true } }, call: get({ 'sec-purpose': 'prefetch' }) });
		expect(result.workflowData).toBeUndefined();
		expect((res.body as IDataObject).code).toBe(1061);
	});

	test('off (the default): a bot resumes as before', async () => {
		const { result } = await resume({ call: get({ 'user-agent': 'curl/8.5.0' }) });
		expect(result.workflowData).toBeDefined();
	});

	test('"Fail the Wait" does not turn a bot into a failure: the execution keeps waiting', async () => {
		const { result, res } = await resume({ params: { options: { ignoreBots: true }, refusedCalls: 'fail' }, call: get({ 'user-agent': SAFE_LINKS }) });
		expect(result.workflowData).toBeUndefined();
		expect(res.statusCode).toBe(403);
	});

	test('the trigger: a bot starts nothing (403 code 1060), a person starts an execution', async () => {
		const nodeInfo = { id: 'trigger-node-id', name: 'On Click', type: TRIGGER_TYPE };
		const bot = await callWebhook({ node: trigger, nodeInfo, executionId: undefined, params: { options: { ignoreBots: true } }, call: get({ 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }, {}) });
		expect(bot.result.workflowData).toBeUndefined();
		expect((bot.res.body as IDataObject).code).toBe(1060);
		const person = await callWebhook({ node: trigger, nodeInfo, executionId: undefined, params: { options: { ignoreBots: true } }, call: get({}, { a: '1' }) });
		expect(person.result.workflowData![0][0].json.data).toEqual({ a: '1' });
	});

	test('the stable URL: a bot is refused before anything is looked up', async () => {
		const fake = new FakeN8n();
		const { res, http } = await callWebhook({
			node: wait,
			webhookName: 'stable',
			params: { stableUrl: true, options: { ignoreBots: true } },
			credentials: { externalCallbackN8nApi: { baseUrl: BASE, apiKey: 'k' } },
			http: fake.http,
			call: { method: 'POST', headers: { ...JSON_HEADERS, 'user-agent': 'python-requests/2.31.0' }, body: {}, query: { execution: '7' } },
		});
		expect((res.body as IDataObject).code).toBe(1060);
		// only the process's own readiness probe ran (the stable URL checks it first); no n8n API call
		const urls = http.mock.calls.map(([options]) => String((options as { url?: unknown }).url));
		expect(urls.every((url) => url.endsWith('/healthz/readiness'))).toBe(true);
		expect(urls.some((url) => url.includes('/api/v1/'))).toBe(false);
	});
});

describe('Confirm in Browser (n8n 2.x: bound to the resume token)', () => {
	test('GET shows the page with the escaped title and the security headers; nothing resumes', async () => {
		const { result, res } = await resume({ params: confirmParams, call: get() });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(200);
		expect(res.headers).toMatchObject({
			'content-type': 'text/html; charset=utf-8',
			'cache-control': 'no-store',
			'x-robots-tag': 'noindex, nofollow',
			'referrer-policy': 'no-referrer',
			'x-frame-options': 'DENY',
		});
		expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; form-action 'self'/);
		const html = String(res.body);
		expect(html).toContain('<h1>Refund &#60;b&#62;A-1&#60;/b&#62;?</h1>');
		expect(html).toContain('Amount: 12 €');
		expect(pageToken(html)).toBe(confirmToken(TOKEN, '101\ndefault'));
	});

	test('the page\'s POST resumes once with { choice } as data and answers the done page', async () => {
		const page = await resume({ params: confirmParams, call: get() });
		const token = pageToken(String(page.res.body))!;
		const { result, res } = await resume({ params: confirmParams, call: form({ ecb_token: token, choice: 'approve' }) });
		const [[item]] = result.workflowData!;
		expect(item.json).toMatchObject({ data: { choice: 'approve' }, method: 'POST', failed: false, timedOut: false });
		expect(JSON.stringify(item.json)).not.toContain(token);
		expect(JSON.stringify(item.json)).not.toContain(TOKEN);
		expect(String(result.webhookResponse)).toContain('<strong>Approve</strong>');
		expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
	});

	test('configured buttons: the chosen value is the data; a choice not offered is 400 code 1063', async () => {
		const params = { ...confirmParams, confirmButtons: { buttons: [{ label: 'Refund', value: 'refund' }, { label: 'Keep', value: 'keep' }, { label: 'dup', value: 'keep' }] } };
		const html = String((await resume({ params, call: get() })).res.body);
		expect(html.match(/<button /g)).toHaveLength(2);
		const token = pageToken(html)!;
		expect((await resume({ params, call: form({ ecb_token: token, choice: 'keep' }) })).result.workflowData![0][0].json.data).toEqual({ choice: 'keep' });
		const wrong = await resume({ params, call: form({ ecb_token: token, choice: 'approve' }) });
		expect(wrong.result.workflowData).toBeUndefined();
		expect([wrong.res.statusCode, (wrong.res.body as IDataObject).code]).toEqual([400, 1063]);
	});

	test('a forged POST (no token, a guessed one, JSON) is 403 code 1062 and never fails the wait', async () => {
		for (const call of [
			form({ choice: 'approve' }),
			form({ ecb_token: 'x', choice: 'approve' }),
			{ method: 'POST', headers: JSON_HEADERS, body: { choice: 'approve' }, query: { signature: TOKEN } },
		]) {
			const { result, res } = await resume({ params: { ...confirmParams, refusedCalls: 'fail' }, call });
			expect(result.workflowData).toBeUndefined();
			expect([res.statusCode, (res.body as IDataObject).code]).toEqual([403, 1062]);
		}
	});

	test('the fail URL has its own token: the resume URL\'s does not work there; its own fails the wait with the choice', async () => {
		const resumeToken = pageToken(String((await resume({ params: confirmParams, call: get() })).res.body))!;
		const atFail = await resume({ webhookName: 'fail', params: confirmParams, call: form({ ecb_token: resumeToken, choice: 'reject' }) });
		expect((atFail.res.body as IDataObject).code).toBe(1062);
		const failToken = pageToken(String((await resume({ webhookName: 'fail', params: confirmParams, call: get() })).res.body))!;
		const failed = await resume({ webhookName: 'fail', params: confirmParams, call: form({ ecb_token: failToken, choice: 'reject' }) });
		expect(failed.result.workflowData![0][0].json).toMatchObject({ failed: true, data: { choice: 'reject' } });
	});

	test('another execution\'s page token does not work here', async () => {
		const other = confirmToken(tokenFor('102'), '102\ndefault');
		const { res } = await resume({ params: confirmParams, call: form({ ecb_token: other, choice: 'approve' }) });
		expect((res.body as IDataObject).code).toBe(1062);
	});

	test('PUT, PATCH, DELETE: 405 code 1064 with Allow; HEAD (should n8n pass it on): 204, nothing resumes', async () => {
		for (const method of ['PUT', 'PATCH', 'DELETE']) {
			const { result, res } = await resume({ params: confirmParams, call: { method, headers: JSON_HEADERS, body: { choice: 'approve' }, query: { signature: TOKEN } } });
			expect(result.workflowData).toBeUndefined();
			expect([res.statusCode, (res.body as IDataObject).code, res.headers.allow]).toEqual([405, 1064, 'GET, POST']);
		}
		const head = await resume({ params: confirmParams, call: { method: 'HEAD', query: { signature: TOKEN } } });
		expect(head.result.workflowData).toBeUndefined();
		expect(head.res.statusCode).toBe(204);
	});

	test('with Ignore Bots too: a scanner gets 403 code 1060 instead of the page', async () => {
		const { res } = await resume({ params: { ...confirmParams, options: { ignoreBots: true } }, call: get({ 'user-agent': SAFE_LINKS }) });
		expect((res.body as IDataObject).code).toBe(1060);
	});
});

describe('Confirm in Browser on n8n 1.x: bound to the URL secret of Generate Callback URL', () => {
	const secret = 'e'.repeat(64);
	const generators = [{ output: { callbackUrl: `${BASE}/webhook-waiting/101/${WAIT_NODE.id}?signature=${secret}` } }];
	const v1 = (call: CallSpec) => resume({ resumeUrl: n8nResumeUrl('101', 1), generators, params: confirmParams, call });

	test('GET with the secret shows the page; its POST resumes with the choice', async () => {
		const html = String((await v1(get({}, { signature: secret }))).res.body);
		const token = pageToken(html)!;
		expect(token).toBe(confirmToken(secret, '101\ndefault'));
		const { result } = await v1(form({ ecb_token: token, choice: 'reject' }, { signature: secret }));
		expect(result.workflowData![0][0].json.data).toEqual({ choice: 'reject' });
	});

	test('without the secret there is no page: 401 {"error":"Invalid token"}', async () => {
		const { result, res } = await v1(get({}, {}));
		expect(result).toEqual({ noWebhookResponse: true });
		expect([res.statusCode, res.jsonBody]).toEqual([401, { error: 'Invalid token' }]);
	});
});

describe('Confirm in Browser with guards and with the stable URL', () => {
	const keyCredential = { externalCallbackApiKeyApi: { apiKeys: 'k-1', location: 'query', name: 'key' } };

	test('the page only for callers the guards admit (a refusal never fails the wait); the page\'s POST keeps the key in the query', async () => {
		const params = { ...confirmParams, authentication: 'apiKey', refusedCalls: 'fail' };
		const refused = await resume({ params, credentials: keyCredential, call: get() });
		expect(refused.result.workflowData).toBeUndefined();
		expect([refused.res.statusCode, (refused.res.body as IDataObject).code]).toEqual([401, 1001]);
		const page = await resume({ params, credentials: keyCredential, call: get({}, { signature: TOKEN, key: 'k-1' }) });
		expect(page.res.statusCode).toBe(200);
		const token = pageToken(String(page.res.body))!;
		const { result } = await resume({ params, credentials: keyCredential, call: form({ ecb_token: token, choice: 'approve' }, { signature: TOKEN, key: 'k-1' }) });
		expect(result.workflowData![0][0].json).toMatchObject({ data: { choice: 'approve' }, user: { apiKey: 'key#1' } });
	});

	test.each([
		['unsigned (no authentication: the caller\'s headers and this node\'s origin)', {}, {}],
		['signed (the identity travels with it)', { authentication: 'apiKey' }, keyCredential],
	])('the stable URL is no link for people: its %s forward resumes', async (_what, auth, authCredential) => {
		const fake = new FakeN8n();
		fake.wait(7);
		const params = { stableUrl: true, confirmInBrowser: true, ...auth };
		const credentials = { ...authCredential, externalCallbackN8nApi: { baseUrl: BASE, apiKey: N8N_API_KEY } };
		const resumed = serveWaitNode(fake, wait, { params, credentials });
		const { res } = await callWebhook({
			node: wait,
			webhookName: 'stable',
			params,
			credentials,
			http: fake.http,
			executionId: undefined,
			call: { method: 'GET', headers: { 'user-agent': CHROME }, query: { execution: '7', key: 'k-1', status: 'ok' } },
		});
		expect(res.statusCode).toBe(200);
		expect(resumed).toHaveLength(1);
		expect(resumed[0].item.json.data).toMatchObject({ status: 'ok' });
	});

	test('a direct GET at the same resume URL still only gets the page', async () => {
		const { result, res } = await resume({ params: { stableUrl: true, confirmInBrowser: true }, credentials: { externalCallbackN8nApi: { baseUrl: BASE, apiKey: N8N_API_KEY } }, call: get() });
		expect(result.workflowData).toBeUndefined();
		expect(String(res.body)).toContain('<form method="post">');
	});
});
