import { createHash } from 'node:crypto';

import { sleep } from 'n8n-workflow';

import { anyBudget, forwardFailed, forwardsFailed, indexUnavailable, notWaiting, staleBudget } from '../pipeline/errors';
import type { Forwarder } from './forward';
import { type ApiCall, IndexError, type IndexRow, deleteRow, deleteRows, findRows, forgetTable, openToken } from './keyIndex';
import { busyRetryAfter } from './admission';
import { type PoolResult, runPool } from './pool';
import { type ApiGet, type ExecutionState, type WaitingExecution, executionState } from './search';
import type { TargetOutcome } from './target';

/**
 * `any` and `all` through the correlation index (keyIndex.ts): the rows of this workflow's wait
 * node (with the key), oldest first, one filtered request per page. Each row is tried at its
 * execution's resume URL (n8n checks the token and that it still waits; the wait node checks the
 * key and the condition). A row the resume URL does not take is checked with one GET of the
 * execution: resumed, finished (timed out, crashed, stopped) or gone (deleted) → the row is
 * deleted and the next one tried; still starting to wait (the row is written just before the
 * execution is saved as waiting) → looked at again for a moment. Bounded: ANY_BUDGET rows.
 */
export interface IndexAccess {
	call: ApiCall;
	table: string;
	apiKey: string;
	base: string;
	get: ApiGet;
	workflowId: string;
	nodeId: string;
	nodeName: string;
}

/** Rows `any` tries per call (with or without a key) before it answers 1038 / 404. */
export const ANY_BUDGET = 25;
/** Stale rows one call looks at at most on its way (they are not candidates); then 503 1055 if none was tried. */
export const STALE_BUDGET = 1_000;
/** State checks of a page's rows at a time, once the page has shown a stale row. */
const PRECHECK_PARALLELISM = 8;
const PAGE = 25;
const ALL_PAGE = 250;
/** How long a row whose execution is still running (not yet waiting, or being resumed) is watched. */
const SETTLE_MS = 2_000;
const SETTLE_STEP_MS = 100;

type RowOutcome = 'resumed' | 'ignored' | 'stale' | 'lost' | 'failed';

/*
 * Stale rows (their execution resumed by its own resume URL, timed out, deleted) cluster: a
 * batch resumed directly leaves a run of them at the head of the index, and every `any` meets
 * them in the same order. Three things keep that cheap, none of them state the answer depends
 * on (this process's memory only; each entry is a fact that does not change):
 * - once a page has shown a stale row, the rest of the page is checked in parallel (one GET of
 *   the execution each, PRECHECK_PARALLELISM at a time) and its stale rows are skipped without
 *   a forward and deleted in one request;
 * - concurrent calls in this process that check the same execution share one GET (`checking`,
 *   in flight only);
 * - a row found stale is remembered (`staleRows`, at most STALE_MEMO entries, each
 *   STALE_MEMO_MS) until its deletion has surely gone through, so that another call meeting it
 *   in the meantime skips it. A row once stale stays stale: an execution that comes back to
 *   wait at this node gets a new row. Remembered by row id *and* seal: n8n's SQLite tables reuse
 *   the highest row id after a delete (measured: the e2e correlation tests), and the seal is
 *   random per insert, so a new row under a reused id is never taken for the old one.
 */
const checking = new Map<string, Promise<ExecutionState>>();
const staleRows = new Map<string, number>();
const STALE_MEMO = 5_000;
const STALE_MEMO_MS = 60_000;

function scopeOf(ix: IndexAccess): string {
	return `${ix.base} ${ix.table} ${createHash('sha256').update(ix.apiKey).digest('base64url').slice(0, 16)}`;
}

function staleKey(ix: IndexAccess, row: IndexRow): string {
	return `${scopeOf(ix)} ${row.id} ${row.seal}`;
}

function rememberStale(ix: IndexAccess, row: IndexRow, nowMs = Date.now()): void {
	if (staleRows.size >= STALE_MEMO) staleRows.clear();
	staleRows.set(staleKey(ix, row), nowMs);
}

function knownStale(ix: IndexAccess, row: IndexRow, nowMs = Date.now()): boolean {
	const key = staleKey(ix, row);
	const at = staleRows.get(key);
	if (at === undefined) return false;
	if (nowMs - at < STALE_MEMO_MS) return true;
	staleRows.delete(key);
	return false;
}

/** Forgets the remembered stale rows (tests). */
export function forgetStaleRows(): void {
	staleRows.clear();
}

/** One GET of the execution; concurrent callers in this process for the same one share it. */
async function sharedState(ix: IndexAccess, executionId: string): Promise<ExecutionState> {
	const key = `${scopeOf(ix)} ${ix.workflowId} ${ix.nodeName} ${executionId}`;
	const pending = checking.get(key);
	if (pending) return await pending;
	const state = executionState(ix.get, executionId, ix.workflowId, ix.nodeName).finally(() => checking.delete(key));
	checking.set(key, state);
	return await state;
}

