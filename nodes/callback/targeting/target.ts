import { sleep } from 'n8n-workflow';

import type { Identity } from '../auth/types';
import { EXECUTION_ID_PATTERN, KEY_QUERY_PARAM } from '../constants';
import { alreadyResumed, badKey, badTarget, finished, forwardFailed, indexUnavailable, n8nApiUnavailable, notWaiting } from '../pipeline/errors';
import type { IncomingCallback, ParsedCallback } from '../pipeline/parse';
import { TARGETING_QUERY_PARAMS } from '../pipeline/redact';
import { decodeState } from '../urls/state';
import { busyRetryAfter } from './admission';
import { staticDataHint } from './anyHint';
import { type ForwardReply, type ForwardTarget, type Forwarder, type HttpSend, forwarder, waitsHere } from './forward';
import { runPool } from './pool';
import { dropHint, dropKeyHint, hintedToken, keyHint } from './hints';
import { type ApiCall, IndexError, MAX_KEY_LENGTH, NO_INDEX, deleteRowsOf, indexTableOrSearch, keyText } from './keyIndex';
import { type IndexAccess, allOutcome, resumeAllFromIndex, resumeOneFromIndex } from './indexed';
import { ApiError, type ApiGet, type WaitingExecution, executionState, listWaitingHere, waitingHereOldestFirst } from './search';

/**
 * Stage "target" of the stable URL: which waiting execution(s) a call goes to, and the call
 * forwarded to each one's own resume URL (where n8n checks its token and the wait node runs the
 * rest of the pipeline for that execution). Plain TypeScript: n8n's API, HTTP and the node's
 * static data come in through TargetIO (n8n/n8nApi.ts, n8n/incoming.ts build it).
 */
export type Target =
	| { kind: 'id'; id: string }
	| { kind: 'any'; key?: string }
	| { kind: 'all'; key?: string }
	| { kind: 'state'; execution: WaitingExecution };

/** What the stage did: one execution resumed (or already resumed by this node), or several. */
export type TargetOutcome = { kind: 'one'; id: string; repeated?: boolean; reply?: ForwardReply } | { kind: 'all'; ids: string[] };

/** The node's n8n API credential, as read for this call. */
export interface N8nApiAccess {
	apiKey: string;
	baseUrl: string;
	webhookBaseUrl: string;
}

export interface TargetIO {
	workflowId: string;
	nodeId: string;
	/** The wait node's typeVersion (where its resume URLs are). */
	nodeVersion: number;
	nodeName: string;
	/** Undefined when no credential is set; throws (a CallbackError) when it cannot be read. */
	n8nApi(): Promise<N8nApiAccess | undefined>;
	apiGet(base: string, apiKey: string): ApiGet;
	/** GET, POST, DELETE on n8n's public API (the correlation index). */
	apiCall(base: string, apiKey: string): ApiCall;
	/**
	 * Correlation: whether the node has a Correlation Key (then `?key=` is the stable URL's), and
	 * the node's Key From Call evaluated against the call (undefined: none set).
	 */
	correlation: { enabled: boolean; keyFromCall?: (callback: Record<string, unknown>) => unknown };
	send: HttpSend;
	/** This n8n process's own address (loopback), for a state without a credential. */
	ownBaseUrl(): string;
	/** The node's workflow static data (`any`'s hint). */
	staticData(): Record<string, unknown>;
}

export interface TargetSpec {
	/** Answer to a repeated call for an execution this node already resumed. */
	repeatedStatus: 200 | 409;
	/** Name of the state parameter of state-form URLs (query or form field). */
	stateParameter: string;
	io: TargetIO;
	/**
	 * The resume URL's reply is the caller's (the wait node answers "When Last Node Finishes"):
	 * one execution resumed now is answered with its status, content type and body.
	 */
	passReply?: boolean;
}

/** The screened call, as the guards admitted it. */
export interface TargetCall {
	incoming: IncomingCallback;
	identity: Identity | undefined;
	carryIdentity: boolean;
	/** The parsed call (Key From Call reads it). */
	parsed?: ParsedCallback;
}

/**
 * `all`: forwards in flight at once. Chosen from measurement (docs/benchmarks.md): resume URLs on
 * one n8n process resumed fastest at concurrency 4 or 8 (of 1, 4, 8, 16) in the full benchmarks of
 * 2026-11-23 (4: 18.0/s) and 2026-12-01 (4: 20.4/s; 1: 18.0, 8: 15.2, 16: 17.5). With lazy
 * isolates (2026-12-01, night) each forward's own cost (a request n8n makes to itself) shows:
 * `all` resumed 16.4/s with 4 in flight and 18.6/s with 8 (the best resume-URL rate 23.5/s and
 * 20.4/s in those runs).
 */
