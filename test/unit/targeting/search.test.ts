import {
	type ApiGet,
	CURSOR_REFUSED,
	cursorBelow,
	oldestWaitingPageAbove,
	executionState,
	listWaitingHere,
	waitingHereOldestFirst,
} from '../../../nodes/callback/targeting/search';
import { guessFromHint, hintToStore, staticDataHint } from '../../../nodes/callback/targeting/anyHint';

/** The oldest waiting id above `after`: the first of the page the search answers with. */
async function oldestWaitingAbove(get: ApiGet, workflowId: string, after?: number) {
	const page = await oldestWaitingPageAbove(get, workflowId, after);
	return page === CURSOR_REFUSED ? page : page[0];
}

/**
 * A stand-in for n8n's public API listing (`GET /api/v1/executions?status=waiting&…`) with the
 * semantics read from n8n 2.41.1's sources: newest first by id, a cursor `{ lastId, limit }`
 * selects ids below lastId, `nextCursor` is set when more rows lie below the last one returned.
 * The e2e suite and the benchmark run the real thing; this pins the search logic.
 */
function fakeApi(waiting: Map<number, string>, workflowId = 'wf1') {
	const calls: string[] = [];
	const get: ApiGet = async (path) => {
		calls.push(path);
		const url = new URL(path, 'http://api.invalid');
		const full = (id: string) => ({
			id,
			workflowId,
			status: 'waiting',
			data: { resumeToken: `tok${id}`, resultData: { lastNodeExecuted: waiting.get(Number(id)), runData: {} } },
		});
		const id = /^\/api\/v1\/executions\/(\d+)$/.exec(url.pathname)?.[1];
		if (id) return waiting.has(Number(id)) ? { status: 200, body: full(id) } : { status: 404, body: {} };
		expect(url.searchParams.get('status')).toBe('waiting');
		expect(url.searchParams.get('workflowId')).toBe(workflowId);
		const cursor = url.searchParams.get('cursor');
		const { lastId, limit } = cursor
			? JSON.parse(Buffer.from(cursor, 'base64').toString())
			: { lastId: undefined, limit: Number(url.searchParams.get('limit') ?? 100) };
		const below = [...waiting.keys()].filter((k) => lastId === undefined || k < Number(lastId)).sort((a, b) => b - a);
		const page = below.slice(0, limit);
		const rest = below.length - page.length;
		return { status: 200, body: { data: page.map((k) => (url.searchParams.get('includeData') === 'true' ? full(String(k)) : { id: String(k) })), nextCursor: rest > 0 ? cursorBelow(page.at(-1)!, limit) : null } };
	};
	return { get, calls };
}

