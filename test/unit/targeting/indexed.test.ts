/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import type { Forwarder } from '../../../nodes/callback/targeting/forward';
import { ANY_BUDGET, type IndexAccess, STALE_BUDGET, forgetStaleRows, resumeAllFromIndex, resumeOneFromIndex } from '../../../nodes/callback/targeting/indexed';
import {
	type ApiCall,
	INDEX_TABLE_NAME,
	NO_INDEX,
	forgetTable,
	indexTable,
	indexTableOrSearch,
	keyText,
	openToken,
	sealToken,
} from '../../../nodes/callback/targeting/keyIndex';
import type { ApiGet } from '../../../nodes/callback/targeting/search';

const API_KEY = 'k'.repeat(40);
/** Rows are deleted after the answer (on a timer): wait for those deletions. */
async function deferredDone(): Promise<void> {
	for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 1));
}
const TOKEN = 'a'.repeat(64);

/** A fake n8n data table API (rows filtered like n8n: and of eq / gt, sorted by id) and executions API. */
function fakeN8n(o: { executions: Record<string, { status: string; node?: string; token?: string; resumed?: boolean }> }) {
	let rows: Array<Record<string, string | number>> = [];
	let nextId = 1;
	const requests: string[] = [];
	const call: ApiCall = async (method, path, body) => {
		requests.push(`${method} ${path.split('?')[0]}`);
		const url = new URL(`http://x${path}`);
		if (path.startsWith('/api/v1/data-tables?')) return { status: 200, body: { data: [{ id: 't1', name: INDEX_TABLE_NAME }] } };
		const filter = JSON.parse(url.searchParams.get('filter') ?? '{"filters":[]}') as { type?: string; filters: Array<{ columnName: string; condition: string; value: string | number }> };
		const one = (r: Record<string, string | number>, f: { columnName: string; condition: string; value: string | number }) =>
			f.condition === 'gt' ? Number(r[f.columnName]) > Number(f.value) : r[f.columnName] === f.value;
		const match = (r: Record<string, string | number>) => (filter.type === 'or' ? filter.filters.some((f) => one(r, f)) : filter.filters.every((f) => one(r, f)));
		if (method === 'POST') {
			for (const r of (body as { data: Array<Record<string, string>> }).data) rows.push({ id: nextId++, ...r });
			return { status: 200, body: { count: 1 } };
		}
		if (method === 'DELETE') {
			rows = rows.filter((r) => !match(r));
			return { status: 200, body: true };
		}
		const limit = Number(url.searchParams.get('limit'));
		return { status: 200, body: { data: rows.filter(match).slice(0, limit) } };
	};
	const get: ApiGet = async (path) => {
		requests.push(`GET ${path.split('?')[0]}`);
		const id = /executions\/([^?]+)/.exec(path)![1];
		const e = o.executions[id];
		if (!e) return { status: 404, body: {} };
		const runData = e.resumed ? { Wait: [{ data: { main: [[{ json: { timedOut: false, receivedAt: 'x' } }]] } }] } : {};
		return { status: 200, body: { id, workflowId: 'wf1', status: e.status, finished: e.status === 'success', data: { resumeToken: e.token ?? TOKEN, resultData: { lastNodeExecuted: e.node ?? 'Wait', runData } } } };
	};
	const ix: IndexAccess = { call, table: 't1', apiKey: API_KEY, base: 'http://127.0.0.1:1', get, workflowId: 'wf1', nodeId: 'n1', nodeName: 'Wait' };
	const add = (executionId: string, ckey: string, nodeId = 'n1') =>
		rows.push({ id: nextId++, workflowId: 'wf1', nodeId, ckey, executionId, seal: sealToken(API_KEY, executionId, TOKEN) });
	return { ix, add, rows: () => rows, requests };
}

/** A forwarder: resumes executions whose status is waiting (and marks them resumed), ignores `ignore`. */
function forwarder(executions: Record<string, { status: string; node?: string; resumed?: boolean }>, ignore: string[] = []): { forward: Forwarder; sent: string[] } {
	const sent: string[] = [];
	const forward: Forwarder = async (c) => {
		sent.push(c.id);
		if (ignore.includes(c.id)) return 'ignored';
		const e = executions[c.id];
		if (!e || e.status !== 'waiting' || (e.node ?? 'Wait') !== 'Wait' || c.resumeToken !== TOKEN) return 'lost';
		e.status = 'success';
		e.resumed = true;
		return 'resumed';
	};
	return { forward, sent };
}