/** Resumed, finished (timed out, crashed), deleted, or not this node's: the row is stale. */
function isStale(state: ExecutionState): boolean {
	return state.kind !== 'waiting-here' && state.kind !== 'running';
}

/** The states of these rows' executions, PRECHECK_PARALLELISM at a time (a check that failed: absent). */
async function precheck(ix: IndexAccess, rows: IndexRow[]): Promise<Map<number, ExecutionState>> {
	const { results } = await runPool(rows.length, PRECHECK_PARALLELISM, async (i) => await sharedState(ix, rows[i].executionId));
	const out = new Map<number, ExecutionState>();
	results.forEach((r, i) => {
		if (r && typeof r === 'object' && 'kind' in r) out.set(rows[i].id, r);
	});
	return out;
}

/** The 404 message when no row's execution took the call (with or without a key). */
function noneTook(key: string | undefined): string {
	return key === undefined ? 'No execution waiting at this node accepted the call' : 'No execution waiting at this node has this key (or accepted the call)';
}

async function indexed<T>(ix: IndexAccess, task: () => Promise<T>): Promise<T> {
	return await task().catch(async (error: unknown) => {
		if (!(error instanceof IndexError)) return await Promise.reject(error);
		if (error.status === 404) forgetTable(ix.base, ix.apiKey); // the table was deleted: found or made again next call
		// n8n answering 5xx (e.g. "Database is not ready" under load) is transient: retry later, in a turn of its own (admission.ts)
		return await Promise.reject(
			error.status === 401 || error.status === 403
				? indexUnavailable('the API key may not use data tables')
				: indexUnavailable(`status ${error.status}`, error.status >= 500 ? busyRetryAfter() : undefined),
		);
	});
}

/** Deletes a row without holding up the answer (a row left behind is found stale later). */
function dropRow(ix: IndexAccess, row: IndexRow): Promise<void> {
	return deleteRow(ix.call, ix.table, row.id).catch(() => undefined);
}

/** Deletes rows in batches (one request per DELETE_BATCH rows, an `or` filter on their ids). */
const DELETE_BATCH = 50;
async function dropRows(ix: IndexAccess, rowIds: number[]): Promise<void> {
	for (let i = 0; i < rowIds.length; i += DELETE_BATCH) {
		await deleteRows(ix.call, ix.table, rowIds.slice(i, i + DELETE_BATCH)).catch(() => undefined);
	}
}

/**
 * One row tried: forwarded, and when not taken, checked and cleaned. `drop`: how a row to delete
 * is deleted (default: at once; `all` collects them and deletes them in batches at the end).
 */
async function tryRow(ix: IndexAccess, row: IndexRow, forward: Forwarder, drop?: (row: IndexRow) => void): Promise<RowOutcome> {
	const token = openToken(ix.apiKey, row.executionId, row.seal);
	let execution: WaitingExecution | undefined = token ? { id: row.executionId, resumeToken: token, startedAt: '' } : undefined;
	const deadline = Date.now() + SETTLE_MS;
	// a forward that got no answer (or a 5xx): the execution may still wait, or may have taken it
	let failed = false;
	for (let attempt = 0; attempt < 40; attempt++) {
		if (execution) {
			const outcome = await forward(execution);
			if (outcome === 'resumed') {
				if (drop) drop(row);
				// after the answer is written (a timer runs after the reply's microtasks): never on its path
				else void sleep(0).then(async () => await dropRow(ix, row));
				return 'resumed';
			}
			if (outcome === 'ignored') return 'ignored';
			failed = outcome === 'failed';
		}
		const state = await sharedState(ix, row.executionId);
		if (state.kind === 'waiting-here') {
			// not taken with the row's token (an edited row, a lost connection): once more with n8n's
			if (execution && execution.resumeToken === state.execution.resumeToken) return failed ? 'failed' : 'lost';
			execution = state.execution;
			continue;
		}
		if (state.kind === 'running' && Date.now() < deadline) {
			// written just before the execution is saved as waiting, or being resumed by another call
			await sleep(SETTLE_STEP_MS);
			continue;
		}
		if (state.kind === 'running') return failed ? 'failed' : 'lost';
		// resumed, finished (timed out, crashed), deleted, or not this node's
		rememberStale(ix, row);
		if (drop) drop(row);
		else void dropRow(ix, row);
		return 'stale';
	}
	return 'lost';
}