const ALL_PARALLELISM = 8;
const trim = (url: string) => url.replace(/\/+$/, '');

/** `execution` or `executionId` (an id, `any` or `all`, given once), or a state. */
export function readTarget(query: Record<string, unknown>, body: unknown, stateParameter: string, keyGiven = false): Target {
	const given = TARGETING_QUERY_PARAMS.filter((p) => query[p] !== undefined);
	const stateValue =
		query[stateParameter] ??
		(body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[stateParameter] : undefined);
	if (given.length === 0 && stateValue !== undefined) {
		const state = decodeState(stateValue);
		if (!state) throw badTarget(`The ${stateParameter} parameter is not a valid state`);
		return { kind: 'state', execution: { id: state.executionId, resumeToken: state.resumeToken, startedAt: '' } };
	}
	if (given.length === 0 && keyGiven) return { kind: 'any' };
	if (given.length === 0) throw badTarget('Say which execution to resume: ?execution=<id>, any or all');
	if (given.length > 1 || Array.isArray(query[given[0]])) {
		throw badTarget('Give the execution parameter once (execution or executionId)');
	}
	// only text names an execution (an object, even one without a prototype, is not an id)
	const raw = query[given[0]];
	const value = (typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '').trim();
	if (value === 'any' || value === 'all') return { kind: value };
	if (!EXECUTION_ID_PATTERN.test(value)) throw badTarget('The execution parameter must be an execution id, any or all');
	return { kind: 'id', id: value };
}

/** Finds the target(s) and resumes each through its resume URL. Throws the CallbackError to answer. */
export async function runTarget(target: Target, call: TargetCall, spec: TargetSpec): Promise<TargetOutcome> {
	let reply: ForwardReply | undefined;
	const onResumed = spec.passReply ? (r: ForwardReply) => (reply = r) : undefined;
	let outcome: TargetOutcome;
	try {
		outcome = await dispatch(target, { ...call, onResumed }, spec);
	} catch (error) {
		throw apiErrorAsRefusal(error);
	}
	return outcome.kind === 'one' && !outcome.repeated && reply ? { ...outcome, reply } : outcome;
}

/** n8n's API answered an error status: the caller gets 503 (1051), with why. */
function apiErrorAsRefusal(error: unknown): unknown {
	if (!(error instanceof ApiError)) return error;
	if (error.status === 401 || error.status === 403) return n8nApiUnavailable('the API key was refused');
	// n8n answering 5xx (e.g. "Database is not ready" under load) is transient: retry later, in a turn of its own (admission.ts)
	return n8nApiUnavailable(`status ${error.status}`, error.status >= 500 ? busyRetryAfter() : undefined);
}

