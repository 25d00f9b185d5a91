/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * `?key=` with this process's key hint (targeting/hints.ts): the hinted execution is forwarded
 * at once, without the index request; a hint whose forward is not taken falls back to the index
 * lookup and gives its answer. The index itself: indexed.test.ts; a real n8n: correlation.test.ts.
 */
import { KEY_HEADER } from '../../../nodes/callback/constants';
import { ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import type { HttpSend, OutboundRequest } from '../../../nodes/callback/targeting/forward';
import { clearHints, keyHint, rememberKeyHint } from '../../../nodes/callback/targeting/hints';
import { forgetStaleRows } from '../../../nodes/callback/targeting/indexed';
import { type ApiCall, INDEX_TABLE_NAME, forgetTable, sealToken } from '../../../nodes/callback/targeting/keyIndex';
import type { ApiGet } from '../../../nodes/callback/targeting/search';
import { type TargetIO, type TargetSpec, runTarget } from '../../../nodes/callback/targeting/target';

const API_KEY = 'k'.repeat(40);
const BASE = 'http://127.0.0.1:5678';
const TOKEN = 'a'.repeat(64);

async function deferredDone(): Promise<void> {
	for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 1));
}

type Exec = { status: string; key: string; answer?: 'ignored' | 'fail' };

/** A fake n8n: a data table API over `rows`, the executions API, and resume URLs that take a call while waiting. */
function fakeN8n(executions: Record<string, Exec>) {
	let rows: Array<Record<string, string | number>> = [];
	let nextId = 1;
	const requests: string[] = [];
	const call: ApiCall = async (method, path, body) => {
		const url = new URL(`http://x${path}`);
		requests.push(`${method} ${url.pathname}${url.searchParams.get('filter') ? ` ${url.searchParams.get('filter')}` : ''}`);
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
		return { status: 200, body: { data: rows.filter(match).slice(0, Number(url.searchParams.get('limit'))) } };
	};
	const get: ApiGet = async (path) => {
		requests.push(`GET ${path.split('?')[0]}`);
		const id = /executions\/([^?]+)/.exec(path)![1];
		const e = executions[id];
		if (!e) return { status: 404, body: {} };
		return { status: 200, body: { id, workflowId: 'wf1', status: e.status, finished: e.status === 'success', data: { resumeToken: TOKEN, resultData: { lastNodeExecuted: 'Wait', runData: {} } } } };
	};
	const sent: OutboundRequest[] = [];
	const send: HttpSend = async (request) => {
		sent.push(request);
		const id = /\/webhook-waiting\/([^/?]+)/.exec(request.url)![1];
		const e = executions[id];
		if (e?.answer === 'fail') throw new Error('socket hang up');
		if (!e || e.status !== 'waiting') return { status: 409, headers: {} };
		if (e.answer === 'ignored') return { status: 200, headers: { 'x-external-callback-outcome': 'ignored' } };
		e.status = 'success';
		return { status: 200, headers: { 'x-external-callback-outcome': 'resumed' } };
	};
	const add = (executionId: string) =>
		rows.push({ id: nextId++, workflowId: 'wf1', nodeId: 'n-1', ckey: executions[executionId].key, executionId, seal: sealToken(API_KEY, executionId, TOKEN) });
	const io: TargetIO = {
		workflowId: 'wf1',
		nodeId: 'n-1',
		nodeVersion: 2,
		nodeName: 'Wait',
		n8nApi: async () => ({ apiKey: API_KEY, baseUrl: `${BASE}/`, webhookBaseUrl: '' }),
		apiGet: () => get,
		apiCall: () => call,
		correlation: { enabled: true },
		send,
		ownBaseUrl: () => 'http://127.0.0.1:1',
		staticData: () => ({}),
	};
	const spec: TargetSpec = { repeatedStatus: 200, stateParameter: 'state', io };
	const hint = (key: string, executionId: string) =>
		rememberKeyHint({ workflowId: 'wf1', nodeId: 'n-1', key, executionId, apiKey: API_KEY, seal: sealToken(API_KEY, executionId, TOKEN) });
	const rowReads = () => requests.filter((r) => r.startsWith('GET /api/v1/data-tables/t1/rows'));
	return { spec, sent, add, hint, rows: () => rows, requests, rowReads };
}

const keyCall = (key: string) => ({
	incoming: { method: 'POST', contentType: 'application/json', headers: {}, query: { key }, body: {}, rawBody: Buffer.from('{}') },
	identity: undefined,
	carryIdentity: false,
});
const hintOf = (key: string) => keyHint({ workflowId: 'wf1', nodeId: 'n-1', key, apiKey: API_KEY });

