/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { http, loadFixture, N8nApi, node, postJson } from './harness/client';
import { type N8nInstance, newInstance, until } from './harness/n8n';
import { runPool } from '../../nodes/callback/targeting/pool';
import { allOrThrow, scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

/*
 * Correlation by key on the stable URL (issue 18): the wait node's Correlation Key, `?key=`,
 * Key From Call, `key` + `all`, stale index rows (resumed directly, timed out, deleted) skipped
 * and cleaned, twin workflows kept apart, concurrent calls, on a real n8n.
 */
const { api, state } = shared();
const major = Number(String(state.install.version).split('.')[0]);
// n8n 1.x has no data tables: a key there goes through the execution list, which on 1.123 leaves
// out what the answering process holds in memory (test/e2e/stable.test.ts), so these run on 2.x.
const indexLine = major >= 2 ? test : test.skip;
const scenario = scenarios(api);
const n8nApiCredential = () => scenario.credential('externalCallbackN8nApi', { baseUrl: state.instance.baseUrl, apiKey: state.instance.apiKey });

const KEY_EXPR = "={{ $('Start').item.json.body.orderId }}";
const withQuery = (url: string, q: Record<string, string>) => `${url}?${new URLSearchParams(q)}`;
const statusOf = async (id: string) => (await api.execution(id, false)).status;

interface Keyed {
	workflowId: string;
	stableUrl: string;
	start: (key: string, extra?: Record<string, unknown>) => Promise<{ executionId: string; callbackUrl: string }>;
}

async function publishKeyed(params: Record<string, unknown> = {}): Promise<Keyed> {
	const p = await scenario.publishWait({
		wait: { stableUrl: true, correlationKey: KEY_EXPR, ...params },
		waitCredentials: { externalCallbackN8nApi: await n8nApiCredential() },
	});
	return {
		workflowId: p.workflowId,
		stableUrl: p.stableUrl,
		start: async (key, extra = {}) => {
			const s = await p.start({ orderId: key, ...extra });
			return { executionId: String(s.executionId), callbackUrl: String(s.callbackUrl) };
		},
	};
}

/** The index rows (n8n 2.x data table) of one execution. */
async function indexRows(executionId: string): Promise<Array<Record<string, unknown>>> {
	const tables = await api.api<{ data: Array<{ id: string; name: string }> }>('GET', `/data-tables?filter=${encodeURIComponent(JSON.stringify({ name: 'external_callback_index' }))}`);
	const table = tables.data.find((t) => t.name === 'external_callback_index');
	if (!table) return [];
	const filter = JSON.stringify({ type: 'and', filters: [{ columnName: 'executionId', condition: 'eq', value: executionId }] });
	const rows = await api.api<{ data: Array<Record<string, unknown>> }>('GET', `/data-tables/${table.id}/rows?filter=${encodeURIComponent(filter)}`);
	return rows.data;
}

/** The stable URL deletes the rows of what it resumed just after it answers: until they are gone (bounded). */
const rowsGone = async (executionId: string) =>
	await until(`index rows of ${executionId} deleted`, async () => ((await indexRows(executionId)).length === 0 ? true : undefined), 10_000, 100);

describe('correlation key on the stable URL', () => {
	let p: Keyed;
	beforeAll(async () => {
		p = await publishKeyed();
	});

	indexLine('?key= resumes the one execution waiting with that key; the key is not in the data', async () => {
		const a = await p.start('T-101');
		const b = await p.start('T-102');
		const r = await postJson(withQuery(p.stableUrl, { key: 'T-102' }), { assignee: 'ana' });
		expect(r.status).toBe(200);
		expect(r.headers.get('x-execution-id')).toBe(b.executionId);
		const out = await scenario.doneOutput(b.executionId);
		expect(out.data).toEqual({ assignee: 'ana' });
		expect(out.query).toEqual({});
		await scenario.expectStillWaiting(a.executionId);
		if (major >= 2) await rowsGone(b.executionId); // deleted by the stable URL that resumed it, just after it answered
		// a key nobody waits with: the documented 404
		const none = await http('GET', withQuery(p.stableUrl, { key: 'T-999' }));
		expect(none.status).toBe(404);
		expect(none.json).toMatchObject({ code: 1031 });
		expect((await http('GET', withQuery(p.stableUrl, { key: 'T-101' }))).status).toBe(200);
		await api.waitForStatus(a.executionId, ['success']);
	});

	indexLine('key + any takes the oldest with the key; key + all every one with it, others untouched', async () => {
		const k1 = await p.start('K-1');
		const k2 = await p.start('K-1');
		const k3 = await p.start('K-1');
		const other = await p.start('K-2');
		const first = await http('GET', withQuery(p.stableUrl, { key: 'K-1' }));
		expect(first.status).toBe(200);
		expect(first.headers.get('x-execution-id')).toBe(k1.executionId);
		const all = await http('GET', withQuery(p.stableUrl, { key: 'K-1', execution: 'all' }));
		expect(all.status).toBe(200);
		expect(all.text).toBe([k2.executionId, k3.executionId].join(','));
		// all deletes the rows it resumed in one batch just after it answers
		if (major >= 2) for (const e of [k2, k3]) await rowsGone(e.executionId);
		for (const e of [k1, k2, k3]) await api.waitForStatus(e.executionId, ['success']);
		await scenario.expectStillWaiting(other.executionId);
		expect((await http('GET', withQuery(p.stableUrl, { key: 'K-1', execution: 'all' }))).status).toBe(404);
		expect((await http('GET', withQuery(p.stableUrl, { key: 'K-2', execution: 'all' }))).text).toBe(other.executionId);
	});

	indexLine('a bad key is 400 (1036): empty, given twice, or with an execution id', async () => {
		const s = await p.start('B-1');
		for (const url of [withQuery(p.stableUrl, { key: '' }), `${p.stableUrl}?key=a&key=b`, withQuery(p.stableUrl, { key: 'B-1', execution: s.executionId })]) {
			const r = await http('GET', url);
			expect(r.status).toBe(400);
			expect(r.json).toMatchObject({ code: 1036 });
		}
		await scenario.expectStillWaiting(s.executionId);
		expect((await http('GET', withQuery(p.stableUrl, { key: 'B-1' }))).status).toBe(200);
	});

	indexLine('the condition still applies to the matches', async () => {
		const c = await publishKeyed({ condition: '={{ $callback.data.ok === true }}' });
		const s = await c.start('C-1');
		const no = await postJson(withQuery(c.stableUrl, { key: 'C-1' }), { ok: false });
		expect(no.status).toBe(404);
		await scenario.expectStillWaiting(s.executionId);
		const yes = await postJson(withQuery(c.stableUrl, { key: 'C-1' }), { ok: true });
		expect(yes.status).toBe(200);
		await api.waitForStatus(s.executionId, ['success']);
	});

	indexLine('Key From Call: a sender that cannot change its URL correlates by its payload', async () => {
		const f = await publishKeyed({ keyFromCall: '={{ $callback.data.ticketId }}' });
		const a = await f.start('F-1');
		const b = await f.start('F-2');
		const r = await postJson(f.stableUrl, { ticketId: 'F-2', assignee: 'bo' });
		expect(r.status).toBe(200);
		expect(r.headers.get('x-execution-id')).toBe(b.executionId);
		expect((await scenario.doneOutput(b.executionId)).data).toEqual({ ticketId: 'F-2', assignee: 'bo' });
		await scenario.expectStillWaiting(a.executionId);
		// no key in the call: refused, nothing resumed
		const missing = await postJson(f.stableUrl, { assignee: 'bo' });
		expect(missing.status).toBe(400);
		expect(missing.json).toMatchObject({ code: 1036 });
		// ?key= wins over the payload
		expect((await postJson(withQuery(f.stableUrl, { key: 'F-1' }), { ticketId: 'nope' })).status).toBe(200);
		await api.waitForStatus(a.executionId, ['success']);
	});

	indexLine('twin workflows (same node ids) with the same keys do not see each other', async () => {
		const twin = await publishKeyed();
		const mine = await p.start('TW-1');
		const theirs = await twin.start('TW-1');
		const r = await http('GET', withQuery(twin.stableUrl, { key: 'TW-1' }));
		expect(r.headers.get('x-execution-id')).toBe(theirs.executionId);
		await api.waitForStatus(theirs.executionId, ['success']);
		await scenario.expectStillWaiting(mine.executionId);
		expect((await http('GET', withQuery(twin.stableUrl, { key: 'TW-1' }))).status).toBe(404);
		expect((await http('GET', withQuery(p.stableUrl, { key: 'TW-1' }))).headers.get('x-execution-id')).toBe(mine.executionId);
	});

	indexLine('20 concurrent calls for 10 keys: 10 resumes, 10 clean 404s, each execution once', async () => {
		const started = [];
		for (let i = 0; i < 10; i++) started.push(await p.start(`CC-${i}`));
		const urls = Array.from({ length: 20 }, (_, i) => withQuery(p.stableUrl, { key: `CC-${i % 10}` }));
		// all 20 at once: above the per-process bound (12) a call gets 503 + Retry-After and retries
		const answers = allOrThrow(
			await runPool(urls.length, 20, async (i) => {
				for (let attempt = 0; ; attempt++) {
					const r = await http('GET', urls[i]);
					if (r.status !== 503 || attempt >= 20) return r;
					expect(r.json).toMatchObject({ code: 1039 });
					await new Promise((done) => setTimeout(done, 1000 * Number(r.headers.get('retry-after'))));
				}
			}),
		);
		expect(answers.filter((r) => r.status === 200)).toHaveLength(10);
		const refused = answers.filter((r) => r.status !== 200);
		expect(refused).toHaveLength(10);
		for (const r of refused) {
			expect(r.status).toBe(404);
			expect(r.json).toMatchObject({ code: 1031 });
		}
		const resumedIds = answers.filter((r) => r.status === 200).map((r) => r.headers.get('x-execution-id'));
		expect(new Set(resumedIds).size).toBe(10);
		for (const s of started) {
			const done = await api.waitForStatus(s.executionId, ['success']);
			expect(done.data?.resultData?.runData?.Done).toHaveLength(1);
		}
	});
});

describe('stale index rows', () => {
	indexLine('a row whose execution was resumed directly, timed out or was deleted is skipped and deleted', async () => {
		// waits until the time the start call gives (a timeout), else for a day
		const s = await publishKeyed({ limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime: "={{ $('Start').item.json.body.until || $now.plus(1, 'day').toISO() }}" });
		const timedOut = await s.start('S-1', { until: new Date(Date.now() + 1_000).toISOString() });
		const direct = await s.start('S-1');
		const deleted = await s.start('S-1');
		const fresh = await s.start('S-1');
		// resumed by its own resume URL (the stable URL never saw it)
		expect((await http('GET', direct.callbackUrl)).status).toBe(200);
		await api.waitForStatus(direct.executionId, ['success']);
		await api.api('DELETE', `/executions/${deleted.executionId}`);
		// n8n's wait tracker polls once a minute
		await api.waitForStatus(timedOut.executionId, ['success'], 150_000);
		for (const e of [timedOut, direct, deleted, fresh]) expect(await indexRows(e.executionId)).toHaveLength(1);
		const r = await http('GET', withQuery(s.stableUrl, { key: 'S-1' }));
		expect(r.status).toBe(200);
		expect(r.headers.get('x-execution-id')).toBe(fresh.executionId);
		const out = await scenario.doneOutput(fresh.executionId);
		expect(out.timedOut).toBe(false);
		for (const e of [timedOut, direct, deleted, fresh]) await rowsGone(e.executionId);
		// the directly resumed one ran once (not resumed again)
		expect((await api.execution(direct.executionId)).data?.resultData?.runData?.Done).toHaveLength(1);
		expect(await statusOf(timedOut.executionId)).toBe('success');
	}, 240_000);

	indexLine('plain any uses the index: the oldest waiting, stale rows skipped', async () => {
		const s = await publishKeyed();
		const gone = await s.start('P-1');
		const oldest = await s.start('P-2');
		const newer = await s.start('P-3');
		expect((await http('GET', gone.callbackUrl)).status).toBe(200);
		await api.waitForStatus(gone.executionId, ['success']);
		const r = await http('GET', withQuery(s.stableUrl, { execution: 'any' }));
		expect(r.status).toBe(200);
		expect(r.headers.get('x-execution-id')).toBe(oldest.executionId);
		await rowsGone(gone.executionId);
		await scenario.expectStillWaiting(newer.executionId);
	});
});

describe('execution=<id> and this process\'s hints', () => {
	// execute() leaves the n8n process it ran in a hint (the sealed resume token) so that
	// ?execution=<id> forwards without asking n8n's API; a hint is never trusted (targeting/hints.ts)
	indexLine('a stale hint (the execution resumed directly by its resume URL) is not trusted: the documented reply, nothing resumed twice; a new one still found', async () => {
		const s = await publishKeyed();
		const done = await s.start('H-1');
		expect((await http('GET', done.callbackUrl)).status).toBe(200);
		await api.waitForStatus(done.executionId, ['success']);
		// the hint written when it started waiting is still in the process: the resume URL refuses it
		const again = await http('GET', withQuery(s.stableUrl, { execution: done.executionId }));
		expect(again.status).toBe(200);
		expect(again.headers.get('x-callback-repeated')).toBe('true');
		expect((await api.execution(done.executionId)).data?.resultData?.runData?.Done).toHaveLength(1);
		const fresh = await s.start('H-2');
		const r = await postJson(withQuery(s.stableUrl, { execution: fresh.executionId }), { n: 1 });
		expect(r.status).toBe(200);
		expect(r.headers.get('x-execution-id')).toBe(fresh.executionId);
		expect((await scenario.doneOutput(fresh.executionId)).data).toEqual({ n: 1 });
		// once used, the hint is gone: a repeated call gets the lookup's answer
		const repeated = await http('GET', withQuery(s.stableUrl, { execution: fresh.executionId }));
		expect(repeated.status).toBe(200);
		expect(repeated.headers.get('x-callback-repeated')).toBe('true');
	});
});

describe('bursts', () => {
	indexLine('a burst beyond the per-process bound gets 503 + Retry-After (1039) at once; after retries each resumed exactly once', async () => {
		const b = await publishKeyed();
		const keys = Array.from({ length: 80 }, (_, i) => `BU-${i}`);
		const started = allOrThrow(await runPool(keys.length, 6, async (i) => await b.start(keys[i])));
		const first = allOrThrow(await runPool(keys.length, keys.length, async (i) => await http('GET', withQuery(b.stableUrl, { key: keys[i] }))));
		const busy = first.filter((r) => r.status === 503);
		expect(busy.length).toBeGreaterThan(0);
		for (const r of first) expect([200, 503]).toContain(r.status);
		for (const r of busy) {
			expect(r.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
			expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(120);
			expect(r.json).toMatchObject({ code: 1039 });
		}
		// each refused caller gets its own turn (admission.ts): the retries are spread, not all after the same delay
		if (busy.length > 1) expect(new Set(busy.map((r) => r.headers.get('retry-after'))).size).toBeGreaterThan(1);
		// the refused ones retry (a sender honouring Retry-After) until they are taken
		let pending = first.map((r, i) => (r.status === 503 ? i : -1)).filter((i) => i >= 0);
		for (let round = 0; round < 30 && pending.length; round++) {
			await new Promise((r) => setTimeout(r, 1_000));
			const again = allOrThrow(await runPool(pending.length, 8, async (j) => await http('GET', withQuery(b.stableUrl, { key: keys[pending[j]] }))));
			for (const r of again) expect([200, 503]).toContain(r.status);
			pending = pending.filter((_, j) => again[j].status === 503);
		}
		expect(pending).toEqual([]);
		for (const s of started) {
			const done = await api.waitForStatus(s.executionId, ['success']);
			expect(done.data?.resultData?.runData?.Done).toHaveLength(1);
		}
		process.stdout.write(`[burst] 80 concurrent stable-URL calls: ${busy.length} answered 503 + Retry-After, the rest 200\n`);
	}, 180_000);
});

describe('restart', () => {
	let n8n: N8nInstance;
	beforeAll(async () => {
		// Its own n8n: this test stops and starts it.
		n8n = newInstance(state.install, { nodesDir: state.nodesDir });
		await n8n.start();
	}, 240_000);
	afterAll(async () => {
		await n8n?.stop();
		if (!process.env.ECB_KEEP_N8N_FOLDER) n8n?.destroy();
	});

	indexLine('the index is n8n\'s: after a restart every key still finds its execution, one table, resumed ones stay resumed', async () => {
		const own = new N8nApi(n8n.info);
		const cred = await own.api('POST', '/credentials', { name: 'restart n8n api', type: 'externalCallbackN8nApi', data: { baseUrl: n8n.info.baseUrl, apiKey: n8n.info.apiKey } });
		const wf = loadFixture('wait-basic');
		const wait = node(wf, 'External Callback Wait');
		wait.parameters = { stableUrl: true, correlationKey: KEY_EXPR };
		wait.credentials = { externalCallbackN8nApi: { id: cred.id, name: cred.name } };
		const { triggerUrl } = await own.publish(wf);
		const stableUrl = `${n8n.info.baseUrl}/webhook/${wait.webhookId}/callback`;
		const live = async () => await until('stable URL', async () => ((await http('GET', stableUrl)).status === 400 ? true : undefined));
		await live();
		const ids: string[] = [];
		for (let i = 0; i < 10; i++) {
			const r = await postJson(triggerUrl, { orderId: `R-${i}` });
			expect(r.status).toBe(200);
			ids.push(String(r.json.executionId));
			await own.waitForStatus(r.json.executionId, ['waiting']);
		}
		for (const i of [0, 1]) expect((await http('GET', withQuery(stableUrl, { key: `R-${i}` }))).headers.get('x-execution-id')).toBe(ids[i]);
		await n8n.restart();
		await live();
		for (let i = 2; i < 10; i++) {
			const r = await http('GET', withQuery(stableUrl, { key: `R-${i}` }));
			expect({ i, status: r.status, id: r.headers.get('x-execution-id') }).toEqual({ i, status: 200, id: ids[i] });
		}
		for (const i of [0, 1]) expect((await http('GET', withQuery(stableUrl, { key: `R-${i}` }))).status).toBe(404);
		for (const id of ids) expect((await own.waitForStatus(id, ['success'])).data?.resultData?.runData?.Done).toHaveLength(1);
		const tables = await own.api<{ data: Array<{ name: string }> }>('GET', '/data-tables');
		expect(tables.data.filter((t) => t.name === 'external_callback_index')).toHaveLength(1);
	}, 300_000);
});

