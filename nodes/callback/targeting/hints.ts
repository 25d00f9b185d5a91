import { createHmac } from 'node:crypto';

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
	hints.delete(key); // re-inserted last: the Map's order is the age order
	while (hints.size >= HINT_MAX) {
		const oldest = hints.keys().next();
		if (oldest.done) break;
		hints.delete(oldest.value);
	}
	hints.set(key, { at: nowMs, seal: o.seal });
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
	return hints.size;
}

/** Forgets every hint (tests). */
export function clearHints(): void {
	hints.clear();
}