beforeEach(() => {
	clearHints();
	forgetStaleRows();
	forgetTable(`${BASE}`, API_KEY);
});

describe('?key= with a key hint', () => {
	test('the hinted execution is resumed without reading the index; its row is deleted after the answer', async () => {
		const n8n = fakeN8n({ '5': { status: 'waiting', key: 'T-1' }, '6': { status: 'waiting', key: 'T-2' } });
		n8n.add('5');
		n8n.add('6');
		n8n.hint('T-1', '5');
		await expect(runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec)).resolves.toEqual({ kind: 'one', id: '5' });
		expect(n8n.rowReads()).toEqual([]);
		expect(n8n.sent.map((r) => /webhook-waiting\/(\d+)/.exec(r.url)![1])).toEqual(['5']);
		// the key travels with the forward: the resume URL's wait node compares it with its own
		expect(n8n.sent[0].headers[KEY_HEADER]).toBe('T-1');
		await deferredDone();
		expect(n8n.rows().map((r) => r.executionId)).toEqual(['6']);
		expect(hintOf('T-1')).toBeUndefined();
	});

	test('a hint whose execution no longer waits (resumed by its resume URL): dropped, and the index gives the answer', async () => {
		const n8n = fakeN8n({ '5': { status: 'success', key: 'T-1' }, '9': { status: 'waiting', key: 'T-1' } });
		n8n.add('5');
		n8n.add('9');
		n8n.hint('T-1', '5');
		await expect(runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec)).resolves.toEqual({ kind: 'one', id: '9' });
		expect(n8n.rowReads().length).toBeGreaterThan(0);
		expect(hintOf('T-1')).toBeUndefined();
		await deferredDone();
		expect(n8n.rows()).toEqual([]); // the stale row of 5 and the row of 9
	});

	test('no other waiting with the key after a stale hint: the index lookup\'s 404 (1031)', async () => {
		const n8n = fakeN8n({ '5': { status: 'success', key: 'T-1' } });
		n8n.add('5');
		n8n.hint('T-1', '5');
		await expect(runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec)).rejects.toMatchObject({ code: ErrorCodes.NOT_WAITING });
	});

	test('a condition false for this call: the index lookup answers (here 404), and the hint stays', async () => {
		const n8n = fakeN8n({ '5': { status: 'waiting', key: 'T-1', answer: 'ignored' } });
		n8n.add('5');
		n8n.hint('T-1', '5');
		await expect(runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec)).rejects.toMatchObject({ code: ErrorCodes.NOT_WAITING });
		expect(n8n.rows()).toHaveLength(1);
		expect(hintOf('T-1')?.executionId).toBe('5');
	});

	test('a forward without an answer: the index lookup decides; the execution still waiting there → 503 (1054), no other tried', async () => {
		const n8n = fakeN8n({ '5': { status: 'waiting', key: 'T-1', answer: 'fail' }, '9': { status: 'waiting', key: 'T-1' } });
		n8n.add('5');
		n8n.add('9');
		n8n.hint('T-1', '5');
		await expect(runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec)).rejects.toMatchObject({ code: ErrorCodes.FORWARD_FAILED });
		expect(n8n.sent.every((r) => r.url.includes('/webhook-waiting/5'))).toBe(true);
		expect(hintOf('T-1')).toBeUndefined();
	});

	test('two concurrent calls for one hinted key: one resumes it, the other gets the lookup\'s 404 (1031)', async () => {
		const n8n = fakeN8n({ '5': { status: 'waiting', key: 'T-1' } });
		n8n.add('5');
		n8n.hint('T-1', '5');
		const [a, b] = await Promise.allSettled([runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec), runTarget({ kind: 'any' }, keyCall('T-1'), n8n.spec)]);
		const outcomes = [a, b].map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: number }).code));
		expect(outcomes).toEqual(expect.arrayContaining([{ kind: 'one', id: '5' }, ErrorCodes.NOT_WAITING]));
	});

	test('all with a key reads the index (every one with the key), hint or not', async () => {
		const n8n = fakeN8n({ '5': { status: 'waiting', key: 'T-1' }, '9': { status: 'waiting', key: 'T-1' } });
		n8n.add('5');
		n8n.add('9');
		n8n.hint('T-1', '5');
		await expect(runTarget({ kind: 'all' }, keyCall('T-1'), n8n.spec)).resolves.toEqual({ kind: 'all', ids: ['5', '9'] });
		expect(n8n.rowReads().length).toBeGreaterThan(0);
	});
});
