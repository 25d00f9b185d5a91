/**
 * The wait node's stable URL (webhook "stable") through a mocked n8n: `?execution=<id>`, `any`,
 * `all` and the state form. helpers.httpRequest goes to a FakeN8n (public API listings, resume
 * URLs with n8n's token check) whose waiting webhooks run this same node class in process.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { GenerateCallbackUrl } from '../../nodes/GenerateCallbackUrl/GenerateCallbackUrl.node';
import { hintCount, rememberHint } from '../../nodes/callback/targeting/hints';
import { sealToken } from '../../nodes/callback/targeting/keyIndex';
import { STABLE_MAX_IN_FLIGHT, admit } from '../../nodes/callback/targeting/admission';
import { BASE, FakeN8n, JSON_HEADERS, N8N_API_KEY, WAIT_NODE, WAIT_TYPE, WORKFLOW_ID, callWebhook, n8nResumeUrl, runExecute, serveWaitNode, tokenFor, type CallSpec } from './helpers';

const node = new ExternalCallbackWait().getNodeType(1);
const CALLER_KEY = 'caller-key-31';
const n8nApi = (extra: IDataObject = {}) => ({ externalCallbackN8nApi: { baseUrl: BASE, webhookBaseUrl: '', apiKey: N8N_API_KEY, ...extra } });

interface World {
	fake: FakeN8n;
	resumed: ReturnType<typeof serveWaitNode>;
	stable: (call: CallSpec) => ReturnType<typeof callWebhook>;
}

/** A published workflow whose wait node has the stable URL on, and the n8n it runs in. */
function world(
	o: { params?: IDataObject; credentials?: Record<string, ICredentialDataDecryptedObject>; version?: 1 | 2; staticData?: IDataObject } = {},
): World {
	const fake = new FakeN8n(o.version ?? 2);
	const params = { stableUrl: true, ...o.params };
	const credentials = o.credentials ?? n8nApi();
	const resumed = serveWaitNode(fake, node, { params, credentials });
	const staticData = o.staticData ?? {};
	const stable = (call: CallSpec) =>
		callWebhook({ node, webhookName: 'stable', params, credentials, http: fake.http, call, staticData, executionId: undefined });
	return { fake, resumed, stable };
}

const post = (query: IDataObject, body: unknown = { paid: true }, headers: Record<string, string> = {}): CallSpec => ({
	method: 'POST',
	headers: { ...JSON_HEADERS, ...headers },
	body,
	query,
});
const code = (body: unknown) => (body as IDataObject).code;
/** What the node asked of n8n besides the readiness check every call starts with. */
const beyondReadiness = (fake: FakeN8n) => fake.calls.filter((c) => new URL(c.url).pathname !== '/healthz/readiness');

describe('stable URL: which execution', () => {
	test.each([
		['no target', {}, 'Say which execution to resume: ?execution=<id>, any or all'],
		['execution and executionId', { execution: '7', executionId: '8' }, 'Give the execution parameter once (execution or executionId)'],
		['execution twice', { execution: ['7', '8'] }, 'Give the execution parameter once (execution or executionId)'],
		['an id with other characters', { execution: '7 OR 1=1' }, 'The execution parameter must be an execution id, any or all'],
		['a malformed state', { state: 'ecb1.not-a-state' }, 'The state parameter is not a valid state'],
	])('%s: 400 code 1030, nothing asked of n8n', async (_what, query, message) => {
		const w = world();
		w.fake.wait(7);
		const { res, result } = await w.stable(post(query));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(400);
		expect(res.body).toEqual({ code: 1030, message });
		expect(beyondReadiness(w.fake)).toHaveLength(0);
	});

	test('a multipart body (n8n consumed its bytes): 415 code 1011, nothing forwarded', async () => {
		const w = world();
		w.fake.wait(7);
		const { res } = await w.stable({
			method: 'POST',
			headers: { 'content-type': 'multipart/form-data; boundary=b' },
			body: { data: { a: '1' }, files: {} },
			query: { execution: '7' },
		});
		expect(res.statusCode).toBe(415);
		expect(code(res.body)).toBe(1011);
		expect(beyondReadiness(w.fake)).toHaveLength(0);
	});
});

