/**
 * Finding waiting executions through n8n's public API (the database is the source of truth;
 * nothing is kept in memory, so this works with several n8n processes).
 */
import { EXECUTION_ID_PATTERN } from '../constants';

export type ApiGet = (path: string) => Promise<{ status: number; body: unknown }>;

/** The fields of an execution (public API, `includeData=true`) read here; any may be missing. */
interface ApiItem {
	json?: { timedOut?: unknown; receivedAt?: unknown } | null;
}
interface ApiRun {
	data?: { main?: Array<ApiItem[] | null> | null } | null;
}
interface ApiExecution {
	id?: unknown;
	workflowId?: unknown;
	status?: unknown;
	finished?: unknown;
	stoppedAt?: unknown;
	startedAt?: unknown;
	data?: {
		resumeToken?: unknown;
		resultData?: { lastNodeExecuted?: unknown; runData?: Record<string, ApiRun[] | null | undefined> | null } | null;
	} | null;
}
/** A page of `GET /api/v1/executions`. */
interface ApiExecutionPage {
	data?: ApiExecution[] | null;
	nextCursor?: string | null;
}

export interface WaitingExecution {
	id: string;
	resumeToken: string;
	startedAt: string;
}

export type ExecutionState =
	| { kind: 'waiting-here'; execution: WaitingExecution }
	| { kind: 'resumed-here' }
	/** status: n8n's (success, crashed, error, canceled, …) */
	| { kind: 'finished'; status: string }
	| { kind: 'running' }
	| { kind: 'not-here' };

export class ApiError extends Error {
	constructor(readonly status: number) {
		super(`n8n API answered ${status}`);
	}
}

function lastNode(e: ApiExecution | null | undefined): unknown {
	return e?.data?.resultData?.lastNodeExecuted;
}

/** Whether this node's run data holds a callback it resumed with. */
function resumedByNode(e: ApiExecution, nodeName: string): boolean {
	const runs = e?.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.some((run) =>
		(run?.data?.main?.[0] ?? []).some((item) => item?.json?.timedOut === false && item?.json?.receivedAt),
	);
}

/** resumeToken: n8n 2.x's; '' on n8n 1.x, which has none (the forward is signed instead). */
function toWaiting(e: ApiExecution): WaitingExecution {
	return { id: String(e.id), resumeToken: String(e.data?.resumeToken ?? ''), startedAt: String(e.startedAt ?? '') };
}

/** Where one execution stands relative to this node of this workflow. */
export async function executionState(get: ApiGet, id: string, workflowId: string, nodeName: string): Promise<ExecutionState> {
	if (!EXECUTION_ID_PATTERN.test(id)) return { kind: 'not-here' };
	const res = await get(`/api/v1/executions/${encodeURIComponent(id)}?includeData=true`);
	if (res.status === 404) return { kind: 'not-here' };
	if (res.status !== 200) throw new ApiError(res.status);
	const e = res.body as ApiExecution;
	if (String(e.workflowId) !== String(workflowId)) return { kind: 'not-here' };
	if (e.status === 'waiting') {
		return lastNode(e) === nodeName ? { kind: 'waiting-here', execution: toWaiting(e) } : { kind: 'not-here' };
	}
	if (e.status === 'running' || e.status === 'new') return resumedByNode(e, nodeName) ? { kind: 'resumed-here' } : { kind: 'running' };
	return resumedByNode(e, nodeName) ? { kind: 'resumed-here' } : e.finished || e.stoppedAt ? { kind: 'finished', status: String(e.status ?? '') } : { kind: 'not-here' };
}

/** Executions of this workflow waiting at this node, oldest first. */
export async function listWaitingHere(get: ApiGet, workflowId: string, nodeName: string, maxPages = 400): Promise<WaitingExecution[]> {
	const out: WaitingExecution[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < maxPages; page++) {
		const q = new URLSearchParams({ status: 'waiting', workflowId: String(workflowId), includeData: 'true', limit: '250' });
		if (cursor) q.set('cursor', cursor);
		const res = await get(`/api/v1/executions?${q.toString()}`);
		if (res.status !== 200) throw new ApiError(res.status);
		const body = res.body as ApiExecutionPage | null | undefined;
		for (const e of body?.data ?? []) {
			// n8n filters by workflow and status; both checked again, as executionState does
			if (String(e?.workflowId) === String(workflowId) && e?.status === 'waiting' && lastNode(e) === nodeName) out.push(toWaiting(e));
		}
		cursor = body?.nextCursor ?? undefined;
		if (!cursor) break;
	}
	return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || Number(a.id) - Number(b.id));
}

/**
 * n8n's public API lists executions newest first (by id) and pages with an opaque cursor that
 * is base64 JSON `{ lastId, limit }`: the next page holds executions with an id below `lastId`.
 * A cursor built for any id therefore asks "the newest waiting execution below this id", and
 * the answer's `nextCursor` says whether any waiting execution lies below the one returned.
 */
