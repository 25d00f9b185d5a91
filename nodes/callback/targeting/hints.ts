import { createHmac } from 'node:crypto';

import { setNewest } from '../boundedMap';
import { openToken } from './keyIndex';

/**
 * Per-process hints for `?execution=<id>`: execution id → its resume token, sealed as in the
 * correlation index (keyIndex.ts: AES-256-GCM with a key derived from the n8n API key, bound to
 * the execution id), written by the wait node's execute() in this process just before the
 * execution is put to wait. With a hint the stable URL forwards at once, without asking n8n's
 * API which execution it is (≈ 25–40 ms saved per call).
 *
 * A hint is never trusted: correctness never depends on it. The forward goes to the execution's
 * own resume URL at this node's path, where n8n checks the token and that the execution waits at
 * this very node (its last node's webhook path must be this node's id), and the wait node checks
 * the forward's origin (this workflow, this node). A hint that is not taken there (the execution
 * resumed, timed out, was deleted, waits elsewhere, another key) is dropped and the normal lookup
 * runs (n8n's API), so the caller gets the same answer as without the hint, one failed forward
 * later. Bounded: HINT_MAX entries (the oldest go first), each at most HINT_TTL_MS old. In queue
 * mode execute() runs on a worker and the stable URL on a main or webhook process: there the
 * lookup misses and the call takes the normal path.
 */
export const HINT_MAX = 10_000;
export const HINT_TTL_MS = 60 * 60_000;

const hints = new Map<string, { at: number; seal: string }>();

/** The hint's key: the workflow, the wait node, the execution and (a digest of) the API key. */
function hintKey(workflowId: string, nodeId: string, executionId: string, apiKey: string): string {
	const key = createHmac('sha256', 'ecb-id-hint').update(apiKey).digest('base64url').slice(0, 16);
	return `${workflowId} ${nodeId} ${executionId} ${key}`;
}

/** Remembers where an execution of this workflow waits at this node (its sealed resume token). */
export function rememberHint(o: { workflowId: string; nodeId: string; executionId: string; apiKey: string; seal: string }, nowMs = Date.now()): void {
	if (!o.apiKey || !o.seal) return;
	const key = hintKey(o.workflowId, o.nodeId, o.executionId, o.apiKey);
	setNewest(hints, key, { at: nowMs, seal: o.seal }, HINT_MAX); // the Map's order is the age order
}

/** The resume token hinted for this execution at this node, or undefined (none, too old, does not open). */
export function hintedToken(o: { workflowId: string; nodeId: string; executionId: string; apiKey: string }, nowMs = Date.now()): string | undefined {
	if (!o.apiKey) return undefined;
	const key = hintKey(o.workflowId, o.nodeId, o.executionId, o.apiKey);
	const hit = hints.get(key);
	if (!hit) return undefined;
	if (nowMs - hit.at >= HINT_TTL_MS) {
		hints.delete(key);
		return undefined;
	}
	const token = openToken(o.apiKey, o.executionId, hit.seal);
	if (!token) hints.delete(key);
	return token;
}

/** Drops a hint (its forward was not taken, or the execution was resumed). */
export function dropHint(o: { workflowId: string; nodeId: string; executionId: string; apiKey: string }): void {
	hints.delete(hintKey(o.workflowId, o.nodeId, o.executionId, o.apiKey));
}

/** How many hints this process holds (tests). */
export function hintCount(): number {
	return hints.size + keyHints.size;
}

/** Forgets every hint (tests). */
export function clearHints(): void {
	hints.clear();
	keyHints.clear();
}

/*
 * Per-process hints for `?key=` (with `any`, the default): correlation key → the execution that
 * went to wait with it in this process while no other execution of this wait node waited with
 * that key (execute() asks the index, in parallel with writing its own row). While it waits, that
 * execution is the oldest with the key, which is what `?key=` resumes: the stable URL forwards to
 * it at once, without the index request (≈ 25 ms of n8n's time per call). Never trusted, as above:
 * the resume URL checks token, state, node, origin and key; a hint whose forward is not taken is
 * dropped and the index lookup runs. Two executions of this node that went to wait with one key
 * in this process at once both saw none: the key's hint is dropped (ambiguous). Same bounds.
 */
interface KeyHint {
	at: number;
	executionId: string;
	seal: string;
}
const keyHints = new Map<string, KeyHint>();

function keyHintKey(workflowId: string, nodeId: string, key: string, apiKey: string): string {
	const digest = createHmac('sha256', 'ecb-key-hint').update(apiKey).update('\0').update(key).digest('base64url');
	return `${workflowId} ${nodeId} ${digest}`;
}

/** Remembers the execution that went to wait with this key while none other waited with it. */
export function rememberKeyHint(o: { workflowId: string; nodeId: string; key: string; executionId: string; apiKey: string; seal: string }, nowMs = Date.now()): void {
	if (!o.apiKey || !o.seal || !o.key) return;
	const k = keyHintKey(o.workflowId, o.nodeId, o.key, o.apiKey);
	const had = keyHints.get(k);
	if (had && had.executionId !== o.executionId && nowMs - had.at < HINT_TTL_MS) {
		// another one of this key, remembered as alone too (both went to wait at once): neither is sure
		keyHints.delete(k);
		return;
	}
	setNewest(keyHints, k, { at: nowMs, executionId: o.executionId, seal: o.seal }, HINT_MAX);
}

/** The execution hinted for this key at this node, with its resume token, or undefined. */
export function keyHint(o: { workflowId: string; nodeId: string; key: string; apiKey: string }, nowMs = Date.now()): { executionId: string; resumeToken: string } | undefined {
	if (!o.apiKey || !o.key) return undefined;
	const k = keyHintKey(o.workflowId, o.nodeId, o.key, o.apiKey);
	const hit = keyHints.get(k);
	if (!hit) return undefined;
	const token = nowMs - hit.at < HINT_TTL_MS ? openToken(o.apiKey, hit.executionId, hit.seal) : undefined;
	if (!token) {
		keyHints.delete(k);
		return undefined;
	}
	return { executionId: hit.executionId, resumeToken: token };
}

/** Drops the key's hint (its forward was not taken, or its execution was resumed). */
export function dropKeyHint(o: { workflowId: string; nodeId: string; key: string; apiKey: string }): void {
	keyHints.delete(keyHintKey(o.workflowId, o.nodeId, o.key, o.apiKey));
}