async function dispatch(target: Target, call: TargetCall & { onResumed?: (reply: ForwardReply) => void }, spec: TargetSpec): Promise<TargetOutcome> {
	const { io } = spec;
	const credentials = await io.n8nApi();
	const route = (base: string, apiKey: string): ForwardTarget => ({ send: io.send, base, apiKey, workflowId: io.workflowId, nodeId: io.nodeId, nodeVersion: io.nodeVersion });
	const forwardTo = (to: ForwardTarget) => forwarder({ ...to, ...call, stateParameter: spec.stateParameter });
	if (target.kind === 'state') {
		// No n8n API needed: the state holds the resume token; n8n checks it. A state names an
		// execution, not its workflow or node, and whoever holds one can send it to any stable
		// URL: the execution's own resume URL is asked first whose it is (a probe, which resumes
		// nothing), and only one of this workflow waiting at this node is forwarded the call.
		const to = route(trim(credentials?.webhookBaseUrl || credentials?.baseUrl || io.ownBaseUrl()), credentials?.apiKey ?? '');
		const here = await waitsHere(to, target.execution);
		if (here === 'failed') throw forwardFailed('The execution of this state could not be reached');
		const outcome = here ? await forwardTo(to)(target.execution) : 'lost';
		if (outcome === 'failed') throw forwardFailed('The forward to the execution of this state failed');
		if (outcome !== 'resumed') throw notWaiting('No execution is waiting at this node for this state');
		return { kind: 'one', id: target.execution.id };
	}
	if (!credentials?.apiKey) throw n8nApiUnavailable('no n8n API credential is set on the node');
	const base = trim(credentials.baseUrl);
	const get = io.apiGet(base, credentials.apiKey);
	// id, any and all: n8n's API says which workflow an execution belongs to and where it waits
	// (search.ts); only this workflow's executions waiting at this node are forwarded to.
	const to = route(trim(credentials.webhookBaseUrl) || base, credentials.apiKey);
	if (target.kind === 'id') {
		if (io.correlation.enabled && call.incoming.query[KEY_QUERY_PARAM] !== undefined) {
			throw badKey('A key combines with execution=any or all, not with an execution id');
		}
		const forward = forwardTo(to);
		const hinted = await resumeByHint(target.id, credentials.apiKey, forward, spec);
		if (hinted) return hinted;
		return await resumeById(target.id, get, forward, spec);
	}
	const key = correlationKeyOf(call, spec);
	const dropQuery = io.correlation.enabled ? [KEY_QUERY_PARAM] : [];
	const plain = forwarder({ ...to, ...call, stateParameter: spec.stateParameter, correlationKey: key, dropQuery });
	// n8n 2.x: the correlation index (an n8n Data Table; keyIndex.ts, indexed.ts) finds the
	// oldest waiting (with the key) in one request, whatever the number waiting.
	const call2 = io.apiCall(base, credentials.apiKey);
	const table = await indexTableOrSearch(call2, base, credentials.apiKey).catch(async (error: unknown) =>
		await Promise.reject(error instanceof IndexError ? indexUnavailable(`status ${error.status}`, error.status >= 500 ? 1 : undefined) : error),
	);
	if (table !== NO_INDEX) {
		const ix = { call: call2, table, apiKey: credentials.apiKey, base, get, workflowId: io.workflowId, nodeId: io.nodeId, nodeName: io.nodeName };
		if (target.kind === 'any') {
			if (key !== undefined) {
				const hinted = await resumeByKeyHint(ix, key, plain);
				if (hinted) return hinted;
			}
			return await resumeOneFromIndex(ix, key, plain);
		}
		return await resumeAllFromIndex(ix, key, plain, ALL_PARALLELISM);
	}
	// n8n 1.x (no data table API): the execution list, as before; a key travels with each forward
	// and the resume URL compares it with its own (a mismatch is "ignored").
	if (target.kind === 'any') {
		// Oldest first, found one at a time (a bisection on the id, not a full listing), so
		// the cost grows with the log of the number waiting, not the number itself; the
		// node's static data remembers where the last search found the oldest, so a queue
		// that `any` drains is usually found with one request (anyHint.ts).
		const hint = staticDataHint(io.staticData());
		for await (const candidate of waitingHereOldestFirst(get, io.workflowId, io.nodeName, hint)) {
			const outcome = await plain(candidate);
			if (outcome === 'resumed') return { kind: 'one', id: candidate.id };
			// it may have taken the call before its process died: no other one is tried
			if (outcome === 'failed') throw forwardFailed(`The forward to execution ${candidate.id} failed`);
		}
		throw notWaiting(key === undefined ? 'No execution waiting at this node accepted the call' : 'No execution waiting at this node has this key');
	}
	const candidates = await listWaitingHere(get, io.workflowId, io.nodeName);
	const { results } = await runPool(candidates.length, ALL_PARALLELISM, async (i) => await plain(candidates[i]));
	// a task that threw: a forward that could not even be built (a bad base URL)
	return allOutcome(
		results,
		candidates.map((c) => c.id),
		'No execution waiting at this node accepted the call',
	);
}

/**
 * The correlation key of a call to `any` or `all`: `?key=` (only where the node has a Correlation
 * Key), else the node's Key From Call evaluated against the call, else none (plain any / all).
 */
export function correlationKeyOf(call: TargetCall, spec: TargetSpec): string | undefined {
	const { correlation } = spec.io;
	if (!correlation.enabled) return undefined;
	const given = call.incoming.query[KEY_QUERY_PARAM];
	let key: string | undefined;
	if (given !== undefined) {
		if (Array.isArray(given)) throw badKey('Give the key parameter once');
		key = keyText(given);
		if (key === undefined) throw badKey('The key parameter is empty');
	} else if (correlation.keyFromCall) {
		const p = call.parsed;
		const value = correlation.keyFromCall({ data: p?.data ?? null, query: p?.query ?? {}, headers: p?.headers ?? {}, method: p?.method ?? call.incoming.method });
		key = keyText(value);
		if (key === undefined) throw badKey('This call carries no correlation key (the node\'s Key From Call is empty for it)');
	}
	if (key !== undefined && key.length > MAX_KEY_LENGTH) throw badKey(`The correlation key is longer than ${MAX_KEY_LENGTH} characters`);
	return key;
}