export function cursorBelow(id: number, limit = 1): string {
	return Buffer.from(JSON.stringify({ lastId: String(id), limit })).toString('base64');
}

/** The API did not take a built cursor (a future n8n may change its format). */
export const CURSOR_REFUSED = 'cursor-refused';

interface Probe {
	/** Ids of waiting executions below the bound, newest first (at most one page). */
	ids: number[];
	/** Whether more waiting executions lie below the last id returned. */
	more: boolean;
}

/** Rows per probe: a page without data is cheap, and each page cuts the search short. */
const PROBE_PAGE = 100;

async function probe(get: ApiGet, workflowId: string, below?: number): Promise<Probe | typeof CURSOR_REFUSED> {
	const q = new URLSearchParams({ status: 'waiting', workflowId: String(workflowId), limit: String(PROBE_PAGE) });
	if (below !== undefined) q.set('cursor', cursorBelow(below, PROBE_PAGE));
	const res = await get(`/api/v1/executions?${q.toString()}`);
	if (res.status === 400 && below !== undefined) return CURSOR_REFUSED;
	if (res.status !== 200) throw new ApiError(res.status);
	const body = res.body as ApiExecutionPage | null | undefined;
	const ids: number[] = [];
	for (const row of body?.data ?? []) {
		const id = Number(row?.id);
		if (!Number.isSafeInteger(id) || id < 0) return CURSOR_REFUSED;
		ids.push(id);
	}
	for (let i = 1; i < ids.length; i++) if (ids[i] >= ids[i - 1]) return CURSOR_REFUSED; // not newest first
	return { ids, more: ids.length > 0 && !!body?.nextCursor };
}

/**
 * The oldest (lowest id) executions of the workflow waiting anywhere with an id above `after`,
 * ascending: the oldest, then every other one the same one-page listing showed between it and
 * the probe's bound (at most a page; the walk tries them without searching again). Found by
 * bisecting on the id with page listings that carry no execution data:
 * O(log(highest id / page size)) requests, whatever the number waiting (the API can neither
 * sort oldest first nor filter by the waiting node). Empty when nothing waits above `after`.
 */
export async function oldestWaitingPageAbove(
	get: ApiGet,
	workflowId: string,
	after = 0,
	maxProbes = 80,
	guess?: number,
): Promise<number[] | typeof CURSOR_REFUSED> {
	// Invariant: nothing waits in (after, lo]; the answer, if any, lies in (lo, hi].
	let lo = after;
	let hi = Number.POSITIVE_INFINITY;
	// A guess (see guessFromHint) is only where the first probe looks: whatever it finds keeps
	// the invariant, so a wrong guess costs one request and never a wrong answer.
	let first = guess !== undefined && Number.isSafeInteger(guess) && guess > after ? guess : undefined;
	for (let probes = 0; hi - lo > 1; probes++) {
		if (probes >= maxProbes) return CURSOR_REFUSED;
		const mid = first ?? (Number.isFinite(hi) ? lo + Math.floor((hi - lo) / 2) : undefined);
		first = undefined;
		const r = await probe(get, workflowId, mid === undefined ? undefined : mid + 1); // waiting ids ≤ mid
		if (r === CURSOR_REFUSED) return CURSOR_REFUSED;
		const above = r.ids.filter((id) => id > lo);
		if (above.length === 0) {
			if (mid === undefined) return []; // nothing waits above `after` at all
			lo = mid;
		} else if (above.length < r.ids.length || !r.more) {
			// The page reaches below lo (or is the last): it holds every waiting id in (lo, mid].
			return above.reverse();
		} else {
			hi = above[above.length - 1];
		}
	}
	return Number.isFinite(hi) ? [hi] : [];
}

/**
 * Executions of this workflow waiting at this node, oldest first, one at a time: a search finds
 * the next waiting ids by id (a page of them), each is read (with its resume token) when its turn
 * comes, and the next search starts above the last id tried. Falls back to a full listing if the
 * API refuses built cursors.
 */
export async function* waitingHereOldestFirst(
	get: ApiGet,
	workflowId: string,
	nodeName: string,
	hint?: { guess?: number; found?: (oldest: number) => void },
): AsyncGenerator<WaitingExecution> {
	let after = 0;
	for (let step = 0; step < 100_000; ) {
		const page = await oldestWaitingPageAbove(get, workflowId, after, undefined, after === 0 ? hint?.guess : undefined);
		if (after === 0 && page !== CURSOR_REFUSED && page.length) hint?.found?.(page[0]);
		if (page === CURSOR_REFUSED) {
			for (const e of await listWaitingHere(get, workflowId, nodeName)) {
				if (after === 0 || Number(e.id) > after) yield e;
			}
			return;
		}
		if (page.length === 0) return;
		for (const id of page) {
			step++;
			after = id;
			const state = await executionState(get, String(id), workflowId, nodeName);
			if (state.kind === 'waiting-here') yield state.execution;
		}
	}
}
