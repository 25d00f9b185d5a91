import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { setNewest } from '../boundedMap';
import { RESUME_TOKEN_PARAM } from '../constants';
import { type GeneratorContext, fromGenerators } from './generatorOutput';
import { decodeState, resumeTokenOf } from './state';

/**
 * n8n 1.x (the 1.123 LTS line) gives a waiting execution no resume token: its resume URL is
 * `<base>/webhook-waiting/<executionId>` with sequential ids, so anyone could guess it. There
 * Generate Callback URL makes its own secret (256 bits, one per run of the node) and puts it
 * exactly where n8n 2.x puts its resume token — the `signature` query parameter of the callback
 * and fail URLs, and the state of a state-form URL — so URLs look and behave alike on both lines.
 *
 * The secret is kept only in the execution itself: it is part of the URLs the generator output,
 * which n8n stores in the execution's run data. The wait node's webhook() reads that output back
 * (an expression on `$('<generator>')`, as it does for the expiry) and compares in constant
 * time. Nothing is kept in process memory: it survives restarts and works whichever n8n process
 * receives the call. (Observed on 1.123.81: custom execution data, the other per-execution
 * store, cannot be read in a webhook: `$execution.customData.get` is not a function in
 * expressions and webhook contexts have no `customData`.)
 *
 * On n8n 2.x none of this runs: n8n's own resume token is there and n8n checks it before the
 * node is called. (Whether it is there is read from the execution, or from the memo below, which
 * only saves reading it.)
 */

/** 32 random bytes as 64 lowercase hex characters (the shape of n8n 2.x's resume token). */
export function newUrlSecret(): string {
	return randomBytes(32).toString('hex');
}

export function isUrlSecret(value: unknown): value is string {
	return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/** Constant-time comparison of a caller's value with the stored secret (any length in). */
export function urlSecretMatches(given: unknown, expected: unknown): boolean {
	if (!isUrlSecret(expected) || typeof given !== 'string' || !given) return false;
	const a = createHash('sha256').update(given, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b) && given.length === expected.length;
}

/*
 * Per-process memo of a fact: "n8n gave this execution a resume token" (n8n 2.x gives one to
 * every execution it puts to wait, and checks it before the node runs; only an execution that
 * went to wait under n8n 1.x has none). The wait node's execute() records it in the process it
 * runs in, from its own `$execution.resumeUrl`, before the execution waits; its webhook() then
 * skips evaluating `$execution.resumeUrl` (an expression isolate n8n 2.x builds for the call,
 * ≈ 20 ms of its main thread: docs/benchmarks.md). A miss (another process, a restart, queue
 * mode, older than TOKENIZED_TTL_MS, evicted) evaluates it as before, so the answer never
 * depends on the memo; a hit is true for as long as the execution exists.
 */
export const TOKENIZED_MAX = 10_000;
export const TOKENIZED_TTL_MS = 60 * 60_000;
const tokenized = new Map<string, number>();

/** execute(): n8n gave this execution (of this workflow) a resume token. */
export function rememberTokenized(workflowId: string, executionId: string, nowMs = Date.now()): void {
	if (!workflowId || !executionId) return;
	setNewest(tokenized, `${workflowId} ${executionId}`, nowMs, TOKENIZED_MAX);
}

/** Whether this process saw n8n give this execution a resume token (false: not known here). */
export function knownTokenized(workflowId: string, executionId: string, nowMs = Date.now()): boolean {
	const key = `${workflowId} ${executionId}`;
	const at = tokenized.get(key);
	if (at === undefined) return false;
	if (nowMs - at < TOKENIZED_TTL_MS) return true;
	tokenized.delete(key);
	return false;
}

/** Forgets the memo (tests). */
export function forgetTokenized(): void {
	tokenized.clear();
}

/** Whether n8n's `$execution.resumeUrl` carries n8n's own resume token (n8n 2.x). */
export function hasN8nResumeToken(resumeUrl: string): boolean {
	try {
		return !!new URL(resumeUrl).searchParams.get(RESUME_TOKEN_PARAM);
	} catch {
		return false;
	}
}

/** n8n's resume URL with the package's secret as its `signature` (what 2.x's URL looks like). */
export function withUrlSecret(resumeUrl: string, secret: string): string {
	const url = new URL(resumeUrl);
	url.searchParams.set(RESUME_TOKEN_PARAM, secret);
	return url.toString();
}

/** The `signature` the caller sent (n8n 2.x allows `<token>/<suffix>`; the token is before `/`). */
export function givenSignature(query: Record<string, unknown>): string | undefined {
	const raw = query[RESUME_TOKEN_PARAM];
	if (typeof raw !== 'string') return undefined;
	return raw.split('/')[0] || undefined;
}

/** The secret in one generator output item: its URLs' `signature`, or its state's token. */
export function secretsOfGenerated(json: unknown): string[] {
	if (!json || typeof json !== 'object') return [];
	const item = json as Record<string, unknown>;
	const out: string[] = [];
	for (const field of ['callbackUrl', 'failUrl']) {
		const value = item[field];
		if (typeof value !== 'string' || !URL.canParse(value)) continue;
		const token = resumeTokenOf(value);
		if (isUrlSecret(token)) out.push(token);
	}
	const state = decodeState(item.state);
	if (state && isUrlSecret(state.resumeToken)) out.push(state.resumeToken);
	return [...new Set(out)];
}

/**
 * The secrets Generate Callback URL nodes made for this wait node in this execution: the last
 * run of every enabled generator before it that targets it (by name, or the unnamed default),
 * read from the execution's own run data.
 */
export function generatedSecrets(ctx: GeneratorContext): string[] {
	const out: string[] = [];
	const outputs = fromGenerators(
		ctx,
		(ref) =>
			`{{ ${ref}.isExecuted ? JSON.stringify({ callbackUrl: ${ref}.last().json.callbackUrl, failUrl: ${ref}.last().json.failUrl, state: ${ref}.last().json.state }) : "" }}`,
	);
	for (const value of outputs) {
		try {
			out.push(...secretsOfGenerated(typeof value === 'string' && value ? JSON.parse(value) : undefined));
		} catch {
			continue;
		}
	}
	return out;
}