/** A seeded linear congruential generator: the randomised tests repeat exactly. */
function seeded(seed: number) {
	return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const ids = (n: number, from = 1, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

test('the built cursor is what n8n decodes: base64 JSON with lastId and limit', () => {
	expect(JSON.parse(Buffer.from(cursorBelow(1234, 1), 'base64').toString())).toEqual({ lastId: '1234', limit: 1 });
});

test.each([
	['one waiting', [7]],
	['a contiguous block', ids(500, 1000)],
	['sparse ids', [3, 90, 91, 5000, 65_000, 1_000_000]],
	['lowest id 1', ids(50, 1)],
	['two', [41, 42]],
])('finds the oldest waiting execution: %s', async (_what, list) => {
	const { get } = fakeApi(new Map(list.map((k) => [k, 'Wait'])));
	expect(await oldestWaitingAbove(get, 'wf1')).toBe(Math.min(...list));
});

test('nothing waiting → undefined; nothing above a bound → undefined', async () => {
	expect(await oldestWaitingAbove(fakeApi(new Map()).get, 'wf1')).toBeUndefined();
	expect(await oldestWaitingAbove(fakeApi(new Map([[5, 'Wait']])).get, 'wf1', 5)).toBeUndefined();
});

test('finds the next one above a bound, with waiting executions below the bound', async () => {
	const { get } = fakeApi(new Map([3, 10, 11, 400, 401].map((k) => [k, 'Wait'])));
	expect(await oldestWaitingAbove(get, 'wf1', 3)).toBe(10);
	expect(await oldestWaitingAbove(get, 'wf1', 10)).toBe(11);
	expect(await oldestWaitingAbove(get, 'wf1', 11)).toBe(400);
	expect(await oldestWaitingAbove(get, 'wf1', 400)).toBe(401);
	expect(await oldestWaitingAbove(get, 'wf1', 401)).toBeUndefined();
});

test('requests grow with the log of the highest id, not the number waiting', async () => {
	const { get, calls } = fakeApi(new Map(ids(10_000, 20_001).map((k) => [k, 'Wait'])));
	expect(await oldestWaitingAbove(get, 'wf1')).toBe(20_001);
	// pages of 100 ids: the bisection stops once the oldest 100 lie below the probe
	expect(calls.length).toBeLessThanOrEqual(Math.ceil(Math.log2(30_000 / 100)) + 2);
});

test('a page that reaches below the bound answers at once', async () => {
	const { get, calls } = fakeApi(new Map(ids(60, 1).map((k) => [k, 'Wait'])));
	expect(await oldestWaitingAbove(get, 'wf1', 30)).toBe(31);
	expect(calls).toHaveLength(1);
});

test('randomised: always the lowest id above the bound', async () => {
	const rnd = seeded(12345);
	for (let round = 0; round < 200; round++) {
		const set = new Set<number>();
		const n = 1 + Math.floor(rnd() * 40);
		for (let i = 0; i < n; i++) set.add(1 + Math.floor(rnd() * 5000));
		const after = Math.floor(rnd() * 5000);
		const expected = [...set].filter((k) => k > after).sort((a, b) => a - b)[0];
		expect(await oldestWaitingAbove(fakeApi(new Map([...set].map((k) => [k, 'Wait']))).get, 'wf1', after)).toBe(expected);
	}
});

test('walks oldest first and skips executions waiting at another node', async () => {
	const waiting = new Map<number, string>([
		[5, 'Other'],
		[8, 'Wait'],
		[9, 'Other'],
		[12, 'Wait'],
	]);
	const { get } = fakeApi(waiting);
	const seen: string[] = [];
	for await (const e of waitingHereOldestFirst(get, 'wf1', 'Wait')) seen.push(`${e.id}:${e.resumeToken}`);
	expect(seen).toEqual(['8:tok8', '12:tok12']);
});

test('the walk stops early when the caller stops (no listing of the rest)', async () => {
	const { get, calls } = fakeApi(new Map(ids(5000, 1).map((k) => [k, 'Wait'])));
	for await (const e of waitingHereOldestFirst(get, 'wf1', 'Wait')) {
		expect(e.id).toBe('1');
		break;
	}
	expect(calls.filter((c) => c.includes('includeData=true'))).toHaveLength(1);
	expect(calls.length).toBeLessThan(20);
});

test('the search answers with the page it found, ascending: every waiting id from the oldest up to the probe', async () => {
	const { get } = fakeApi(new Map([3, 10, 11, 400, 401].map((k) => [k, 'Wait'])));
	expect(await oldestWaitingPageAbove(get, 'wf1')).toEqual([3, 10, 11, 400, 401]);
	expect(await oldestWaitingPageAbove(get, 'wf1', 10)).toEqual([11, 400, 401]);
	expect(await oldestWaitingPageAbove(get, 'wf1', 401)).toEqual([]);
	const big = fakeApi(new Map(ids(10_000, 20_001).map((k) => [k, 'Wait'])));
	const page = await oldestWaitingPageAbove(big.get, 'wf1');
	if (page === CURSOR_REFUSED) throw new Error('refused');
	expect(page[0]).toBe(20_001);
	expect(page).toEqual([...page].sort((a, b) => a - b));
	expect(page.length).toBeLessThanOrEqual(100);
	expect(page).toEqual(ids(page.length, 20_001)); // no gaps: every waiting id in the range
});

test('a walk past many candidates (a condition that only a late one meets) searches once per page, not once per candidate', async () => {
	const { get, calls } = fakeApi(new Map(ids(5000, 1001, 3).map((k) => [k, 'Wait'])));
	const seen: number[] = [];
	for await (const e of waitingHereOldestFirst(get, 'wf1', 'Wait')) {
		seen.push(Number(e.id));
		if (seen.length === 450) break;
	}
	expect(seen).toEqual(ids(450, 1001, 3)); // oldest first, none skipped
	const listings = calls.filter((c) => !/\/executions\/\d+/.test(c));
	const reads = calls.length - listings.length;
	expect(reads).toBe(450);
	// a search per candidate would make about 450 × log2(16,000 / 100) ≈ 3,300 listings; a search
	// per page makes a few dozen (pages hold up to 100 ids, fewer where a bisection lands)
	expect(listings.length).toBeLessThan(reads / 4);
});

test('falls back to a full listing when the API refuses a built cursor', async () => {
	const waiting = new Map<number, string>([
		[2, 'Wait'],
		[3, 'Wait'],
	]);
	const inner = fakeApi(waiting);
	const get: ApiGet = async (path) => (path.includes('cursor=') && !path.includes('includeData') ? { status: 400, body: {} } : await inner.get(path));
	const seen: string[] = [];
	for await (const e of waitingHereOldestFirst(get, 'wf1', 'Wait')) seen.push(e.id);
	expect(seen).toEqual(['2', '3']);
});

describe('the hint of where the oldest waiting execution was (node static data)', () => {
	/** Drains a queue with `any` the way the stable URL does: hint in, hint out, resume the first. */
	async function drainOnce(waiting: Map<number, string>, memo: Record<string, unknown>) {
		const api = fakeApi(waiting);
		for await (const e of waitingHereOldestFirst(api.get, 'wf1', 'Wait', staticDataHint(memo))) {
			waiting.delete(Number(e.id));
			return { id: Number(e.id), listings: api.calls.filter((c) => !/\/executions\/\d+/.test(c)).length };
		}
		return { id: undefined, listings: api.calls.length };
	}

	test('a queue drained by any: oldest first every time, one listing per call once the hint is there, the hint rewritten every few dozen calls', async () => {
		const waiting = new Map(ids(10_000, 20_001).map((k) => [k, 'Wait']));
		const memo: Record<string, unknown> = {};
		const first = await drainOnce(waiting, memo);
		expect(first.id).toBe(20_001);
		expect(first.listings).toBeGreaterThan(3); // no hint yet: the bisection
		expect(memo.oldestWaitingId).toBe(20_001);
		let writes = 0;
		for (let i = 1; i < 500; i++) {
			const before = memo.oldestWaitingId;
			const r = await drainOnce(waiting, memo);
			expect(r.id).toBe(20_001 + i);
			expect(r.listings).toBe(1);
			if (memo.oldestWaitingId !== before) writes++;
		}
		expect(writes).toBeGreaterThan(5);
		expect(writes).toBeLessThan(20); // 499 calls, a write every 46
	});

	test('an execution older than the hint that starts waiting late is still found first', async () => {
		const waiting = new Map(ids(300, 1001).map((k) => [k, 'Wait']));
		const memo: Record<string, unknown> = { oldestWaitingId: 1001 };
		waiting.set(17, 'Wait'); // started long ago, reached the wait node only now
		expect((await drainOnce(waiting, memo)).id).toBe(17);
		expect((await drainOnce(waiting, memo)).id).toBe(1001);
	});

	test('a stale, missing, altered or absurd hint costs at most one listing more, never a wrong answer', async () => {
		const list = ids(2000, 50_001, 2);
		const plain = fakeApi(new Map(list.map((k) => [k, 'Wait'])));
		await oldestWaitingPageAbove(plain.get, 'wf1');
		const baseline = plain.calls.length;
		for (const stored of [1, 49_000, 50_900, 58_000, 10 ** 12, -5, 0, 1.5, '50001', { id: 1 }, null, undefined, Number.MAX_SAFE_INTEGER]) {
			const api = fakeApi(new Map(list.map((k) => [k, 'Wait'])));
			const page = await oldestWaitingPageAbove(api.get, 'wf1', 0, undefined, guessFromHint(stored));
			expect(page === CURSOR_REFUSED ? page : page[0]).toBe(50_001);
			expect(api.calls.length).toBeLessThanOrEqual(baseline + 1);
		}
	});

	test('randomised: any guess gives the lowest id above the bound', async () => {
		const rnd = seeded(777);
		for (let round = 0; round < 300; round++) {
			const set = new Set<number>();
			const n = 1 + Math.floor(rnd() * 300);
			for (let i = 0; i < n; i++) set.add(1 + Math.floor(rnd() * 5000));
			const after = rnd() < 0.5 ? 0 : Math.floor(rnd() * 5000);
			const guess = Math.floor(rnd() * 6000);
			const expected = [...set].filter((k) => k > after).sort((a, b) => a - b)[0];
			const page = await oldestWaitingPageAbove(fakeApi(new Map([...set].map((k) => [k, 'Wait']))).get, 'wf1', after, undefined, guess);
			expect(page === CURSOR_REFUSED ? page : page[0]).toBe(expected);
		}
	});

	test('only numbers that are ids make a guess; the hint is rewritten only when it is off by more than 45', () => {
		expect(guessFromHint(1000)).toBe(1090);
		for (const bad of [0, -1, 1.5, '1000', null, undefined, {}, Number.NaN, 2 ** 60]) expect(guessFromHint(bad)).toBeUndefined();
		expect(hintToStore(undefined, 500)).toBe(500);
		expect(hintToStore('500', 500)).toBe(500);
		expect(hintToStore(500, 545)).toBeUndefined();
		expect(hintToStore(500, 546)).toBe(546);
		expect(hintToStore(500, 454)).toBe(454);
	});
});

describe('twin workflows (one template: the same node names and ids)', () => {
	// Executions 5 and 6 belong to workflow A, 7 and 9 to its twin B; 8 is B's, waiting at another node.
	const rows = new Map<number, { workflowId: string; node: string }>([
		[5, { workflowId: 'wfA', node: 'External Callback Wait' }],
		[6, { workflowId: 'wfA', node: 'External Callback Wait' }],
		[7, { workflowId: 'wfB', node: 'External Callback Wait' }],
		[8, { workflowId: 'wfB', node: 'Other Wait' }],
		[9, { workflowId: 'wfB', node: 'External Callback Wait' }],
	]);
	const full = (id: number) => ({
		id: String(id),
		workflowId: rows.get(id)!.workflowId,
		status: 'waiting',
		startedAt: `2026-12-01T00:00:0${id}.000Z`,
		data: { resumeToken: `tok${id}`, resultData: { lastNodeExecuted: rows.get(id)!.node, runData: {} } },
	});
	/** A listing that ignores the workflow filter, as if n8n's filter failed: every row, newest first. */
	const unfiltered: ApiGet = async (path) => {
		const url = new URL(path, 'http://api.invalid');
		const one = /^\/api\/v1\/executions\/(\d+)$/.exec(url.pathname)?.[1];
		if (one) return rows.has(Number(one)) ? { status: 200, body: full(Number(one)) } : { status: 404, body: {} };
		const cursor = url.searchParams.get('cursor');
		const lastId = cursor ? Number(JSON.parse(Buffer.from(cursor, 'base64').toString()).lastId) : Infinity;
		const ids = [...rows.keys()].filter((id) => id < lastId).sort((a, b) => b - a);
		return { status: 200, body: { data: ids.map((id) => (url.searchParams.get('includeData') === 'true' ? full(id) : { id: String(id) })), nextCursor: null } };
	};

	test("any: a hint pointing at the twin's executions, and a listing that shows them, still yield only this workflow's executions waiting at this node", async () => {
		for (const guess of [undefined, 5, 6, 95, 1]) {
			const found: string[] = [];
			for await (const e of waitingHereOldestFirst(unfiltered, 'wfB', 'External Callback Wait', { guess })) found.push(e.id);
			expect({ guess, found }).toEqual({ guess, found: ['7', '9'] });
		}
	});

	test("all and id: only this workflow's executions waiting at this node", async () => {
		expect((await listWaitingHere(unfiltered, 'wfB', 'External Callback Wait')).map((e) => e.id)).toEqual(['7', '9']);
		expect((await listWaitingHere(unfiltered, 'wfA', 'External Callback Wait')).map((e) => e.id)).toEqual(['5', '6']);
		expect(await executionState(unfiltered, '5', 'wfB', 'External Callback Wait')).toEqual({ kind: 'not-here' });
		expect(await executionState(unfiltered, '8', 'wfB', 'External Callback Wait')).toEqual({ kind: 'not-here' });
		expect(await executionState(unfiltered, '7', 'wfB', 'External Callback Wait')).toMatchObject({ kind: 'waiting-here', execution: { id: '7' } });
	});
});
