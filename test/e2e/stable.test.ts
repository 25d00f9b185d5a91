import { randomUUID } from 'node:crypto';

import { http, loadFixture, node, nodeOutput, nodeRuns, postJson, type WorkflowJson, type WorkflowWithStaticData } from './harness/client';
import { freePort, sleep, until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api, state } = shared();
const major = Number(String(state.install.version).split('.')[0]);
// `any` and `all` find executions through the public API's execution list. n8n 1.123's list
// leaves out every execution the answering n8n process still holds in memory, and it holds the
// ones that went to wait since it started (observed: `GET /api/v1/executions?status=waiting`
// returns [] while two wait), so on 1.x `any`/`all` see only executions from before the last
// restart (README, "Supported n8n versions"). `?execution=<id>` and states work on both lines.
const listLine = major >= 2 ? test : test.skip;

const scenario = scenarios(api);
const n8nApiCredential = (apiKey = state.instance.apiKey) => scenario.credential('externalCallbackN8nApi', { baseUrl: state.instance.baseUrl, apiKey });

interface Published {
	workflowId: string;
	stableUrl: string;
	start: (orderId?: string) => Promise<{ executionId: string; callbackUrl: string }>;
}

/** wait-basic with the stable URL on; returns its stable URL (live) and a starter. */
async function publishStable(params: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}): Promise<Published> {
	const p = await scenario.publishWait({ wait: { stableUrl: true, ...params }, waitCredentials: { externalCallbackN8nApi: await n8nApiCredential(), ...credentials } });
	return { workflowId: p.workflowId, stableUrl: p.stableUrl, start: (orderId = 'o-1') => p.start(orderId) };
}

const withQuery = (url: string, q: Record<string, string>) => `${url}?${new URLSearchParams(q)}`;
const doneData = async (id: string) => nodeOutput(await api.waitForStatus(id, ['success']), 'Done')![0];
const statusOf = async (id: string) => (await api.execution(id, false)).status;

// An execution that finishes without this node resuming it (it times out); checked last.
let timedOut: { executionId: string; stableUrl: string };
beforeAll(async () => {
	const p = await publishStable({ limitWaitTime: true, resumeAmount: 1, resumeUnit: 'seconds' });
	timedOut = { executionId: (await p.start('late')).executionId, stableUrl: p.stableUrl };
});