describe('stable URL: n8n starting', () => {
	test('n8n still starting (readiness 503): 503 code 1052 with retry-after, nothing asked of the API, nothing resumed', async () => {
		const w = world();
		w.fake.wait(7);
		w.fake.ready = false;
		const { res, result } = await w.stable(post({ execution: '7' }));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(503);
		expect(res.headers['retry-after']).toBe('5');
		expect(res.body).toEqual({ code: 1052, message: expect.stringContaining('still starting') });
		expect(beyondReadiness(w.fake)).toHaveLength(0);
		expect(w.resumed).toHaveLength(0);
		w.fake.ready = true;
		expect((await w.stable(post({ execution: '7' }))).res.statusCode).toBe(200);
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['7']);
	});
});

describe('stable URL: the per-process bound', () => {
	test('above the bound: 503 code 1039 at once with a Retry-After turn, nothing asked of n8n; admitted again once a slot is free', async () => {
		const w = world();
		w.fake.wait(7);
		const held = Array.from({ length: STABLE_MAX_IN_FLIGHT }, () => admit());
		try {
			const answers = [];
			for (let i = 0; i < 3; i++) answers.push((await w.stable(post({ execution: '7' }))).res);
			for (const res of answers) {
				expect(res.statusCode).toBe(503);
				expect(code(res.body)).toBe(1039);
			}
			// one turn each, handed out one after another: never earlier than the one before
			const after = answers.map((res) => Number(res.headers['retry-after']));
			expect(after[0]).toBeGreaterThanOrEqual(1);
			for (let i = 1; i < after.length; i++) expect(after[i]).toBeGreaterThanOrEqual(after[i - 1]);
			expect(w.fake.calls).toHaveLength(0);
			expect(w.resumed).toHaveLength(0);
		} finally {
			for (const slot of held) slot?.release();
		}
		expect((await w.stable(post({ execution: '7' }))).res.statusCode).toBe(200);
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['7']);
	});
});

describe('stable URL: the n8n API', () => {
	test('no n8n API credential on the node: 503 code 1051', async () => {
		const w = world({ credentials: {} });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(503);
		expect(res.body).toEqual({
			code: 1051,
			message: "The n8n API cannot be used to find executions (no n8n API credential is set on the node); check the node's n8n API credential",
		});
	});

	test('the API refuses the key: 503 code 1051 "the API key was refused"', async () => {
		const w = world({ credentials: n8nApi({ apiKey: 'revoked' }) });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(503);
		expect(String((res.body as IDataObject).message)).toContain('the API key was refused');
		expect(w.resumed).toHaveLength(0);
	});

	test('the API answers 500: 503 code 1051 with the status', async () => {
		const w = world();
		w.fake.wait(7);
		w.fake.apiStatus = 500;
		const { res } = await w.stable(post({ execution: 'any' }));
		expect(res.statusCode).toBe(503);
		expect(String((res.body as IDataObject).message)).toContain('status 500');
		// transient: the caller is told when to come back (its own turn, admission.ts)
		expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
	});

	test('the API refuses the key: no Retry-After (retrying does not help)', async () => {
		const w = world({ credentials: n8nApi({ apiKey: 'revoked' }) });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(503);
		expect(res.headers['retry-after']).toBeUndefined();
	});

	test('the API cannot be reached (twice): 503 code 1051 "unreachable"', async () => {
		const w = world();
		w.fake.wait(7);
		// the readiness check's request fails first (counts as ready), then the API GET and its retry
		w.fake.failNext = 3;
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(503);
		expect(String((res.body as IDataObject).message)).toContain('unreachable');
	});

	test('one failed connection is retried (a GET is safe to repeat)', async () => {
		const w = world();
		w.fake.wait(7);
		// the readiness check's request fails first (counts as ready), then the API GET once
		w.fake.failNext = 2;
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(200);
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['7']);
	});
});