describe('correlation index: sealed tokens and keys', () => {
	test('a sealed resume token opens only with the same API key and execution id', () => {
		const seal = sealToken(API_KEY, '12', TOKEN);
		expect(seal).not.toContain(TOKEN);
		expect(openToken(API_KEY, '12', seal)).toBe(TOKEN);
		expect(openToken('other', '12', seal)).toBeUndefined();
		expect(openToken(API_KEY, '13', seal)).toBeUndefined();
		expect(openToken(API_KEY, '12', 'short')).toBeUndefined();
		expect(sealToken(API_KEY, '12', TOKEN)).not.toBe(seal); // a fresh IV each time
	});

	test('keys: strings, numbers and booleans as text; empty and objects are no key', () => {
		expect(keyText('T-101')).toBe('T-101');
		expect(keyText(101)).toBe('101');
		expect(keyText(true)).toBe('true');
		for (const v of ['', '  ', null, undefined, {}, [], Number.NaN]) expect(keyText(v)).toBeUndefined();
	});

	test('the table is found by name, made when missing, remembered per API; n8n 1.x (404) has none', async () => {
		const made: string[] = [];
		const call: ApiCall = async (method) => {
			made.push(method);
			return method === 'GET' ? { status: 200, body: { data: [] } } : { status: 201, body: { id: 'new1' } };
		};
		forgetTable('http://a', API_KEY);
		await expect(indexTable(call, 'http://a', API_KEY)).resolves.toBe('new1');
		await expect(indexTable(call, 'http://a', API_KEY)).resolves.toBe('new1');
		expect(made).toEqual(['GET', 'POST']);
		// another process made it at the same moment (PostgreSQL: a 500 from the unique name): read again
		let lists = 0;
		const raced: ApiCall = async (method) =>
			method === 'GET' ? { status: 200, body: { data: lists++ ? [{ id: 'theirs', name: INDEX_TABLE_NAME }] : [] } } : { status: 500, body: {} };
		await expect(indexTable(raced, 'http://e', API_KEY)).resolves.toBe('theirs');
		const old: ApiCall = async () => ({ status: 404, body: {} });
		await expect(indexTable(old, 'http://b', API_KEY)).resolves.toBe(NO_INDEX);
		// a key without the data table scopes counts as no index (the execution list is used)
		const refused: ApiCall = async () => ({ status: 403, body: {} });
		await expect(indexTableOrSearch(refused, 'http://c', API_KEY)).resolves.toBe(NO_INDEX);
		const broken: ApiCall = async () => ({ status: 500, body: {} });
		await expect(indexTableOrSearch(broken, 'http://d', API_KEY)).rejects.toMatchObject({ status: 500 });
	});
});