describe('the stable URL switched off', () => {
	test('answers what n8n answers for a webhook that is not registered (404), on GET and POST, and resumes nothing', async () => {
		const p = await scenario.publishWait({ wait: { stableUrl: false }, waitCredentials: { externalCallbackN8nApi: await n8nApiCredential() } });
		const s = await p.start('off');
		await api.waitForStatus(s.executionId, ['waiting']);
		const path = new URL(p.stableUrl).pathname.replace(/^\/webhook\//, '');
		for (const method of ['GET', 'POST'] as const) {
			const r = await http(method, withQuery(p.stableUrl, { execution: s.executionId }), method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{"paid":true}' } : undefined);
			expect(r.status).toBe(404);
			expect(JSON.parse(r.text)).toMatchObject({ code: 404, message: `The requested webhook "${method} ${path}" is not registered.` });
		}
		expect(await statusOf(s.executionId)).toBe('waiting');
		// its own resume URL still works
		expect((await postJson(s.callbackUrl, { ok: true })).status).toBe(200);
		expect((await doneData(s.executionId)).data).toEqual({ ok: true });
	});
});

describe('targeting on the stable URL', () => {
	let p: Published;
	beforeAll(async () => {
		p = await publishStable();
	});

	test('?execution=<id> resumes exactly that execution; GET data is the query without execution', async () => {
		const a = await p.start('A');
		const b = await p.start('B');
		const r = await http('GET', withQuery(p.stableUrl, { execution: b.executionId, status: 'paid' }));
		expect(r.status).toBe(200);
		expect(r.text).toBe('');
		expect(r.headers.get('x-execution-id')).toBe(String(b.executionId));
		const out = await doneData(b.executionId);
		expect(out.data).toEqual({ status: 'paid' });
		expect(out.query).toEqual({ status: 'paid' });
		expect(out.timedOut).toBe(false);
		expect(await statusOf(a.executionId)).toBe('waiting');
		// clean up A
		expect((await http('GET', withQuery(p.stableUrl, { execution: a.executionId }))).status).toBe(200);
	});

	test('executionId is a synonym; POST data is the body, other query parameters ignored for data', async () => {
		const s = await p.start();
		const r = await postJson(withQuery(p.stableUrl, { executionId: s.executionId, src: 'gw' }), { paid: true });
		expect(r.status).toBe(200);
		const out = await doneData(s.executionId);
		expect(out.data).toEqual({ paid: true });
		expect(out.query).toEqual({ src: 'gw' });
	});

	test('a repeated call for an execution this node resumed → 200 with X-Callback-Repeated, nothing resumed twice', async () => {
		const s = await p.start();
		expect((await http('GET', withQuery(p.stableUrl, { execution: s.executionId }))).status).toBe(200);
		await api.waitForStatus(s.executionId, ['success']);
		const again = await http('GET', withQuery(p.stableUrl, { execution: s.executionId }));
		expect(again.status).toBe(200);
		expect(again.headers.get('x-callback-repeated')).toBe('true');
		expect(nodeRuns(await api.execution(s.executionId), 'Done')).toBe(1);
	});

	test('errors: unknown id → 404, bad or duplicate parameter → 400, none waiting for any/all → 404', async () => {
		const unknown = await http('GET', withQuery(p.stableUrl, { execution: '99999999' }));
		expect(unknown.status).toBe(404);
		expect(unknown.json).toEqual({ code: 1031, message: 'Execution 99999999 is not waiting at this node' });
		const missing = await http('GET', p.stableUrl);
		expect(missing.status).toBe(400);
		expect(missing.json.code).toBe(1030);
		const dup = await http('GET', `${p.stableUrl}?execution=any&execution=all`);
		expect(dup.status).toBe(400);
		expect(dup.json).toEqual({ code: 1030, message: 'Give the execution parameter once (execution or executionId)' });
		const both = await http('GET', `${p.stableUrl}?execution=any&executionId=all`);
		expect(both.status).toBe(400);
		const bad = await http('GET', `${p.stableUrl}?execution=../../x`);
		expect(bad.status).toBe(400);
		// multipart cannot be passed on to a resume URL: refused, nothing resumed
		const waiting = await p.start('M');
		const form = new FormData();
		form.set('note', 'x');
		const multipart = await http('POST', `${p.stableUrl}?execution=${waiting.executionId}`, { body: form });
		expect(multipart.status).toBe(415);
		expect(multipart.json.code).toBe(1011);
		expect(await statusOf(waiting.executionId)).toBe('waiting');
		expect((await http('GET', withQuery(p.stableUrl, { execution: waiting.executionId }))).status).toBe(200);
		for (const target of ['any', 'all']) {
			const none = await http('GET', withQuery(p.stableUrl, { execution: target }));
			expect(none.status).toBe(404);
			expect(none.json).toEqual({ code: 1031, message: 'No execution waiting at this node accepted the call' });
		}
	});
});

listLine('any: oldest first, skipping executions whose condition is false', async () => {
	const p = await publishStable({ condition: '={{ !$callback.data.orderId || $callback.data.orderId === $json.body.orderId }}' });
	const e1 = await p.start('O-1');
	const e2 = await p.start('O-2');
	const e3 = await p.start('O-3');
	// correlation: the order in the body picks O-2, although O-1 is older
	const r = await postJson(withQuery(p.stableUrl, { execution: 'any' }), { orderId: 'O-2', paid: true });
	expect(r.status).toBe(200);
	expect(r.headers.get('x-execution-id')).toBe(String(e2.executionId));
	expect((await doneData(e2.executionId)).data).toEqual({ orderId: 'O-2', paid: true });
	// a call that matches every waiting execution takes the oldest
	const next = await postJson(withQuery(p.stableUrl, { execution: 'any' }), { note: 'next' });
	expect(next.headers.get('x-execution-id')).toBe(String(e1.executionId));
	expect(await statusOf(e3.executionId)).toBe('waiting');
	// no waiting execution matches
	const nomatch = await postJson(withQuery(p.stableUrl, { execution: 'any' }), { orderId: 'O-9' });
	expect(nomatch.status).toBe(404);
	expect(await statusOf(e3.executionId)).toBe('waiting');
	// n8n 2.x: any reads the correlation index (an n8n data table, test/e2e/correlation.test.ts),
	// not the execution list, so the list search's hint in the node's static data is never written
	const wf = await api.api<WorkflowWithStaticData>('GET', `/workflows/${p.workflowId}`);
	expect(wf.staticData?.['node:External Callback Wait']?.oldestWaitingId).toBeUndefined();
});

listLine('all: resumes every waiting execution whose condition holds; the reply lists exactly the resumed ids', async () => {
	const p = await publishStable({ condition: '={{ $json.body.orderId !== "skip" }}' });
	const ids = [];
	for (const order of ['a', 'b', 'skip', 'c']) ids.push((await p.start(order)).executionId);
	const r = await postJson(withQuery(p.stableUrl, { execution: 'all' }), { broadcast: 'shutdown' });
	expect(r.status).toBe(200);
	expect(r.headers.get('content-type')).toContain('text/plain');
	const expected = [ids[0], ids[1], ids[3]].map(String);
	expect(r.text.split(',')).toEqual(expected);
	for (const id of expected) expect((await doneData(id)).data).toEqual({ broadcast: 'shutdown' });
	expect(await statusOf(ids[2])).toBe('waiting');
});

// n8n 2.x: with no authentication on the node the forward needs no signature (n8n's resume token
// proves it), so the resume URL reads no credential and the caller's headers go on as they came.
(major >= 2 ? test : test.skip)("no authentication on the node: the forward passes the caller's headers on (the condition sees them); a false condition reads as ignored whatever its response code", async () => {
	const p = await publishStable({ condition: '={{ $callback.headers["x-order"] === $json.body.orderId }}', ignoredResponseCode: 409 });
	const a = await p.start('A');
	const wrong = await http('GET', withQuery(p.stableUrl, { execution: a.executionId }), { headers: { 'x-order': 'B' } });
	expect(wrong.status).toBe(404);
	expect(wrong.json).toEqual({ code: 1031, message: `Execution ${a.executionId} did not accept this call (its condition is false)` });
	expect(await statusOf(a.executionId)).toBe('waiting');
	const right = await http('GET', withQuery(p.stableUrl, { execution: a.executionId }), { headers: { 'x-order': 'A' } });
	expect(right.status).toBe(200);
	const out = await doneData(a.executionId);
	expect(out.headers['x-order']).toBe('A');
	expect(JSON.stringify(out.headers)).not.toContain('x-external-callback-forward');
});

test('two wait nodes: all on one resumes none of the other', async () => {
	const wf = loadFixture('two-waits');
	const cred = await n8nApiCredential();
	for (const name of ['First Wait', 'Second Wait']) {
		const n = node(wf, name);
		n.parameters = { stableUrl: true };
		n.credentials = { externalCallbackN8nApi: cred };
	}
	const { triggerUrl } = await api.publish(wf);
	const firstUrl = `${api.base}/webhook/${node(wf, 'First Wait').webhookId}/callback`;
	const secondUrl = `${api.base}/webhook/${node(wf, 'Second Wait').webhookId}/callback`;
	await until('stable URLs', async () => ((await http('GET', secondUrl)).status === 400 ? true : undefined));
	const atFirst = (await postJson(triggerUrl, {})).json;
	await api.waitForStatus(atFirst.executionId, ['waiting']);
	const atSecond = (await postJson(triggerUrl, {})).json;
	await api.waitForStatus(atSecond.executionId, ['waiting']);
	await postJson(atSecond.first, { step: 1 });
	await until('the second execution to wait at Second Wait', async () => {
		const e = await api.execution(atSecond.executionId);
		return e.status === 'waiting' && e.data.resultData.lastNodeExecuted === 'Second Wait' ? true : undefined;
	});

	// `all` on 2.x; by id on 1.x, whose `all` cannot list these (see listLine)
	const r = await http('GET', withQuery(secondUrl, { execution: major >= 2 ? 'all' : String(atSecond.executionId) }));
	expect(major >= 2 ? r.text : r.headers.get('x-execution-id')).toBe(String(atSecond.executionId));
	await api.waitForStatus(atSecond.executionId, ['success']);
	const first = await api.execution(atFirst.executionId);
	expect(first.status).toBe('waiting');
	expect(first.data.resultData.lastNodeExecuted).toBe('First Wait');
	// the id of an execution waiting at another node → 404 on this node's URL
	const elsewhere = await http('GET', withQuery(secondUrl, { execution: atFirst.executionId }));
	expect(elsewhere.status).toBe(404);
	expect((await http('GET', withQuery(firstUrl, { execution: atFirst.executionId }))).status).toBe(200);
});

// n8n 2.x only: `any` and `all` (see listLine).
listLine("a single activation answers with the node's Respond option when it is a custom reply or a redirect (OAuth landing page); all stays a list", async () => {
	const custom = await publishStable({ respond: 'custom', responseCode: 201, responseBody: '<p>Signed in. You can close this window.</p>', responseHeaders: { entries: [{ name: 'content-type', value: 'text/html; charset=utf-8' }] } });
	const a = await custom.start('C-1');
	const r = await http('GET', withQuery(custom.stableUrl, { execution: a.executionId, code: 'abc' }));
	expect(r.status).toBe(201);
	expect(r.headers.get('content-type')).toContain('text/html');
	expect(r.text).toBe('<p>Signed in. You can close this window.</p>');
	expect(r.headers.get('x-execution-id')).toBe(String(a.executionId));
	expect((await doneData(a.executionId)).data).toEqual({ code: 'abc' });
	// a repeat gets the same page, marked as a repeat, and resumes nothing
	const again = await http('GET', withQuery(custom.stableUrl, { execution: a.executionId, code: 'abc' }));
	expect(again.status).toBe(201);
	expect(again.headers.get('x-callback-repeated')).toBe('true');
	expect(nodeRuns(await api.execution(a.executionId), 'Done')).toBe(1);

	const redirect = await publishStable({ respond: 'redirect', redirectUrl: 'https://app.example.test/signed-in', redirectStatus: 303 });
	const b = await redirect.start('R-1');
	const c = await redirect.start('R-2');
	const viaAny = await http('GET', withQuery(redirect.stableUrl, { execution: 'any', code: 'xyz' }));
	expect(viaAny.status).toBe(303);
	expect(viaAny.headers.get('location')).toBe('https://app.example.test/signed-in');
	expect(viaAny.headers.get('x-execution-id')).toBe(String(b.executionId)); // oldest first
	expect((await doneData(b.executionId)).data).toEqual({ code: 'xyz' });
	expect(await statusOf(c.executionId)).toBe('waiting');
	const viaAll = await http('GET', withQuery(redirect.stableUrl, { execution: 'all' }));
	expect(viaAll.status).toBe(200);
	expect(viaAll.text).toBe(String(c.executionId));

	// a broken redirect is the workflow's mistake: 500 JSON, and nothing is resumed
	const broken = await publishStable({ respond: 'redirect', redirectUrl: 'not a url' });
	const d = await broken.start('B-1');
	const bad = await http('GET', withQuery(broken.stableUrl, { execution: d.executionId }));
	expect(bad.status).toBe(500);
	expect(bad.json).toMatchObject({ code: 1099 });
	expect(await statusOf(d.executionId)).toBe('waiting');
});

// n8n 2.x only: `any` (see listLine), and on n8n 1.123 concurrent resumes of one execution are
// not exclusive either (README "n8n 1.x does not resume at most once").
listLine('race: 20 concurrent any over 10 waiting → exactly 10 distinct resumes and 10 clean 404 JSON replies', async () => {
	const p = await publishStable();
	const ids: string[] = [];
	for (let i = 0; i < 10; i++) ids.push(String((await p.start(`R-${i}`)).executionId));
	// all 20 at once: above the per-process bound (12 stable-URL calls) a call gets 503 + Retry-After
	// (code 1039, before any work) and retries, as a sender honouring Retry-After does
	const replies = await Promise.all(
		Array.from({ length: 20 }, async (_, i) => {
			for (let attempt = 0; ; attempt++) {
				const r = await postJson(withQuery(p.stableUrl, { execution: 'any' }), { caller: i });
				if (r.status !== 503 || attempt >= 20) return r;
				expect(r.json).toMatchObject({ code: 1039 });
				await sleep(1000 * Number(r.headers.get('retry-after')));
			}
		}),
	);
	const ok = replies.filter((r) => r.status === 200);
	const notFound = replies.filter((r) => r.status === 404);
	expect(ok).toHaveLength(10);
	expect(notFound).toHaveLength(10);
	for (const r of notFound) expect(r.json).toEqual({ code: 1031, message: 'No execution waiting at this node accepted the call' });
	const resumed = ok.map((r) => r.headers.get('x-execution-id'));
	expect(new Set(resumed).size).toBe(10);
	expect([...resumed].sort()).toEqual([...ids].sort());
	const callers = new Set<number>();
	for (const id of ids) {
		const e = await api.waitForStatus(id, ['success']);
		expect(nodeRuns(e, 'External Callback Wait')).toBe(1);
		expect(nodeRuns(e, 'Done')).toBe(1);
		callers.add(nodeOutput<{ data: { caller: number } }>(e, 'Done')![0].data.caller);
	}
	expect(callers.size).toBe(10);
}, 180_000);

test('guards run once before discovery: a refused caller finds nothing and resumes nothing', async () => {
	const key = await api.api('POST', '/credentials', {
		name: `stable key ${randomUUID().slice(0, 6)}`,
		type: 'externalCallbackApiKeyApi',
		data: { apiKeys: 'stable-key', location: 'header', name: 'x-api-key' },
	});
	const p = await publishStable({ authentication: 'apiKey' }, { externalCallbackApiKeyApi: { id: key.id, name: key.name } });
	const s = await p.start();
	// `any` on 2.x; by id on 1.x, whose `any` cannot list it (see listLine)
	const target = major >= 2 ? 'any' : String(s.executionId);
	const refused = await http('GET', withQuery(p.stableUrl, { execution: target }), { headers: { 'x-api-key': 'nope' } });
	expect(refused.status).toBe(401);
	expect(await statusOf(s.executionId)).toBe('waiting');
	const ok = await http('GET', withQuery(p.stableUrl, { execution: target }), { headers: { 'x-api-key': 'stable-key' } });
	expect(ok.status).toBe(200);
	const out = await doneData(s.executionId);
	expect(out.user).toEqual({ apiKey: 'key#1' });
	expect(JSON.stringify(out)).not.toContain('stable-key');
	expect(JSON.stringify(out.headers)).not.toContain('x-external-callback-forward');
});

test('a wrong n8n API key → 503 JSON on the stable URL, nothing resumed', async () => {
	const wf: WorkflowJson = loadFixture('wait-basic');
	const wait = node(wf, 'External Callback Wait');
	wait.parameters = { stableUrl: true };
	wait.credentials = { externalCallbackN8nApi: await n8nApiCredential('n8n_api_wrong_key') };
	const { triggerUrl } = await api.publish(wf);
	const stableUrl = `${api.base}/webhook/${wait.webhookId}/callback`;
	await until('stable URL', async () => ((await http('GET', stableUrl)).status === 400 ? true : undefined));
	const s = (await postJson(triggerUrl, {})).json;
	await api.waitForStatus(s.executionId, ['waiting']);
	const r = await http('GET', withQuery(stableUrl, { execution: 'any' }));
	expect(r.status).toBe(503);
	expect(r.json).toEqual({
		code: 1051,
		message: "The n8n API cannot be used to find executions (the API key was refused); check the node's n8n API credential",
	});
	expect(r.text).not.toContain('n8n_api_wrong_key');
	expect(await statusOf(s.executionId)).toBe('waiting');
});

test('repeated calls can answer 409 instead; a finished (timed-out) execution → 409', async () => {
	const p = await publishStable({ repeatedStatus: 409 });
	const s = await p.start();
	await http('GET', withQuery(p.stableUrl, { execution: s.executionId }));
	await api.waitForStatus(s.executionId, ['success']);
	const again = await http('GET', withQuery(p.stableUrl, { execution: s.executionId }));
	expect(again.status).toBe(409);
	expect(again.json).toEqual({ code: 1033, message: `Execution ${s.executionId} was already resumed by this node` });

	await api.waitForStatus(timedOut.executionId, ['success'], 150_000);
	const late = await http('GET', withQuery(timedOut.stableUrl, { execution: timedOut.executionId }));
	expect(late.status).toBe(409);
	expect(late.json).toEqual({ code: 1032, message: `Execution ${timedOut.executionId} has finished; it is not waiting at this node` });
}, 200_000);

test('a forward that gets no answer → 503 code 1054 with Retry-After, not 404: the execution keeps waiting and a later call resumes it', async () => {
	// the credential's Webhook Base URL points at a loopback port nothing listens on: every
	// forward to a resume URL is refused, as when the webhook processor is down or restarting
	const dead = `http://127.0.0.1:${await freePort()}`;
	const cred = await scenario.credential('externalCallbackN8nApi', { baseUrl: state.instance.baseUrl, webhookBaseUrl: dead, apiKey: state.instance.apiKey });
	const p = await scenario.publishWait({ wait: { stableUrl: true }, waitCredentials: { externalCallbackN8nApi: cred } });
	const s = await p.start('F-1');
	const r = await postJson(withQuery(p.stableUrl, { execution: s.executionId }), { callId: 'f-1' });
	expect(r.status).toBe(503);
	expect(r.headers.get('retry-after')).toBe('2');
	expect(r.json).toEqual({ code: 1054, message: `The forward to execution ${s.executionId} failed (it may still be waiting); retry the same call` });
	expect(r.text).not.toContain(new URL(s.callbackUrl).searchParams.get('signature')!);
	expect(await statusOf(s.executionId)).toBe('waiting');
	if (major >= 2) {
		// any, through the correlation index: the same
		const any = await postJson(withQuery(p.stableUrl, { execution: 'any' }), { callId: 'f-1' });
		expect({ status: any.status, code: any.json?.code }).toEqual({ status: 503, code: 1054 });
		expect(await statusOf(s.executionId)).toBe('waiting');
	}
	// the wait is intact: the call resumes it once it reaches the execution
	expect((await postJson(s.callbackUrl, { callId: 'f-1' })).status).toBe(200);
	expect((await doneData(s.executionId)).data).toEqual({ callId: 'f-1' });
});

test('Respond "When Last Node Finishes": the stable URL answers with the last node\'s output (status, content type, body), as the resume URL does', async () => {
	const p = await publishStable({ respond: 'lastNode' });
	const s = await p.start('L-1');
	const r = await postJson(withQuery(p.stableUrl, { execution: s.executionId }), { callId: 'l-1' });
	expect(r.status).toBe(200);
	expect(r.headers.get('content-type')).toMatch(/^application\/json/);
	expect(r.headers.get('x-execution-id')).toBe(String(s.executionId));
	expect([...r.headers.keys()].filter((h) => h.startsWith('x-external-callback'))).toEqual([]);
	const done = await doneData(s.executionId);
	expect(done.data).toEqual({ callId: 'l-1' });
	// the body is the Done node's first item, what the resume URL's caller gets
	expect(r.json).toEqual(JSON.parse(JSON.stringify(done)));
	expect(r.text).not.toContain(new URL(s.callbackUrl).searchParams.get('signature') ?? 'no token on 1.x');
});
