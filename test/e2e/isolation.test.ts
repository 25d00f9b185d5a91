import { randomUUID } from 'node:crypto';

import { FORWARD_HEADER, ORIGIN_HEADER, originOf, signForward } from '../../nodes/callback/targeting/forward';
import { decodeState, encodeState } from '../../nodes/callback/urls/state';
import { type HttpResult, http, loadFixture, node, nodeOutput, nodeRuns, postJson, type WorkflowJson, type WorkflowWithStaticData } from './harness/client';
import { FakeServer } from './harness/fakeServer';
import { until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

// Trust boundaries between workflows on one n8n, between wait nodes, and between callers and the
// n8n API credential (docs/security.md names these tests). Two workflows made from one template
// through n8n's public API keep the node ids given, so their wait nodes have the same node id
// (and name); they share one External Callback: N8n API credential, as the README's examples do.

const { api, state, logTail } = shared();
const major = Number(String(state.install.version).split('.')[0]);
const WAIT = 'External Callback Wait';

const withQuery = (url: string, q: Record<string, string>) => `${url}?${new URLSearchParams(q)}`;
const signatureOf = (url: string) => new URL(url).searchParams.get('signature')!;

const scenario = scenarios(api);
const { credential } = scenario;

/** Still waiting at its wait node; nothing after it ran. */
async function expectWaiting(id: string, at = WAIT) {
	const e = await api.execution(id);
	expect({ id, status: e.status, at: e.data?.resultData?.lastNodeExecuted, done: nodeRuns(e, 'Done') }).toEqual({
		id,
		status: 'waiting',
		at,
		done: 0,
	});
}

// The recording hop: the n8n API credential's Webhook Base URL points here, so every call a
// stable URL makes to a resume URL (probe, forward) passes through it to n8n unchanged. This is
// how the test holds a real forward, signed by n8n, to replay.
const hop = new FakeServer(async (req, res) => {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (value === undefined || ['host', 'content-length', 'connection', 'transfer-encoding'].includes(name)) continue;
		headers[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	const r = await fetch(`${api.base}${req.url}`, {
		method: req.method,
		headers,
		body: ['GET', 'HEAD'].includes(req.method) ? undefined : req.body,
		redirect: 'manual',
	});
	const out: Record<string, string> = {};
	r.headers.forEach((value, name) => {
		if (!['content-length', 'transfer-encoding', 'content-encoding', 'connection'].includes(name)) out[name] = value;
	});
	res.writeHead(r.status, out);
	res.end(Buffer.from(await r.arrayBuffer()));
});
const forwardsSeen = () => hop.requests.filter((r) => typeof r.headers[FORWARD_HEADER] === 'string');

/** The one n8n API credential of every workflow here (through the recording hop). */
let n8nApi: { id: string; name: string };
beforeAll(async () => {
	await hop.start();
	n8nApi = await credential('externalCallbackN8nApi', {
		baseUrl: state.instance.baseUrl,
		webhookBaseUrl: hop.url,
		apiKey: state.instance.apiKey,
	});
});
afterAll(() => hop.stop());

interface Started {
	executionId: string;
	callbackUrl: string;
	failUrl?: string;
	/** The state naming this execution: the generated one (state form), or made from the URL's token. */
	state: string;
}
interface Twin {
	workflowId: string;
	stableUrl: string;
	waitNodeId: string;
	start: (orderId: string) => Promise<Started>;
}
interface TwinConfig {
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

/**
 * Twin workflows A and B from one template (wait-basic): the same node ids and names, each with
 * its own trigger path and webhook ids (n8n refuses two published workflows on one webhook path).
 * Both wait nodes serve the stable URL with the same n8n API credential; guards per twin.
 */
async function publishTwins(urlForm: 'path' | 'state', a: TwinConfig, b: TwinConfig): Promise<{ a: Twin; b: Twin }> {
	const template = loadFixture('wait-basic');
	node(template, 'Generate Callback URL').parameters = { urlForm };
	const make = async (config: TwinConfig, label: string): Promise<Twin> => {
		const wf = JSON.parse(JSON.stringify(template)) as WorkflowJson;
		wf.name = `${template.name} twin ${label}`;
		node(wf, 'Start').parameters.path = `e2e-twin-${randomUUID()}`;
		node(wf, 'Start').webhookId = randomUUID();
		const wait = node(wf, WAIT) as WorkflowJson['nodes'][number] & { credentials?: Record<string, unknown> };
		wait.webhookId = randomUUID();
		wait.parameters = { stableUrl: true, ...config.parameters };
		wait.credentials = { externalCallbackN8nApi: n8nApi, ...config.credentials };
		const { id, triggerUrl } = await api.publish(wf);
		// what n8n stored: the node ids of the template, as given
		const stored = await api.api<{ nodes: Array<{ id: string }> }>('GET', `/workflows/${id}`);
		expect(stored.nodes.map((n: { id: string }) => n.id).sort()).toEqual(template.nodes.map((n) => n.id).sort());
		const stableUrl = `${api.base}/webhook/${wait.webhookId}/callback`;
		await scenario.waitForStableUrl(stableUrl, `stable URL of twin ${label}`);
		return {
			workflowId: id,
			stableUrl,
			waitNodeId: wait.id,
			start: async (orderId) => {
				const r = await scenario.startExecution(triggerUrl, { orderId });
				const url = r.callbackUrl as string;
				const givenState = new URL(url).searchParams.get('state');
				return {
					executionId: String(r.executionId),
					callbackUrl: url,
					failUrl: typeof r.failUrl === 'string' ? r.failUrl : undefined,
					state: givenState ?? encodeState(String(r.executionId), signatureOf(url)),
				};
			},
		};
	};
	const twins = { a: await make(a, 'A'), b: await make(b, 'B') };
	expect(twins.a.waitNodeId).toBe(twins.b.waitNodeId);
	expect(twins.a.workflowId).not.toBe(twins.b.workflowId);
	return twins;
}

async function apiKeyCredential(key: string) {
	return { externalCallbackApiKeyApi: await credential('externalCallbackApiKeyApi', { apiKeys: key, location: 'header', name: 'x-api-key' }) };
}

test("twin workflows with guards (same node ids, one n8n API credential): B's stable URL with A's state, A's id, any or all resumes none of A's executions; A's own URL with A's key does", async () => {
	const KA = `key-A-${randomUUID()}`;
	const KB = `key-B-${randomUUID()}`;
	const { a, b } = await publishTwins(
		'state',
		// A fails the wait on a refused call: a refusal that is not its guards' must still resume nothing
		{ parameters: { authentication: 'apiKey', refusedCalls: 'fail' }, credentials: await apiKeyCredential(KA) },
		{ parameters: { authentication: 'apiKey' }, credentials: await apiKeyCredential(KB) },
	);
	const a1 = await a.start('A-1'); // older than every execution of B
	const b1 = await b.start('B-1');
	expect(a1.callbackUrl).toBe(`${a.stableUrl}?state=${encodeURIComponent(a1.state)}`);
	const asB = { 'x-api-key': KB };
	const refusals: HttpResult[] = [];

	// the attack of issue 15: A's state at B's stable URL with B's key (GET and a POSTed form)
	refusals.push(await http('GET', withQuery(b.stableUrl, { state: a1.state, code: 'stolen' }), { headers: asB }));
	refusals.push(
		await http('POST', b.stableUrl, {
			headers: { ...asB, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ state: a1.state, code: 'stolen' }).toString(),
		}),
	);
	for (const r of refusals) {
		expect({ status: r.status, body: r.json }).toEqual({ status: 404, body: { code: 1031, message: 'No execution is waiting at this node for this state' } });
	}
	await expectWaiting(a1.executionId);
	// A's id on B's stable URL
	const byId = await http('GET', withQuery(b.stableUrl, { execution: a1.executionId }), { headers: asB });
	expect({ status: byId.status, body: byId.json }).toEqual({ status: 404, body: { code: 1031, message: `Execution ${a1.executionId} is not waiting at this node` } });
	await expectWaiting(a1.executionId);
	// A's own stable URL with A's state and B's key: A's guards refuse B's caller
	const wrongKey = await http('GET', withQuery(a.stableUrl, { state: a1.state }), { headers: asB });
	expect({ status: wrongKey.status, code: wrongKey.json?.code }).toEqual({ status: 401, code: 1002 });
	await expectWaiting(a1.executionId);

	if (major >= 2) {
		// any on B: B's own execution, although A's is older and waits at a node of the same id and name
		const viaAny = await http('GET', withQuery(b.stableUrl, { execution: 'any', note: 'any' }), { headers: asB });
		expect(viaAny.status).toBe(200);
		expect(viaAny.headers.get('x-execution-id')).toBe(b1.executionId);
		const again = await http('GET', withQuery(b.stableUrl, { execution: 'any' }), { headers: asB });
		expect({ status: again.status, body: again.json }).toEqual({ status: 404, body: { code: 1031, message: 'No execution waiting at this node accepted the call' } });
		const b2 = await b.start('B-2');
		const viaAll = await http('GET', withQuery(b.stableUrl, { execution: 'all', note: 'all' }), { headers: asB });
		expect({ status: viaAll.status, text: viaAll.text }).toEqual({ status: 200, text: b2.executionId });
		const none = await http('GET', withQuery(b.stableUrl, { execution: 'all' }), { headers: asB });
		expect(none.status).toBe(404);
		// any reads the correlation index (rows of B's workflow and node only), not the list search,
		// whose hint in the node's static data is therefore never written
		const wfB = await api.api<WorkflowWithStaticData>('GET', `/workflows/${b.workflowId}`);
		expect(wfB.staticData?.[`node:${WAIT}`]?.oldestWaitingId).toBeUndefined();
		await api.waitForStatus(b2.executionId, ['success']);
	} else {
		// n8n 1.x lists no execution that went to wait since its start (README): B's own state instead
		expect((await http('GET', withQuery(b.stableUrl, { state: b1.state, note: 'any' }), { headers: asB })).status).toBe(200);
	}
	const doneB = nodeOutput(await api.waitForStatus(b1.executionId, ['success']), 'Done')![0];
	expect(doneB).toMatchObject({ data: { note: 'any' }, user: { apiKey: 'key#1' } });
	await expectWaiting(a1.executionId);
	// no forward ever went to A's execution
	expect(forwardsSeen().some((r) => r.url.includes(`/webhook-waiting/${a1.executionId}/`))).toBe(false);

	// A's own URL with A's key resumes A
	const own = await http('GET', withQuery(a.stableUrl, { state: a1.state, code: 'mine' }), { headers: { 'x-api-key': KA } });
	expect(own.status).toBe(200);
	expect(own.headers.get('x-execution-id')).toBe(a1.executionId);
	const doneA = nodeOutput(await api.waitForStatus(a1.executionId, ['success']), 'Done')![0];
	expect(doneA).toMatchObject({ data: { code: 'mine' }, user: { apiKey: 'key#1' }, failed: false });
	for (const r of [...refusals, byId, wrongKey, own]) {
		for (const secret of [KA, KB, state.instance.apiKey, decodeState(a1.state)!.resumeToken]) expect(r.text).not.toContain(secret);
	}
	expect(logTail(3000)).not.toContain(KA);
	expect(logTail(3000)).not.toContain(KB);
});

test("twin workflows without guards: A's state or id on B's stable URL → 404 and A waits (any/all on B never reach A); B's origin at A's resume URL → 403 1034; A's own URL resumes it", async () => {
	const { a, b } = await publishTwins('path', {}, {});
	const a1 = await a.start('A-1');
	// a holder of A's path URL can make a state from its token; B's stable URL must not take it
	const stolen = await http('GET', withQuery(b.stableUrl, { state: a1.state, note: 'stolen' }));
	expect({ status: stolen.status, body: stolen.json }).toEqual({ status: 404, body: { code: 1031, message: 'No execution is waiting at this node for this state' } });
	await expectWaiting(a1.executionId);
	const byId = await postJson(withQuery(b.stableUrl, { execution: a1.executionId }), { note: 'stolen' });
	expect({ status: byId.status, body: byId.json }).toEqual({ status: 404, body: { code: 1031, message: `Execution ${a1.executionId} is not waiting at this node` } });
	if (major >= 2) {
		for (const target of ['any', 'all']) {
			const r = await postJson(withQuery(b.stableUrl, { execution: target }), { note: 'stolen' });
			expect({ target, status: r.status, body: r.json }).toEqual({
				target,
				status: 404,
				body: { code: 1031, message: 'No execution waiting at this node accepted the call' },
			});
		}
	}
	await expectWaiting(a1.executionId);
	expect(hop.requests.some((r) => r.url.includes(`/webhook-waiting/${a1.executionId}/`) && !r.headers['x-external-callback-probe'])).toBe(false);

	// an unsigned forward says where it comes from; at A's resume URL, B's origin is refused
	const foreignOrigin = await postJson(a1.callbackUrl, { note: 'stolen' }, { [ORIGIN_HEADER]: originOf(b.workflowId, b.waitNodeId) });
	expect({ status: foreignOrigin.status, body: foreignOrigin.json }).toEqual({
		status: 403,
		body: { code: 1034, message: 'This call was forwarded for another workflow or wait node; it resumes nothing here' },
	});
	await expectWaiting(a1.executionId);

	// A's own stable URL with the state resumes it (an unsigned forward on 2.x, proven by the token)
	const own = await http('GET', withQuery(a.stableUrl, { state: a1.state, note: 'mine' }));
	expect(own.status).toBe(200);
	expect(own.headers.get('x-execution-id')).toBe(a1.executionId);
	const done = nodeOutput(await api.waitForStatus(a1.executionId, ['success']), 'Done')![0];
	expect(done.data).toEqual({ note: 'mine' });
	expect(Object.keys(done.headers).filter((h) => h.startsWith('x-external-callback-'))).toEqual([]);
	// and A's own path URL resumes the next one
	const a2 = await a.start('A-2');
	expect((await postJson(a2.callbackUrl, { note: 'direct' })).status).toBe(200);
	expect(nodeOutput(await api.waitForStatus(a2.executionId, ['success']), 'Done')![0].data).toEqual({ note: 'direct' });
});

test("a forward signed by n8n for one workflow's execution, replayed at its twin's execution (same n8n API key, same node id) → 403 1034, nothing resumed", async () => {
	const K = `key-shared-${randomUUID()}`;
	// the twins even share the guard credential: the forward still belongs to one workflow
	const keys = await apiKeyCredential(K);
	const { a, b } = await publishTwins('path', { parameters: { authentication: 'apiKey' }, credentials: keys }, { parameters: { authentication: 'apiKey' }, credentials: keys });
	const a1 = await a.start('A-1');
	const b1 = await b.start('B-1');
	const before = forwardsSeen().length;
	const r = await http('GET', withQuery(b.stableUrl, { execution: b1.executionId, note: 'for B' }), { headers: { 'x-api-key': K } });
	expect(r.status).toBe(200);
	await api.waitForStatus(b1.executionId, ['success']);
	const seen = forwardsSeen().slice(before);
	expect(seen).toHaveLength(1);
	const forward = String(seen[0].headers[FORWARD_HEADER]);
	expect(seen[0].url).toContain(`/webhook-waiting/${b1.executionId}/${b.waitNodeId}`);

	// replayed at A's execution, with A's own URL (its token; on 1.x its URL secret)
	const replayed = await postJson(a1.callbackUrl, { note: 'replayed' }, { [FORWARD_HEADER]: forward });
	expect({ status: replayed.status, body: replayed.json }).toEqual({
		status: 403,
		body: { code: 1034, message: 'This call was forwarded for another workflow or wait node; it resumes nothing here' },
	});
	// what B's stable URL signed for A's state before this fix: A's execution id, B's workflow, the shared node id
	const madeByB = signForward(state.instance.apiKey, { executionId: a1.executionId, workflowId: b.workflowId, nodeId: b.waitNodeId }, { user: { apiKey: 'key#1' }, roles: [] });
	const forged = await postJson(a1.callbackUrl, { note: 'forged' }, { [FORWARD_HEADER]: madeByB });
	expect(forged.status).toBe(403);
	expect(forged.json.code).toBe(1034);
	await expectWaiting(a1.executionId);
	// A's own caller: A's guards
	expect((await postJson(a1.callbackUrl, { note: 'no key' })).status).toBe(401);
	expect((await postJson(a1.callbackUrl, { note: 'mine' }, { 'x-api-key': K })).status).toBe(200);
	expect(nodeOutput(await api.waitForStatus(a1.executionId, ['success']), 'Done')![0].data).toEqual({ note: 'mine' });
	for (const reply of [replayed, forged]) expect(reply.text).not.toContain(state.instance.apiKey);
});

test("two wait nodes, one n8n API credential: First Wait's forward replayed at Second Wait or its fail URL → 1034, a bad forward → 1035, neither resumes (even with Fail the Wait); a state at the stable URL of the node the execution does not wait at → 404; First Wait's URL edited to Second Wait → refused by Second Wait's guards (2.x) or its secret (1.x)", async () => {
	const K1 = `key-first-${randomUUID()}`;
	const K2 = `key-second-${randomUUID()}`;
	const wf = loadFixture('two-waits');
	const first = node(wf, 'First Wait') as WorkflowJson['nodes'][number] & { credentials?: Record<string, unknown> };
	const second = node(wf, 'Second Wait') as WorkflowJson['nodes'][number] & { credentials?: Record<string, unknown> };
	first.parameters = { stableUrl: true, authentication: 'apiKey' };
	first.credentials = { externalCallbackN8nApi: n8nApi, ...(await apiKeyCredential(K1)) };
	second.parameters = { stableUrl: true, authentication: 'apiKey', refusedCalls: 'fail' };
	second.credentials = { externalCallbackN8nApi: n8nApi, ...(await apiKeyCredential(K2)) };
	const { triggerUrl } = await api.publish(wf);
	const firstStable = `${api.base}/webhook/${first.webhookId}/callback`;
	const secondStable = `${api.base}/webhook/${second.webhookId}/callback`;
	await until('stable URLs', async () => ((await http('GET', secondStable)).status === 400 ? true : undefined));
	const started = await postJson(triggerUrl, {});
	const E = String(started.json.executionId);
	const secondUrl = started.json.second as string;
	await api.waitForStatus(E, ['waiting']);

	// First Wait's caller (K1) resumes First Wait through its stable URL: the forward is recorded
	const before = forwardsSeen().length;
	expect((await http('GET', withQuery(firstStable, { execution: E, step: '1' }), { headers: { 'x-api-key': K1 } })).status).toBe(200);
	const forward = String(forwardsSeen().slice(before).find((r) => r.url.includes(`/webhook-waiting/${E}/${first.id}`))!.headers[FORWARD_HEADER]);
	await until('the execution to wait at Second Wait', async () => {
		const e = await api.execution(E);
		return e.status === 'waiting' && e.data.resultData.lastNodeExecuted === 'Second Wait' ? true : undefined;
	});

	// replayed within its 60 s at Second Wait's own URL (the right token or 1.x secret) and at its fail URL
	const failUrl = secondUrl.replace(`/${second.id}?`, `/${second.id}-fail?`);
	for (const url of [secondUrl, failUrl]) {
		const r = await postJson(url, { step: 'replayed' }, { [FORWARD_HEADER]: forward });
		expect({ url: url === failUrl ? 'fail' : 'resume', status: r.status, body: r.json }).toEqual({
			url: url === failUrl ? 'fail' : 'resume',
			status: 403,
			body: { code: 1034, message: 'This call was forwarded for another workflow or wait node; it resumes nothing here' },
		});
		await expectWaiting(E, 'Second Wait');
	}
	// a forward that does not verify (garbage, or signed with another key): 401 1035, and Fail the Wait does not apply
	for (const bad of ['garbage', signForward('another key', { executionId: E, workflowId: 'x', nodeId: second.id }, undefined)]) {
		const r = await postJson(secondUrl, { step: 'bad' }, { [FORWARD_HEADER]: bad });
		expect({ status: r.status, body: r.json }).toEqual({ status: 401, body: { code: 1035, message: 'The signature of this forwarded call is invalid or expired' } });
		await expectWaiting(E, 'Second Wait');
	}
	// a state for this execution on First Wait's stable URL: it waits at Second Wait, not there
	const elsewhere = await http('GET', withQuery(firstStable, { state: encodeState(E, signatureOf(secondUrl)) }), { headers: { 'x-api-key': K1 } });
	expect({ status: elsewhere.status, body: elsewhere.json }).toEqual({ status: 404, body: { code: 1031, message: 'No execution is waiting at this node for this state' } });
	await expectWaiting(E, 'Second Wait');

	// Second Wait's own caller resumes it: its guards (First Wait's key is refused), its identity
	expect((await http('GET', withQuery(secondStable, { execution: E }), { headers: { 'x-api-key': K1 } })).status).toBe(401);
	await expectWaiting(E, 'Second Wait');
	expect((await http('GET', withQuery(secondStable, { execution: E, step: '2' }), { headers: { 'x-api-key': K2 } })).status).toBe(200);
	const done = await api.waitForStatus(E, ['success']);
	expect(nodeOutput(done, 'Done')![0]).toMatchObject({ data: { step: '2' }, failed: false, user: { apiKey: 'key#1' } });
	expect(nodeRuns(done, 'Second Wait')).toBe(1);

	// First Wait's URL with Second Wait's node id in its path, and First Wait's key, once the
	// execution waits at Second Wait. n8n 2.x: its resume token is per execution, so the call
	// reaches Second Wait, whose guards refuse First Wait's caller (and, Refused Calls being Fail the
	// Wait, end the wait as failed: the guards of the node called are the boundary between them).
	// n8n 1.x: the URL secret is per generator and wait node: Second Wait refuses the URL itself.
	const next = (await postJson(triggerUrl, {})).json;
	const E2 = String(next.executionId);
	await api.waitForStatus(E2, ['waiting']);
	expect((await postJson(next.first as string, { step: 1 }, { 'x-api-key': K1 })).status).toBe(200);
	await until('the second execution to wait at Second Wait', async () => {
		const e = await api.execution(E2);
		return e.status === 'waiting' && e.data.resultData.lastNodeExecuted === 'Second Wait' ? true : undefined;
	});
	const edited = (next.first as string).replace(`/${first.id}?`, `/${second.id}?`);
	expect(edited).not.toBe(next.first);
	const crossNode = await postJson(edited, { step: 'edited' }, { 'x-api-key': K1 });
	if (major >= 2) {
		expect({ status: crossNode.status, code: crossNode.json?.code }).toEqual({ status: 401, code: 1002 });
		const failed = nodeOutput(await api.waitForStatus(E2, ['success']), 'Done')![0];
		expect(failed).toMatchObject({ failed: true, reason: 'Authentication failed: invalid API key', user: null });
	} else {
		expect({ status: crossNode.status, body: crossNode.json }).toEqual({ status: 401, body: { error: 'Invalid token' } });
		await expectWaiting(E2, 'Second Wait');
		expect((await postJson(next.second as string, { step: 2 }, { 'x-api-key': K2 })).status).toBe(200);
		await api.waitForStatus(E2, ['success']);
	}
}, 180_000);