/** `any`: the oldest waiting execution (with the key) that takes the call. */
export async function resumeOneFromIndex(ix: IndexAccess, key: string | undefined, forward: Forwarder): Promise<TargetOutcome> {
	const scope = { workflowId: ix.workflowId, nodeId: ix.nodeId, key };
	let after = 0;
	let tried = 0;
	// stale rows are deleted as they are met (each once): they do not count as candidates, but a
	// call cleans at most STALE_BUDGET of them (e.g. after many direct resumes by resume URL)
	let cleaned = 0;
	let staleRun = false;
	while (tried < ANY_BUDGET && cleaned < STALE_BUDGET) {
		const rows = await indexed(ix, async () => await findRows(ix.call, ix.table, scope, PAGE, after));
		if (!rows.length) break;
		// after the first stale row of a page: the states of the rest, checked in parallel (a page
		// after one that held only stale rows: all of its rows, before any forward)
		let states: Map<number, ExecutionState> | undefined = staleRun ? await precheck(ix, rows.filter((row) => !knownStale(ix, row))) : undefined;
		const skipped: number[] = [];
		const cleanedBefore = cleaned;
		try {
			for (let r = 0; r < rows.length; r++) {
				if (tried >= ANY_BUDGET || cleaned >= STALE_BUDGET) break;
				const row = rows[r];
				after = row.id;
				const known = states?.get(row.id);
				if (knownStale(ix, row) || (known && isStale(known))) {
					if (known) rememberStale(ix, row);
					skipped.push(row.id);
					cleaned++;
					continue;
				}
				const outcome = await tryRow(ix, row, forward);
				if (outcome === 'resumed') return { kind: 'one', id: row.executionId };
				// it may have taken the call before its process died: no other one is tried
				if (outcome === 'failed') throw forwardFailed(`The forward to execution ${row.executionId} failed`);
				if (outcome === 'stale') {
					cleaned++;
					states ??= await precheck(ix, rows.slice(r + 1).filter((next) => !knownStale(ix, next)));
				} else tried++;
			}
		} finally {
			// the skipped stale rows, in one request, after the answer (a row left behind is found stale later)
			if (skipped.length) void sleep(0).then(async () => await dropRows(ix, skipped));
		}
		staleRun = cleaned - cleanedBefore === rows.length;
		if (tried >= ANY_BUDGET || cleaned >= STALE_BUDGET) {
			const more = await indexed(ix, async () => await findRows(ix.call, ix.table, scope, 1, after));
			if (more.length) throw tried === 0 ? staleBudget(cleaned) : anyBudget(tried);
		}
	}
	throw notWaiting(noneTook(key));
}

/** `all` (with or without a key): every waiting execution that takes the call, `parallelism` at a time. */
export async function resumeAllFromIndex(ix: IndexAccess, key: string | undefined, forward: Forwarder, parallelism: number): Promise<TargetOutcome> {
	const scope = { workflowId: ix.workflowId, nodeId: ix.nodeId, key };
	const rows: IndexRow[] = [];
	let after = 0;
	for (let page = 0; page < 400; page++) {
		const got = await indexed(ix, async () => await findRows(ix.call, ix.table, scope, ALL_PAGE, after));
		rows.push(...got);
		if (got.length < ALL_PAGE) break;
		after = got[got.length - 1].id;
	}
	// one row per execution (a row written twice by a retried execute() is tried once)
	const seen = new Set<string>();
	const unique = rows.filter((r) => (seen.has(r.executionId) ? false : (seen.add(r.executionId), true)));
	const done: number[] = [];
	const { results } = await runPool(unique.length, parallelism, async (i) => await tryRow(ix, unique[i], forward, (row) => done.push(row.id)));
	// duplicate rows of a resumed execution go too
	const gone = new Set(unique.filter((_, i) => results[i] === 'resumed' || results[i] === 'stale').map((r) => r.executionId));
	// deleted after the answer is written (a timer runs after the reply's microtasks); a row left
	// behind (this process stopped) is found stale and deleted by a later call
	const toDrop = [...new Set([...done, ...rows.filter((r) => gone.has(r.executionId)).map((r) => r.id)])];
	void sleep(0).then(async () => await dropRows(ix, toDrop));
	return allOutcome(
		results,
		unique.map((r) => r.executionId),
		noneTook(key),
	);
}

/**
 * What `all` answers (the index's and n8n 1.x's execution list's alike), from each candidate's
 * result (`results[i]` for `candidateIds[i]`): a task that threw rethrows its error; any forward
 * that failed is 503 (1054) naming what was resumed; none resumed is 404 `notFound`; else the
 * ids resumed, ascending.
 */
export function allOutcome(results: ReadonlyArray<PoolResult<string>>, candidateIds: readonly string[], notFound: string): TargetOutcome {
	const broken = results.find((r): r is { error: unknown } => typeof r === 'object' && r !== null);
	if (broken) throw broken.error;
	const ids = candidateIds.filter((_, i) => results[i] === 'resumed');
	const failed = results.filter((r) => r === 'failed').length;
	if (failed) throw forwardsFailed(failed, ids);
	if (!ids.length) throw notWaiting(notFound);
	ids.sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
	return { kind: 'all', ids };
}
