import { sleep } from 'n8n-workflow';

import { anyBudget, forwardFailed, forwardsFailed, indexUnavailable, notWaiting } from '../pipeline/errors';
import type { Forwarder } from './forward';
import { type ApiCall, IndexError, type IndexRow, deleteRow, deleteRows, findRows, forgetTable, openToken } from './keyIndex';
import { busyRetryAfter } from './admission';
import { type PoolResult, runPool } from './pool';
import { type ApiGet, type WaitingExecution, executionState } from './search';
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
/** Stale rows one call deletes at most on its way (they are not candidates). */
export const STALE_BUDGET = 200;
const PAGE = 25;
const ALL_PAGE = 250;
/** How long a row whose execution is still running (not yet waiting, or being resumed) is watched. */
const SETTLE_MS = 2_000;
const SETTLE_STEP_MS = 100;

type RowOutcome = 'resumed' | 'ignored' | 'stale' | 'lost' | 'failed';

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
		const state = await executionState(ix.get, row.executionId, ix.workflowId, ix.nodeName);
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
		if (drop) drop(row);
		else await dropRow(ix, row);
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
	while (tried < ANY_BUDGET && cleaned < STALE_BUDGET) {
		const rows = await indexed(ix, async () => await findRows(ix.call, ix.table, scope, PAGE, after));
		if (!rows.length) break;
		for (const row of rows) {
			if (tried >= ANY_BUDGET || cleaned >= STALE_BUDGET) break;
			after = row.id;
			const outcome = await tryRow(ix, row, forward);
			if (outcome === 'resumed') return { kind: 'one', id: row.executionId };
			// it may have taken the call before its process died: no other one is tried
			if (outcome === 'failed') throw forwardFailed(`The forward to execution ${row.executionId} failed`);
			if (outcome === 'stale') cleaned++;
			else tried++;
		}
		if (tried >= ANY_BUDGET || cleaned >= STALE_BUDGET) {
			const more = await indexed(ix, async () => await findRows(ix.call, ix.table, scope, 1, after));
			if (more.length) throw anyBudget(tried);
		}
	}
	throw notWaiting(key === undefined ? 'No execution waiting at this node accepted the call' : 'No execution waiting at this node has this key (or accepted the call)');
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
		key === undefined ? 'No execution waiting at this node accepted the call' : 'No execution waiting at this node has this key (or accepted the call)',
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