describe('any / all through the index', () => {
	// each fake table numbers its rows from 1 (n8n never reuses a row id in one table)
	beforeEach(() => forgetStaleRows());

	test('a run of stale rows (a batch resumed by resume URLs) costs a forward per page, not per row; past the budget 503 1055, then the next call resumes', async () => {
		const executions: Record<string, { status: string; resumed?: boolean }> = {};
		const n = fakeN8n({ executions });
		const stale = STALE_BUDGET + 100;
		for (let i = 1; i <= stale; i++) {
			executions[String(i)] = { status: 'success', resumed: true };
			n.add(String(i), '');
		}
		executions[String(stale + 1)] = { status: 'waiting' };
		n.add(String(stale + 1), '');
		const { forward, sent } = forwarder(executions);
		const first = await resumeOneFromIndex(n.ix, undefined, forward).catch((e: unknown) => e);
		expect(first).toMatchObject({ status: 503, code: ErrorCodes.STALE_BUDGET, retryAfterS: 1 });
		// only the first stale row was forwarded to; the rest were checked by GET (a page after one
		// that held only stale rows is checked before any forward)
		expect(sent.length).toBe(1);
		await deferredDone();
		expect(n.rows().length).toBe(stale - STALE_BUDGET + 1);
		await expect(resumeOneFromIndex(n.ix, undefined, forward)).resolves.toEqual({ kind: 'one', id: String(stale + 1) });
		await deferredDone();
		expect(n.rows()).toEqual([]);
	});

	test('a row id reused after a delete (n8n\'s SQLite tables do) is a new row, not the stale one remembered', async () => {
		const executions: Record<string, { status: string; resumed?: boolean }> = { '1': { status: 'success', resumed: true } };
		const n = fakeN8n({ executions });
		n.add('1', 'K');
		const { forward } = forwarder(executions);
		await expect(resumeOneFromIndex(n.ix, 'K', forward)).rejects.toMatchObject({ code: ErrorCodes.NOT_WAITING });
		await deferredDone();
		expect(n.rows()).toEqual([]);
		// the same id again, for an execution now waiting (as SQLite hands out the highest id again)
		executions['2'] = { status: 'waiting' };
		n.add('2', 'K');
		n.rows()[0].id = 1;
		await expect(resumeOneFromIndex(n.ix, 'K', forward)).resolves.toEqual({ kind: 'one', id: '2' });
	});

	test('10 concurrent any calls over 200 stale rows and 10 waiting: each resumes a different one, and they share the checks', async () => {
		const executions: Record<string, { status: string; resumed?: boolean }> = {};
		const n = fakeN8n({ executions });
		for (let i = 1; i <= 200; i++) {
			executions[String(i)] = { status: 'success', resumed: true };
			n.add(String(i), '');
		}
		for (let i = 201; i <= 210; i++) {
			executions[String(i)] = { status: 'waiting' };
			n.add(String(i), '');
		}
		const { forward } = forwarder(executions);
		const got = await Promise.all(Array.from({ length: 10 }, async () => await resumeOneFromIndex(n.ix, undefined, forward)));
		expect(new Set(got.map((g) => (g as { id: string }).id))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => String(201 + i))));
		const gets = n.requests.filter((r) => r.startsWith('GET /api/v1/executions/')).length;
		// without sharing, each call would check each stale row itself (2,000 GETs)
		expect(gets).toBeLessThan(1_000);
		await deferredDone();
		expect(n.rows()).toEqual([]);
	});
	test('key: the oldest row with the key; its row is deleted; nothing listed', async () => {
		const executions = { '1': { status: 'waiting' }, '2': { status: 'waiting' }, '3': { status: 'waiting' } };
		const n = fakeN8n({ executions });
		n.add('1', 'A');
		n.add('2', 'B');
		n.add('3', 'B');
		const { forward, sent } = forwarder(executions);
		await expect(resumeOneFromIndex(n.ix, 'B', forward)).resolves.toEqual({ kind: 'one', id: '2' });
		expect(sent).toEqual(['2']);
		await deferredDone(); // rows are deleted after the answer (a timer)
		expect(n.rows().map((r) => r.executionId)).toEqual(['1', '3']);
		expect(n.requests.filter((r) => r.includes('/executions'))).toEqual([]);
	});

	test('stale rows (resumed elsewhere, finished, deleted, another node) are deleted and skipped', async () => {
		const executions: Record<string, { status: string; node?: string; resumed?: boolean }> = {
			'1': { status: 'success', resumed: true },
			'2': { status: 'error' },
			'4': { status: 'waiting', node: 'Other' },
			'5': { status: 'waiting' },
		};
		const n = fakeN8n({ executions });
		for (const id of ['1', '2', '3', '4', '5']) n.add(id, 'K');
		const { forward } = forwarder(executions);
		await expect(resumeOneFromIndex(n.ix, 'K', forward)).resolves.toEqual({ kind: 'one', id: '5' });
		await deferredDone(); // rows are deleted after the answer (a timer)
		expect(n.rows()).toEqual([]);
	});

	test('a false condition keeps the row and moves on; none left is 404 (1031)', async () => {
		const executions = { '1': { status: 'waiting' }, '2': { status: 'waiting' } };
		const n = fakeN8n({ executions });
		n.add('1', '');
		n.add('2', '');
		const { forward } = forwarder(executions, ['1', '2']);
		await expect(resumeOneFromIndex(n.ix, undefined, forward)).rejects.toMatchObject({ code: ErrorCodes.NOT_WAITING });
		expect(n.rows()).toHaveLength(2);
	});

	test('plain any has a budget of candidates (1038) when more wait', async () => {
		const executions: Record<string, { status: string }> = {};
		const n = fakeN8n({ executions });
		for (let i = 1; i <= ANY_BUDGET + 3; i++) {
			executions[String(i)] = { status: 'waiting' };
			n.add(String(i), '');
		}
		const { forward, sent } = forwarder(executions, Object.keys(executions));
		await expect(resumeOneFromIndex(n.ix, undefined, forward)).rejects.toMatchObject({ code: ErrorCodes.ANY_BUDGET, status: 404 });
		expect(sent).toHaveLength(ANY_BUDGET);
	});

	test('stale rows are not candidates: 40 resumed elsewhere, then one waiting → resumed, all 40 deleted', async () => {
		const executions: Record<string, { status: string; resumed?: boolean }> = {};
		const n = fakeN8n({ executions });
		for (let i = 1; i <= 40; i++) {
			executions[String(i)] = { status: 'success', resumed: true };
			n.add(String(i), '');
		}
		executions['41'] = { status: 'waiting' };
		n.add('41', '');
		const { forward } = forwarder(executions);
		await expect(resumeOneFromIndex(n.ix, undefined, forward)).resolves.toEqual({ kind: 'one', id: '41' });
		await deferredDone(); // rows are deleted after the answer (a timer)
		expect(n.rows()).toEqual([]);
	});

	test('a row that does not open costs one GET and still resumes', async () => {
		const executions = { '7': { status: 'waiting' } };
		const n = fakeN8n({ executions });
		n.add('7', 'X');
		n.rows()[0].seal = 'tampered';
		const { forward } = forwarder(executions);
		await expect(resumeOneFromIndex(n.ix, 'X', forward)).resolves.toEqual({ kind: 'one', id: '7' });
		expect(n.requests.filter((r) => r.includes('/executions'))).toHaveLength(1);
	});

	test('all with a key: every waiting one with it, once each (duplicate rows too), ids ascending', async () => {
		const executions = { '1': { status: 'waiting' }, '2': { status: 'waiting' }, '3': { status: 'waiting' } };
		const n = fakeN8n({ executions });
		n.add('3', 'A');
		n.add('1', 'A');
		n.add('1', 'A');
		n.add('2', 'B');
		const { forward, sent } = forwarder(executions);
		await expect(resumeAllFromIndex(n.ix, 'A', forward, 4)).resolves.toEqual({ kind: 'all', ids: ['1', '3'] });
		expect(sent.sort()).toEqual(['1', '3']);
		await deferredDone();
		// their rows (the duplicate too) deleted in one batch request; B's kept
		expect(n.rows().map((r) => r.ckey)).toEqual(['B']);
		expect(n.requests.filter((r) => r.startsWith('DELETE'))).toHaveLength(1);
		await expect(resumeAllFromIndex(n.ix, 'A', forward, 4)).rejects.toMatchObject({ code: ErrorCodes.NOT_WAITING });
	});

	test('a forward that fails (no answer, 5xx) on a row still waiting is 503 (1054); any tries no other row, all names what it resumed', async () => {
		const executions = { '1': { status: 'waiting' }, '2': { status: 'waiting' }, '3': { status: 'waiting' } };
		const n = fakeN8n({ executions });
		n.add('1', 'A');
		n.add('2', 'A');
		n.add('3', 'A');
		const { forward: ok } = forwarder(executions);
		const sent: string[] = [];
		const forward: Forwarder = async (c) => {
			sent.push(c.id);
			return c.id === '1' ? 'failed' : await ok(c);
		};
		await expect(resumeOneFromIndex(n.ix, 'A', forward)).rejects.toMatchObject({ status: 503, code: ErrorCodes.FORWARD_FAILED, retryAfterS: 2 });
		// tried once (its row's token is n8n's), then checked: still waiting; never the next row
		expect(sent).toEqual(['1']);
		expect(executions['2'].status).toBe('waiting');
		await expect(resumeAllFromIndex(n.ix, 'A', forward, 4)).rejects.toMatchObject({ status: 503, code: ErrorCodes.FORWARD_FAILED, message: expect.stringContaining('(resumed: 2,3)') });
		await deferredDone(); // rows are deleted after the answer (a timer)
		// the failed one's row is kept (it still waits), the resumed ones' deleted
		expect(n.rows().map((r) => r.executionId)).toEqual(['1']);
	});

	test('the data table API refusing is 503 (1037)', async () => {
		const n = fakeN8n({ executions: {} });
		const ix: IndexAccess = { ...n.ix, call: async () => ({ status: 403, body: {} }) };
		const { forward } = forwarder({});
		await expect(resumeOneFromIndex(ix, 'A', forward)).rejects.toMatchObject({ code: ErrorCodes.INDEX_UNAVAILABLE, status: 503 });
	});
});