describe('stable URL: ?execution=<id>', () => {
	test('forwards the call to that execution\'s resume URL, which resumes it; 200 empty with x-execution-id', async () => {
		const w = world();
		w.fake.wait(7);
		const body = { paid: true, amount: 30 };
		const { res, result } = await w.stable(post({ execution: '7', note: 'x' }, body, { 'x-request-id': 'r-9' }));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(200);
		expect(res.body).toBe('');
		expect(res.headers['x-execution-id']).toBe('7');
		// n8n's API was asked about exactly that execution, with the node's API key
		const [lookup] = w.fake.callsTo('/api/v1/executions');
		expect(lookup.url).toBe(`${BASE}/api/v1/executions/7?includeData=true`);
		expect(lookup.headers).toEqual({ 'X-N8N-API-KEY': N8N_API_KEY });
		// the forward: the resume URL with n8n's token, the caller's query and exact bytes, this node as origin
		const [forward] = w.fake.callsTo('/webhook-waiting/');
		const url = new URL(forward.url);
		expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/webhook-waiting/7/${WAIT_NODE.id}`);
		expect(Object.fromEntries(url.searchParams)).toEqual({ note: 'x', signature: tokenFor('7') });
		expect(forward.method).toBe('POST');
		expect(Buffer.from(forward.body as Buffer).toString('utf8')).toBe(JSON.stringify(body));
		expect(forward.headers).toMatchObject({
			'x-request-id': 'r-9',
			'content-type': 'application/json',
			'x-external-callback-origin': `${WORKFLOW_ID} ${WAIT_NODE.id}`,
		});
		expect(forward.headers).not.toHaveProperty('content-length');
		expect(forward.headers).not.toHaveProperty('x-external-callback-forward');
		// and the execution resumed with the caller's data, without the targeting parameters
		expect(w.resumed).toHaveLength(1);
		expect(w.resumed[0].item.json).toMatchObject({ data: body, query: { note: 'x' }, executionId: '7', timedOut: false, failed: false });
	});

	test('executionId is the same parameter', async () => {
		const w = world();
		w.fake.wait(12);
		const { res } = await w.stable(post({ executionId: '12' }));
		expect(res.headers['x-execution-id']).toBe('12');
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['12']);
	});

	test('a repeated call for an execution this node resumed: 200 with x-callback-repeated, nothing resumed twice', async () => {
		const w = world();
		w.fake.wait(7);
		await w.stable(post({ execution: '7' }));
		const again = await w.stable(post({ execution: '7' }));
		expect(again.res.statusCode).toBe(200);
		expect(again.res.headers['x-callback-repeated']).toBe('true');
		expect(w.resumed).toHaveLength(1);
	});

	test('Repeated Call Response 409: 409 code 1033', async () => {
		const w = world({ params: { repeatedStatus: 409 } });
		w.fake.wait(7);
		await w.stable(post({ execution: '7' }));
		const again = await w.stable(post({ execution: '7' }));
		expect(again.res.statusCode).toBe(409);
		expect(again.res.body).toEqual({ code: 1033, message: 'Execution 7 was already resumed by this node' });
	});

	describe('with this process\'s hint (execute() sealed the resume token here; targeting/hints.ts)', () => {
		const hint = (id: string, token = tokenFor(id), apiKey = N8N_API_KEY) =>
			rememberHint({ workflowId: WORKFLOW_ID, nodeId: WAIT_NODE.id, executionId: id, apiKey, seal: sealToken(apiKey, id, token) });

		test('forwarded at once: no request to the public API, resumed once, the hint is used up', async () => {
			const w = world();
			w.fake.wait(7);
			hint('7');
			const { res } = await w.stable(post({ execution: '7' }));
			expect(res.statusCode).toBe(200);
			expect(res.headers['x-execution-id']).toBe('7');
			expect(w.resumed.map((r) => r.execution.id)).toEqual(['7']);
			expect(w.fake.callsTo('/api/v1/')).toHaveLength(0);
			expect(hintCount()).toBe(0);
		});

		test('a stale hint (the execution was already resumed) is not trusted: the lookup answers as without it', async () => {
			const w = world();
			w.fake.wait(7);
			expect((await w.stable(post({ execution: '7' }))).res.statusCode).toBe(200);
			hint('7'); // left behind: the execution no longer waits
			const gets = w.fake.callsTo('/api/v1/executions/7').length;
			const again = await w.stable(post({ execution: '7' }));
			expect(again.res.statusCode).toBe(200);
			expect(again.res.headers['x-callback-repeated']).toBe('true');
			expect(w.fake.callsTo('/api/v1/executions/7')).toHaveLength(gets + 1);
			expect(w.resumed).toHaveLength(1);
			expect(hintCount()).toBe(0);
		});

		test('a wrong token in the hint: n8n refuses it (401), the hint is dropped, the execution still resumes through the lookup', async () => {
			const w = world();
			w.fake.wait(7);
			hint('7', 'b'.repeat(64));
			const { res } = await w.stable(post({ execution: '7' }));
			expect(res.statusCode).toBe(200);
			expect(w.resumed.map((r) => r.execution.id)).toEqual(['7']);
			expect(w.fake.callsTo('/api/v1/executions/7')).toHaveLength(1);
			expect(hintCount()).toBe(0);
		});

		test('a hint sealed with another API key does not open: the lookup runs', async () => {
			const w = world();
			w.fake.wait(7);
			rememberHint({ workflowId: WORKFLOW_ID, nodeId: WAIT_NODE.id, executionId: '7', apiKey: N8N_API_KEY, seal: sealToken('another-key', '7', tokenFor('7')) });
			const { res } = await w.stable(post({ execution: '7' }));
			expect(res.statusCode).toBe(200);
			expect(w.fake.callsTo('/api/v1/executions/7')).toHaveLength(1);
		});

		test('a false condition with a hint: 404 code 1031 as without it, nothing resumed, the hint kept', async () => {
			const w = world({ params: { condition: '={{ $callback.data.paid === false }}' } });
			w.fake.wait(7);
			hint('7');
			const { res } = await w.stable(post({ execution: '7' }));
			expect(res.statusCode).toBe(404);
			expect(res.body).toEqual({ code: 1031, message: 'Execution 7 did not accept this call (its condition is false)' });
			expect(w.resumed).toHaveLength(0);
			expect(hintCount()).toBe(1);
		});
	});

	test('a finished execution: 409 code 1032', async () => {
		const w = world();
		w.fake.wait(7, { status: 'success' });
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(409);
		expect(code(res.body)).toBe(1032);
		expect(res.body).toEqual({ code: 1032, message: 'Execution 7 has finished; it is not waiting at this node' });
		expect(w.fake.callsTo('/webhook-waiting/')).toHaveLength(0);
	});

	test('an execution n8n marked crashed (its crash recovery): 409 code 1032 saying so, nothing forwarded', async () => {
		const w = world();
		w.fake.wait(7, { status: 'crashed' });
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(409);
		expect(res.body).toEqual({ code: 1032, message: 'Execution 7 has ended with status crashed; it is not waiting at this node' });
		expect(w.fake.callsTo('/webhook-waiting/')).toHaveLength(0);
	});

	test.each([
		['of another workflow', { workflowId: 'wf-other' }],
		['waiting at another node', { lastNode: 'Another Wait', nodeId: 'another-node-id' }],
		['still running', { status: 'running' as const }],
	])('an execution %s: 404 code 1031, nothing forwarded', async (_what, where) => {
		const w = world();
		w.fake.wait(7, where);
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: 1031, message: 'Execution 7 is not waiting at this node' });
		expect(w.fake.callsTo('/webhook-waiting/')).toHaveLength(0);
	});

	test('an unknown execution: 404 code 1031', async () => {
		const w = world();
		const { res } = await w.stable(post({ execution: '404040' }));
		expect(res.statusCode).toBe(404);
		expect(code(res.body)).toBe(1031);
	});

	test('the execution\'s condition is false: 404 code 1031 saying so; it keeps waiting', async () => {
		const w = world({ params: { condition: '={{ $callback.data.orderId === $json.orderId }}' } });
		const e = w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }, { orderId: 'A-8' }));
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: 1031, message: 'Execution 7 did not accept this call (its condition is false)' });
		expect(e.status).toBe('waiting');
	});

	test('a lost race (the resume URL answers n8n\'s 409): 404 code 1031 "no longer waiting"', async () => {
		const w = world();
		w.fake.wait(7);
		w.fake.onWaitingWebhook = async () => ({ statusCode: 409, headers: {}, body: '{"code":409,"message":"The execution is already running"}' });
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: 1031, message: 'Execution 7 is no longer waiting at this node' });
	});

	test.each([
		['n8n\'s 500', async () => ({ statusCode: 500, headers: {}, body: '{"code":0,"message":"There was a problem executing the workflow"}' })],
		['a 502 from a proxy', async () => ({ statusCode: 502, headers: {}, body: 'Bad Gateway' })],
		['a connection reset', async (): Promise<never> => await Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))],
	])('a forward that fails (%s): 503 code 1054 with Retry-After, not 404 1031; the execution keeps waiting', async (_what, answer) => {
		const w = world();
		const e = w.fake.wait(7);
		w.fake.onWaitingWebhook = answer;
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(503);
		expect(res.headers['retry-after']).toBe('2');
		expect(res.body).toEqual({ code: 1054, message: 'The forward to execution 7 failed (it may still be waiting); retry the same call' });
		expect(JSON.stringify(res.body)).not.toContain(tokenFor('7'));
		expect(e.status).toBe('waiting');
	});

	test('Respond "When Last Node Finishes": the resume URL\'s reply (status, content type, body) is the caller\'s, without the internal headers', async () => {
		const w = world({ params: { respond: 'lastNode' } });
		w.fake.wait(7);
		w.fake.onWaitingWebhook = async () => ({
			statusCode: 200,
			headers: { 'x-external-callback-outcome': 'resumed', 'content-type': 'application/json; charset=utf-8', 'x-other': 'kept inside' },
			body: '{"callId":"c-7","ok":true}',
		});
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(200);
		expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(res.headers['x-execution-id']).toBe('7');
		expect(res.headers).not.toHaveProperty('x-external-callback-outcome');
		expect(res.headers).not.toHaveProperty('x-other');
		expect(res.body).toBe('{"callId":"c-7","ok":true}');
		// n8n's own bare reply when it has no result for the run reaches the caller as well
		const v = world({ params: { respond: 'lastNode' } });
		v.fake.wait(8);
		v.fake.onWaitingWebhook = async () => ({ statusCode: 200, headers: { 'x-external-callback-outcome': 'resumed', 'content-type': 'application/json; charset=utf-8' }, body: '{"message":"Workflow executed successfully but no data was returned"}' });
		expect((await v.stable(post({ execution: '8' }))).res.body).toBe('{"message":"Workflow executed successfully but no data was returned"}');
	});

	test('a custom response answers the caller of a single activation', async () => {
		const w = world({ params: { respond: 'custom', responseCode: 202, responseBody: 'accepted', responseHeaders: { entries: [{ name: 'x-ok', value: '1' }] } } });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(202);
		expect(res.body).toBe('accepted');
		expect(res.headers).toMatchObject({ 'x-ok': '1', 'x-execution-id': '7', 'cache-control': 'no-store' });
	});

	test('forwards go to the credential\'s Webhook Base URL when set (queue mode)', async () => {
		const w = world({ credentials: n8nApi({ webhookBaseUrl: 'http://localhost:5678/' }) });
		w.fake.wait(7);
		await w.stable(post({ execution: '7' }));
		expect(w.fake.callsTo('/webhook-waiting/')[0].url.startsWith(`http://localhost:5678/webhook-waiting/7/${WAIT_NODE.id}?`)).toBe(true);
		expect(w.resumed).toHaveLength(1);
	});
});

