/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * External Callback Wait version 2 in a real n8n: webhook fields all static (no expression for n8n
 * to evaluate before the node runs), the node its URLs are for in the query (`node=<id>`), the
 * stable URL registered whatever "Stable URL" says (404 code 1056 while off). Version 1 workflows
 * (every other e2e file) keep their URLs.
 */
import { http, loadFixture, N8nApi, node, nodeOutput, postJson } from './harness/client';
import { type N8nInstance, newInstance } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api, state } = shared();
const major = Number(String(state.install.version).split('.')[0]);
const v2Line = major >= 2 ? test : test.skip;
const scenario = scenarios(api);
const n8nApiCredential = () => scenario.credential('externalCallbackN8nApi', { baseUrl: state.instance.baseUrl, apiKey: state.instance.apiKey });
const withQuery = (url: string, q: Record<string, string>) => {
	const u = new URL(url);
	for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
	return u.toString();
};
const statusOf = async (id: string) => (await api.execution(id, false)).status;
const waitItem = async (id: string) => (await api.waitForStatus(id, ['success'])).data.resultData.runData['External Callback Wait'][0].data.main[0][0];

describe('resume and fail URLs of version 2', () => {
	test("Generate Callback URL makes n8n's resume URL with node=<wait node id>; JSON resumes; node= and the token are not in the output", async () => {
		const p = await scenario.publishWait({ waitVersion: 2 });
		const s = await p.start('v2-json');
		const url = new URL(String(s.callbackUrl));
		expect(url.pathname).toBe(`/webhook-waiting/${s.executionId}`);
		expect(url.searchParams.get('node')).toBe(p.wait.id);
		expect(url.searchParams.get('signature')).toMatch(/^[0-9a-zA-Z_-]{16,}$/);
		const fail = new URL(String(s.failUrl));
		expect(fail.pathname).toBe(`/webhook-waiting/${s.executionId}/fail`);
		expect(fail.searchParams.get('node')).toBe(p.wait.id);
		const r = await postJson(withQuery(String(s.callbackUrl), { source: 'gw' }), { paid: true });
		expect(r.status).toBe(200);
		const out = nodeOutput(await api.waitForStatus(s.executionId, ['success']), 'Done')![0];
		expect(out).toMatchObject({ data: { paid: true }, query: { source: 'gw' }, failed: false });
		expect(Object.keys(out.query)).toEqual(['source']);
	});

	test('the fail URL resumes with failed: true and the reason; a form body and a raw binary body arrive as on version 1', async () => {
		const p = await scenario.publishWait({ waitVersion: 2 });
		const a = await p.start('v2-fail');
		expect((await postJson(String(a.failUrl), { reason: 'card declined' })).status).toBe(200);
		expect(nodeOutput(await api.waitForStatus(a.executionId, ['success']), 'Done')![0]).toMatchObject({ failed: true, reason: 'card declined' });

		const f = await p.start('v2-form');
		const form = await http('POST', String(f.callbackUrl), { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'status=paid&tags=a&tags=b' });
		expect(form.status).toBe(200);
		expect((await waitItem(f.executionId)).json.data).toEqual({ status: 'paid', tags: ['a', 'b'] });

		// version 2: n8n does not parse this content type; the node reads the bytes itself
		const b = await p.start('v2-binary');
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
		expect((await http('POST', String(b.callbackUrl), { headers: { 'content-type': 'image/png' }, body: png })).status).toBe(200);
		const item = await waitItem(b.executionId);
		expect(item.binary.data).toMatchObject({ mimeType: 'image/png' });
		expect(item.json.data).toEqual({});

		// malformed JSON: n8n's own 422 before the node runs, the wait kept
		const j = await p.start('v2-bad-json');
		const bad = await http('POST', String(j.callbackUrl), { headers: { 'content-type': 'application/json' }, body: '{"a":' });
		expect(bad.status).toBe(422);
		expect(await statusOf(j.executionId)).toBe('waiting');
		expect((await postJson(String(j.callbackUrl), { a: 1 })).status).toBe(200);
		expect((await waitItem(j.executionId)).json.data).toEqual({ a: 1 });
	});

	test('two version 2 wait nodes: the first one\'s URL called late (the execution waits at the second) is refused (2.x: 409 code 1057) and resumes nothing', async () => {
		const wf = loadFixture('two-waits');
		for (const name of ['First Wait', 'Second Wait']) node(wf, name).typeVersion = 2;
		const { triggerUrl } = await api.publish(wf);
		const r = await postJson(triggerUrl, {});
		expect(r.status).toBe(200);
		const { first, second, executionId } = r.json;
		await api.waitForStatus(executionId, ['waiting']);
		// n8n 2.x: one resume token per execution, so the node= decides (409 1057). n8n 1.x: each
		// Generate Callback URL node's own secret already binds its URL to its wait node (401).
		const refusedHere = (r: Awaited<ReturnType<typeof postJson>>, waitingAt: string) => {
			if (major >= 2) {
				expect(r.status).toBe(409);
				expect(r.json).toEqual({ code: 1057, message: `This URL is for another wait node of the workflow; the execution waits at "${waitingAt}" now` });
			} else {
				expect(r.status).toBe(401);
				expect(r.json).toEqual({ error: 'Invalid token' });
			}
		};
		// at the first wait: the second's URL is refused
		refusedHere(await postJson(second, { step: 0 }), 'First Wait');
		expect((await postJson(first, { step: 1 })).status).toBe(200);
		await api.waitForStatus(executionId, ['waiting']);
		refusedHere(await postJson(first, { step: 'late' }), 'Second Wait');
		expect(await statusOf(executionId)).toBe('waiting');
		expect((await postJson(second, { step: 2 })).status).toBe(200);
		const exec = await api.waitForStatus(executionId, ['success']);
		expect(nodeOutput(exec, 'Done')![0].data).toEqual({ step: 2 });
	});

	v2Line("n8n's own $execution.resumeUrl (no node=) resumes a version 2 wait node, as it resumes n8n's Wait node", async () => {
		const p = await scenario.publishWait({ waitVersion: 2 });
		const s = await p.start('v2-plain');
		const plain = new URL(String(s.callbackUrl));
		plain.searchParams.delete('node');
		expect(plain.toString()).toMatch(new RegExp(`/webhook-waiting/${s.executionId}\\?signature=[^&]+$`));
		expect((await postJson(plain.toString(), { plain: true })).status).toBe(200);
		expect((await waitItem(s.executionId)).json.data).toEqual({ plain: true });
	});
});