/**
 * `execution=<id>` with this process's hint (hints.ts: the resume token execute() sealed here):
 * forwarded at once, no request to n8n's API. Undefined when there is no hint or its forward was
 * not taken (the hint is dropped; the caller then takes the normal lookup, which gives the same
 * answer as without the hint). A false condition is answered as resumeById answers it: n8n took
 * the token at this node's path, so the execution waits here.
 */
async function resumeByHint(id: string, apiKey: string, forward: Forwarder, spec: TargetSpec): Promise<TargetOutcome | undefined> {
	const at = { workflowId: spec.io.workflowId, nodeId: spec.io.nodeId, executionId: id, apiKey };
	const token = hintedToken(at);
	if (!token) return undefined;
	const outcome = await forward({ id, resumeToken: token, startedAt: '' });
	if (outcome === 'ignored') throw notWaiting(`Execution ${id} did not accept this call (its condition is false)`);
	dropHint(at);
	return outcome === 'resumed' ? { kind: 'one', id } : undefined;
}

/**
 * `?key=` (with `any`) with this process's key hint (hints.ts: the execution that went to wait
 * with the key here while no other waited with it, so the oldest with it): forwarded at once,
 * without the index request. Undefined when there is no hint or its forward was not taken or got
 * no answer: the index lookup then gives the answer it gives without a hint (its row's execution
 * is looked at: still waiting, being resumed by a concurrent call, or gone). A condition that is
 * false for this call leaves the hint and takes the lookup too.
 */
async function resumeByKeyHint(ix: IndexAccess, key: string, forward: Forwarder): Promise<TargetOutcome | undefined> {
	const at = { workflowId: ix.workflowId, nodeId: ix.nodeId, key, apiKey: ix.apiKey };
	const hint = keyHint(at);
	if (!hint) return undefined;
	const outcome = await forward({ id: hint.executionId, resumeToken: hint.resumeToken, startedAt: '' });
	if (outcome === 'ignored') return undefined;
	dropKeyHint(at);
	dropHint({ ...at, executionId: hint.executionId });
	// not taken, or no answer (e.g. n8n's 500 to the loser of two concurrent calls for one key):
	// the lookup decides, as for a row of the index (it looks at the execution's state first)
	if (outcome !== 'resumed') return undefined;
	// its row, after the answer is written (a row left behind is found stale later)
	const of = { workflowId: ix.workflowId, nodeId: ix.nodeId, executionId: hint.executionId };
	void sleep(0).then(async () => await deleteRowsOf(ix.call, ix.table, of).catch(() => undefined));
	return { kind: 'one', id: hint.executionId };
}

async function resumeById(id: string, get: ApiGet, forward: Forwarder, spec: TargetSpec): Promise<TargetOutcome> {
	const state = await executionState(get, id, spec.io.workflowId, spec.io.nodeName);
	if (state.kind === 'resumed-here') {
		if (spec.repeatedStatus === 409) throw alreadyResumed(id);
		return { kind: 'one', id, repeated: true };
	}
	if (state.kind === 'finished') throw finished(id, state.status);
	if (state.kind !== 'waiting-here') throw notWaiting(`Execution ${id} is not waiting at this node`);
	const outcome = await forward(state.execution);
	// No answer or a 5xx: n8n also answers a lost race with a 500 ("already being resumed by
	// another process"), so what the execution does now decides. Still waiting here → retry (503);
	// anything else (resumed by another call, running, finished) → not waiting, as for a 4xx.
	if (outcome === 'failed' && (await executionState(get, id, spec.io.workflowId, spec.io.nodeName)).kind === 'waiting-here') {
		throw forwardFailed(`The forward to execution ${id} failed (it may still be waiting)`);
	}
	if (outcome !== 'resumed') {
		throw outcome === 'ignored'
			? notWaiting(`Execution ${id} did not accept this call (its condition is false)`)
			: notWaiting(`Execution ${id} is no longer waiting at this node`);
	}
	return { kind: 'one', id };
}