describe('stable URL: ?execution=any', () => {
	function queue(w: World) {
		w.fake.wait(3);
		w.fake.wait(4, { workflowId: 'wf-other' });
		w.fake.wait(5);
		w.fake.wait(6, { lastNode: 'Another Wait', nodeId: 'another-node-id' });
		w.fake.wait(9);
	}

	test('resumes the oldest waiting at this node, then the next; remembers where it found it', async () => {
		const staticData: IDataObject = {};
		const w = world({ staticData });
		queue(w);
		const first = await w.stable(post({ execution: 'any' }));
		expect(first.res.statusCode).toBe(200);
		expect(first.res.headers['x-execution-id']).toBe('3');
		expect(Object.values(staticData)).toEqual([3]);
		const second = await w.stable(post({ execution: 'any' }));
		expect(second.res.headers['x-execution-id']).toBe('5');
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['3', '5']);
		// every listing was of this workflow's waiting executions
		for (const c of w.fake.callsTo('/api/v1/executions')) {
			const url = new URL(c.url);
			if (url.pathname === '/api/v1/executions') expect(url.searchParams.get('workflowId')).toBe(WORKFLOW_ID);
		}
	});

	test('skips executions whose condition refuses the call', async () => {
		const w = world({ params: { condition: '={{ $callback.data.orderId === $json.orderId }}' } });
		queue(w);
		const { res } = await w.stable(post({ execution: 'any' }, { orderId: 'A-9' }));
		expect(res.headers['x-execution-id']).toBe('9');
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['9']);
	});

	test('nothing waiting at this node: 404 code 1031', async () => {
		const w = world();
		w.fake.wait(4, { workflowId: 'wf-other' });
		const { res } = await w.stable(post({ execution: 'any' }));
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: 1031, message: 'No execution waiting at this node accepted the call' });
	});

	test('an API that refuses built cursors: falls back to the full listing', async () => {
		const w = world();
		queue(w);
		const http = w.fake.http;
		const refusing = async (o: IHttpRequestOptions) =>
			new URL(o.url).searchParams.has('cursor') ? { statusCode: 400, headers: {}, body: { message: 'invalid cursor' } } : await http(o);
		const { res } = await callWebhook({
			node,
			webhookName: 'stable',
			params: { stableUrl: true },
			credentials: n8nApi(),
			http: refusing,
			call: post({ execution: 'any' }),
			staticData: { oldestWaitingId: 2 },
		});
		expect(res.statusCode).toBe(200);
		expect(res.headers['x-execution-id']).toBe('3');
	});
});