describe('the stable URL of version 2', () => {
	test('registered while the workflow is published, "Stable URL" off: 404 code 1056 on GET and POST, nothing resumed', async () => {
		const p = await scenario.publishWait({ waitVersion: 2, wait: { stableUrl: false } });
		const s = await p.start('v2-off');
		for (const method of ['GET', 'POST'] as const) {
			const r = await http(method, withQuery(p.stableUrl, { execution: String(s.executionId) }), method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{"paid":true}' } : undefined);
			expect(r.status).toBe(404);
			expect(r.json).toEqual({ code: 1056, message: 'This wait node\'s stable URL is off: switch on "Stable URL" in the node and publish the workflow' });
		}
		expect(await statusOf(s.executionId)).toBe('waiting');
	});

	test('?execution=<id> forwards to the version 2 resume URL and resumes that execution', async () => {
		const p = await scenario.publishWait({ waitVersion: 2, wait: { stableUrl: true }, waitCredentials: { externalCallbackN8nApi: await n8nApiCredential() } });
		const a = await p.start('v2-id-a');
		const b = await p.start('v2-id-b');
		const r = await postJson(withQuery(p.stableUrl, { execution: String(b.executionId), note: 'x' }), { paid: true });
		expect(r.status).toBe(200);
		const out = nodeOutput(await api.waitForStatus(b.executionId, ['success']), 'Done')![0];
		expect(out).toMatchObject({ data: { paid: true }, query: { note: 'x' } });
		expect(out.query).not.toHaveProperty('node');
		expect(await statusOf(a.executionId)).toBe('waiting');
	});

	v2Line('?key= with a Correlation Key (an expression parameter) resumes the one execution with that key; an unknown key is 404 1031', async () => {
		const p = await scenario.publishWait({
			waitVersion: 2,
			wait: { stableUrl: true, correlationKey: "={{ $('Start').item.json.body.orderId }}" },
			waitCredentials: { externalCallbackN8nApi: await n8nApiCredential() },
		});
		const a = await p.start('T-201');
		const b = await p.start('T-202');
		const r = await postJson(withQuery(p.stableUrl, { key: 'T-202' }), { assigned: 'ann' });
		expect(r.status).toBe(200);
		expect((await waitItem(b.executionId)).json.data).toEqual({ assigned: 'ann' });
		expect(await statusOf(a.executionId)).toBe('waiting');
		const none = await postJson(withQuery(p.stableUrl, { key: 'T-999' }), {});
		expect(none.status).toBe(404);
		expect(none.json?.code).toBe(1031);
		expect((await postJson(withQuery(p.stableUrl, { key: 'T-201' }), { assigned: 'bob' })).status).toBe(200);
		expect((await waitItem(a.executionId)).json.data).toEqual({ assigned: 'bob' });
	});

	test('the state form (Generate Callback URL, state) resumes a version 2 wait node through its stable URL', async () => {
		const p = await scenario.publishWait({ waitVersion: 2, wait: { stableUrl: true }, generate: { urlForm: 'state' }, readGenerated: true });
		const s = await p.start('v2-state');
		const url = new URL(String(s.generated.callbackUrl));
		expect(url.pathname).toBe(new URL(p.stableUrl).pathname);
		const state = url.searchParams.get('state')!;
		expect(state).toBeTruthy();
		const r = await http('GET', `${p.stableUrl}?state=${encodeURIComponent(state)}&code=abc`);
		expect(r.status).toBe(200);
		expect((await waitItem(String(s.executionId))).json.data).toMatchObject({ code: 'abc' });
	});
});

/**
 * The README's recommended n8n setting for the stable URL at scale: n8n 2.x then builds an
 * expression isolate only when an expression is evaluated, so a call to a version 2 wait node's
 * stable URL builds none (docs/benchmarks.md measures it). Its own n8n with the setting; the same
 * calls behave the same, and a burst of keyed calls resumes each execution exactly once.
 */
describe('with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true', () => {
	let lazy: N8nInstance | undefined;
	let lazyApi: N8nApi;
	beforeAll(async () => {
		if (major < 2) return;
		lazy = newInstance(state.install, { nodesDir: state.nodesDir, extraEnv: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } });
		await lazy.start();
		lazyApi = new N8nApi(lazy.info);
	}, 240_000);
	afterAll(async () => {
		await lazy?.stop();
		if (!process.env.ECB_KEEP_N8N_FOLDER) lazy?.destroy();
	});

	v2Line('resume and fail URLs, ?execution=<id>, ?key=, any and all; 40 concurrent keyed calls resume 40 executions once each', async () => {
		const s2 = scenarios(lazyApi);
		const credential = await s2.credential('externalCallbackN8nApi', { baseUrl: lazy!.info.baseUrl, apiKey: lazy!.info.apiKey });
		const p = await s2.publishWait({
			waitVersion: 2,
			wait: { stableUrl: true, correlationKey: "={{ $('Start').item.json.body.orderId }}" },
			waitCredentials: { externalCallbackN8nApi: credential },
		});
		const item = async (id: string) => (await lazyApi.waitForStatus(id, ['success'])).data.resultData.runData['External Callback Wait'][0].data.main[0][0];
		const direct = await p.start('L-direct');
		expect((await postJson(String(direct.callbackUrl), { via: 'resume' })).status).toBe(200);
		expect((await item(direct.executionId)).json.data).toEqual({ via: 'resume' });
		const failed = await p.start('L-fail');
		expect((await postJson(String(failed.failUrl), { reason: 'no' })).status).toBe(200);
		expect((await item(failed.executionId)).json).toMatchObject({ failed: true, reason: 'no' });
		const byId = await p.start('L-id');
		expect((await postJson(withQuery(p.stableUrl, { execution: String(byId.executionId) }), { via: 'id' })).status).toBe(200);
		expect((await item(byId.executionId)).json.data).toEqual({ via: 'id' });
		const any = await p.start('L-any');
		expect((await postJson(withQuery(p.stableUrl, { execution: 'any' }), { via: 'any' })).status).toBe(200);
		expect((await item(any.executionId)).json.data).toEqual({ via: 'any' });

		const started: Array<{ key: string; executionId: string }> = [];
		for (let i = 0; i < 40; i++) started.push({ key: `L-${i}`, executionId: String((await p.start(`L-${i}`)).executionId) });
		const answers = await Promise.all(
			started.map(async ({ key }) => {
				for (let attempt = 0; attempt < 30; attempt++) {
					const r = await postJson(withQuery(p.stableUrl, { key }), { key });
					if (r.status !== 503) return r.status;
					await new Promise((done) => setTimeout(done, 1000 * Number(r.headers.get('retry-after') ?? 1)));
				}
				return 503;
			}),
		);
		expect(answers.every((status) => status === 200)).toBe(true);
		for (const { key, executionId } of started) {
			const exec = await lazyApi.waitForStatus(executionId, ['success']);
			const runs = exec.data.resultData.runData['External Callback Wait'];
			expect(runs[runs.length - 1].data.main[0]).toHaveLength(1);
			expect(runs[runs.length - 1].data.main[0][0].json.data).toEqual({ key });
		}
		const rest = [await p.start('L-all-1'), await p.start('L-all-2')];
		const all = await postJson(withQuery(p.stableUrl, { execution: 'all' }), { via: 'all' });
		expect(all.status).toBe(200);
		for (const r of rest) expect((await item(r.executionId)).json.data).toEqual({ via: 'all' });
	}, 300_000);
});