describe('stable URL: ?execution=all', () => {
	test('resumes every execution waiting at this node; answers their ids, ascending, as text', async () => {
		const w = world();
		w.fake.wait(11);
		w.fake.wait(3);
		w.fake.wait(4, { workflowId: 'wf-other' });
		w.fake.wait(6, { lastNode: 'Another Wait', nodeId: 'another-node-id' });
		w.fake.wait(9);
		const { res } = await w.stable(post({ execution: 'all' }));
		expect(res.statusCode).toBe(200);
		expect(res.body).toBe('3,9,11');
		expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
		expect(w.resumed.map((r) => r.execution.id).sort()).toEqual(['11', '3', '9']);
		expect(w.fake.executions.get('4')!.status).toBe('waiting');
		expect(w.fake.executions.get('6')!.status).toBe('waiting');
	});

	test('pages through n8n\'s listing (250 a page)', async () => {
		const w = world();
		for (let id = 1; id <= 260; id++) w.fake.wait(id);
		const { res } = await w.stable(post({ execution: 'all' }));
		expect(String(res.body).split(',')).toHaveLength(260);
		expect(w.resumed).toHaveLength(260);
		const listings = w.fake.callsTo('/api/v1/executions').filter((c) => new URL(c.url).pathname === '/api/v1/executions');
		expect(listings).toHaveLength(2);
		expect(new URL(listings[1].url).searchParams.get('cursor')).toBeTruthy();
	});

	test('none accepted: 404 code 1031', async () => {
		const w = world();
		const { res } = await w.stable(post({ execution: 'all' }));
		expect(res.statusCode).toBe(404);
		expect(code(res.body)).toBe(1031);
	});
});

describe('stable URL: state form (OAuth state, SAML RelayState)', () => {
	/** The state Generate Callback URL makes for execution `id` of this workflow. */
	async function stateFor(id: string, stateParameter = 'state'): Promise<{ callbackUrl: string; state: string }> {
		const { output } = await runExecute({
			node: new GenerateCallbackUrl(),
			executionId: id,
			params: { urlForm: 'state' },
			childNodes: [WAIT_NODE.name],
			workflowNodes: [{ ...WAIT_NODE, type: WAIT_TYPE, parameters: { stableUrl: true, stateParameter } }],
		});
		return output[0][0].json as { callbackUrl: string; state: string };
	}

	test('resumes the execution the state names, after asking its resume URL whose it is; needs no n8n API', async () => {
		const w = world({ credentials: {} });
		w.fake.wait(21);
		const { callbackUrl, state } = await stateFor('21');
		expect(callbackUrl).toBe(`${BASE}/webhook/${WAIT_NODE.webhookId}/callback?state=${state}`);
		const { res } = await w.stable({ method: 'GET', query: { state, code: 'auth-code-1' } });
		expect(res.statusCode).toBe(200);
		expect(res.headers['x-execution-id']).toBe('21');
		const [probe, forward] = w.fake.callsTo('/webhook-waiting/');
		expect(probe.headers).toEqual({ 'x-external-callback-probe': '1' });
		expect(new URL(probe.url).searchParams.get('signature')).toBe(tokenFor('21'));
		expect(new URL(forward.url).searchParams.has('state')).toBe(false);
		expect(w.fake.callsTo('/api/')).toHaveLength(0);
		// the state is the URL's address, not the caller's data
		expect(w.resumed[0].item.json).toMatchObject({ data: { code: 'auth-code-1' }, query: { code: 'auth-code-1' } });
	});

	test('a state in the previous form (ecb1, made before the compact form) still resumes its execution', async () => {
		const w = world({ credentials: {} });
		w.fake.wait(24);
		const state = `ecb1.${Buffer.from(`24:${tokenFor('24')}`).toString('base64url')}`;
		const { res } = await w.stable({ method: 'GET', query: { state, code: 'c' } });
		expect(res.statusCode).toBe(200);
		expect(res.headers['x-execution-id']).toBe('24');
		expect(w.resumed[0].item.json).toMatchObject({ data: { code: 'c' } });
	});

	test('a state with an altered token: 404 code 1031 (n8n refuses the token), nothing resumed', async () => {
		const w = world({ credentials: {} });
		w.fake.wait(25);
		const { state } = await stateFor('25');
		const altered = state.slice(0, -1) + (state.endsWith('A') ? 'E' : 'A');
		const { res } = await w.stable({ method: 'GET', query: { state: altered } });
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: 1031, message: 'No execution is waiting at this node for this state' });
		expect(w.resumed).toHaveLength(0);
	});

	test('a truncated or overlong state: 400 code 1030, nothing sent', async () => {
		const w = world({ credentials: {} });
		w.fake.wait(26);
		const { state } = await stateFor('26');
		for (const bad of [state.slice(0, -1), `${state}A`, `${state}.x`]) {
			const { res } = await w.stable({ method: 'GET', query: { state: bad } });
			expect(res.statusCode).toBe(400);
			expect(res.body).toEqual({ code: 1030, message: 'The state parameter is not a valid state' });
		}
		expect(w.fake.callsTo('/webhook-waiting/')).toHaveLength(0);
		expect(w.resumed).toHaveLength(0);
	});

	test('a RelayState posted as a form field', async () => {
		const w = world({ credentials: {}, params: { stateParameter: 'RelayState' } });
		w.fake.wait(22);
		const { state } = await stateFor('22', 'RelayState');
		const { res } = await w.stable({
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: { RelayState: state, SAMLResponse: 'PHNhbWw+' },
		});
		expect(res.headers['x-execution-id']).toBe('22');
		expect(w.resumed[0].item.json.data).toEqual({ SAMLResponse: 'PHNhbWw+' });
	});

	test.each([
		['of another workflow', { workflowId: 'wf-twin' }],
		['that has finished', { status: 'success' as const }],
	])('a state naming an execution %s: 404 code 1031, only the probe was sent', async (_what, where) => {
		const w = world({ credentials: {} });
		w.fake.wait(23, where);
		const { state } = await stateFor('23');
		const { res } = await w.stable({ method: 'GET', query: { state } });
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: 1031, message: 'No execution is waiting at this node for this state' });
		const sent = w.fake.callsTo('/webhook-waiting/');
		expect(sent).toHaveLength(1);
		expect(sent[0].headers).toHaveProperty('x-external-callback-probe');
		expect(w.resumed).toHaveLength(0);
	});
});

describe('stable URL: guards run once, at the stable URL', () => {
	const params = { authentication: 'apiKey' };
	const credentials = { ...n8nApi(), externalCallbackApiKeyApi: { apiKeys: CALLER_KEY, location: 'header', name: 'x-api-key' } };

	test('a caller without the key: 401, nothing asked of n8n, nothing resumed', async () => {
		const w = world({ params, credentials });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: 'all' }, { paid: true }, { 'x-api-key': 'nope' }));
		expect(res.statusCode).toBe(401);
		expect(code(res.body)).toBe(1002);
		expect(beyondReadiness(w.fake)).toHaveLength(0);
	});

	test('On Fail Policy "ignore": 200 empty, nothing resumed', async () => {
		const w = world({ params: { ...params, onFail: 'ignore' }, credentials });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }));
		expect(res.statusCode).toBe(200);
		expect(res.body).toBe('');
		expect(w.resumed).toHaveLength(0);
	});

	test('an admitted caller: the forward is signed, carries its identity, and passes none of its headers', async () => {
		const w = world({ params, credentials });
		w.fake.wait(7);
		const { res } = await w.stable(post({ execution: '7' }, { paid: true }, { 'x-api-key': CALLER_KEY }));
		expect(res.statusCode).toBe(200);
		const [forward] = w.fake.callsTo('/webhook-waiting/');
		expect(Object.keys(forward.headers as IDataObject).sort()).toEqual(['content-type', 'x-external-callback-forward']);
		expect(w.resumed[0].item.json.user).toEqual({ apiKey: 'key#1' });
	});
});

describe('stable URL on n8n 1.x (no resume tokens)', () => {
	test('the forward is signed with the n8n API key, which the 1.x resume URL accepts instead of a URL secret', async () => {
		const w = world({ version: 1 });
		w.fake.wait(31);
		const { res } = await w.stable(post({ execution: '31' }));
		expect(res.statusCode).toBe(200);
		const [forward] = w.fake.callsTo('/webhook-waiting/');
		expect(forward.headers).toHaveProperty('x-external-callback-forward');
		expect(w.resumed.map((r) => r.execution.id)).toEqual(['31']);
	});

	test('state form: the state carries the URL secret, which the probe and the forward present', async () => {
		const fake = new FakeN8n(1);
		fake.wait(33);
		const { output } = await runExecute({
			node: new GenerateCallbackUrl(),
			executionId: '33',
			resumeUrl: n8nResumeUrl('33', 1),
			params: { urlForm: 'state' },
			childNodes: [WAIT_NODE.name],
			workflowNodes: [{ ...WAIT_NODE, type: WAIT_TYPE, parameters: { stableUrl: true } }],
		});
		const generated = output[0][0].json;
		// the wait node in execution 33 reads the generator's output from the run data
		const resumed = serveWaitNode(fake, node, { params: { stableUrl: true }, credentials: {}, generators: [{ output: generated }] });
		const { res } = await callWebhook({
			node,
			webhookName: 'stable',
			params: { stableUrl: true },
			credentials: {},
			http: fake.http,
			call: { method: 'GET', query: { state: String(generated.state) } },
		});
		expect(res.statusCode).toBe(200);
		expect(resumed.map((r) => r.execution.id)).toEqual(['33']);
		const [probe, forward] = fake.callsTo('/webhook-waiting/');
		expect(new URL(probe.url).searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(new URL(forward.url).searchParams.get('signature')).toBe(new URL(probe.url).searchParams.get('signature'));
	});

	test('a direct call to a 1.x resume URL without the secret is still refused', async () => {
		const w = world({ version: 1 });
		const e = w.fake.wait(32);
		const { res, result } = await callWebhook({
			node,
			params: { stableUrl: true },
			credentials: n8nApi(),
			executionId: '32',
			resumeUrl: n8nResumeUrl('32', 1),
			http: w.fake.http,
			call: post({}),
		});
		expect(result.workflowData).toBeUndefined();
		expect(res.statusCode).toBe(401);
		expect(e.status).toBe('waiting');
	});
});
