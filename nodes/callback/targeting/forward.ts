import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Identity } from '../auth/types';

/**
 * The stable URL authenticates a caller once, then resumes each candidate execution through
 * that execution's own resume URL (n8n's mechanism, so it works from any n8n process). The
 * forwarded call carries the caller's identity, signed with a key derived from the n8n API key
 * of the node's credential (which callers never have) and bound to what the node's guards
 * admitted the caller for: the execution, the workflow, the wait node and its resume webhook,
 * and a time. The resume handler trusts it only where all of them are its own (checkForward):
 * the same credential may be shared by many workflows and wait nodes (and twin workflows made
 * from one template through n8n's API have the same node ids), so a forward made by one wait
 * node's stable URL must never pass another's guards. The reply says what happened.
 */
export const FORWARD_HEADER = 'x-external-callback-forward';
export const OUTCOME_HEADER = 'x-external-callback-outcome';
/**
 * Where an unsigned forward comes from (`<workflow id> <node id>`). Unsigned forwards are the
 * caller's own call, proven by n8n's resume token; the stable URL checks the target before it
 * forwards, and this header lets the resume handler refuse one that another node sent anyway.
 */
export const ORIGIN_HEADER = 'x-external-callback-origin';
/** The stable URL asks a resume URL which workflow and node it belongs to (state form). */
export const PROBE_HEADER = 'x-external-callback-probe';
export const PROBE_WORKFLOW_HEADER = 'x-external-callback-workflow';
export const PROBE_NODE_HEADER = 'x-external-callback-node';
/** This package's own headers between stable URL and resume URL: never taken from a caller. */
export const INTERNAL_HEADERS = [FORWARD_HEADER, ORIGIN_HEADER, PROBE_HEADER, PROBE_WORKFLOW_HEADER, PROBE_NODE_HEADER, OUTCOME_HEADER] as const;
export const FORWARD_MAX_AGE_MS = 60_000;
/** The only webhook a stable URL forwards to: the resume URL (never the fail URL). */
export const FORWARD_WEBHOOK = 'default';

export type Outcome = 'resumed' | 'ignored';

/** What a forward is valid for: the one resume webhook of one wait node in one execution. */
export interface ForwardBinding {
	executionId: string;
	workflowId: string;
	nodeId: string;
	/** The webhook called: `default` (resume URL) or `fail`. */
	webhook: string;
}

interface ForwardPayload {
	v: 2;
	e: string;
	w: string;
	n: string;
	h: string;
	t: number;
	i: Identity | null;
}

/**
 * Whether a forward is signed. Only when there is something to prove: the caller's identity
 * (the node authenticates callers), or the call itself where n8n has no resume token (n8n 1.x).
 * Verifying a forward costs the resume URL a credential read, which n8n 2.x pays with an
 * expression isolate; an unsigned forward is checked by n8n's token and the node's own guards.
 */
export function forwardIsSigned(o: { apiKey: string; carryIdentity: boolean; resumeToken: string }): boolean {
	return !!o.apiKey && (o.carryIdentity || !o.resumeToken);
}

function mac(key: string, body: string): Buffer {
	return createHmac('sha256', `external-callback-forward:v2:${key}`).update(body).digest();
}

export function signForward(
	key: string,
	binding: Omit<ForwardBinding, 'webhook'> & { webhook?: string },
	identity: Identity | undefined,
	nowMs = Date.now(),
): string {
	const payload: ForwardPayload = {
		v: 2,
		e: binding.executionId,
		w: binding.workflowId,
		n: binding.nodeId,
		h: binding.webhook ?? FORWARD_WEBHOOK,
		t: nowMs,
		i: identity ?? null,
	};
	const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
	return `${body}.${mac(key, body).toString('base64url')}`;
}

/**
 * The verdict on a call that carries a forward: `valid` with the identity it carries (null: the
 * node has no authentication); `invalid` (no key to check it with, a bad or missing signature,
 * a malformed payload, expired); `foreign` (signed with this key, but for another execution,
 * workflow, wait node or webhook).
 */
export type ForwardCheck = { valid: true; identity: Identity | null } | { valid: false; reason: 'invalid' | 'foreign' };

export function checkForward(header: string | undefined, key: string | undefined, binding: ForwardBinding, nowMs = Date.now()): ForwardCheck {
	const invalid: ForwardCheck = { valid: false, reason: 'invalid' };
	if (!header || !key) return invalid;
	const [body, signature, ...rest] = header.split('.');
	if (!body || !signature || rest.length) return invalid;
	const expected = mac(key, body);
	const given = Buffer.from(signature, 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
	let payload: Partial<ForwardPayload>;
	try {
		payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<ForwardPayload>;
	} catch {
		return invalid;
	}
	if (!payload || typeof payload !== 'object' || payload.v !== 2 || typeof payload.t !== 'number') return invalid;
	if (Math.abs(nowMs - payload.t) > FORWARD_MAX_AGE_MS) return invalid;
	const same =
		payload.e === binding.executionId &&
		payload.w === binding.workflowId &&
		payload.n === binding.nodeId &&
		payload.h === binding.webhook;
	if (!same) return { valid: false, reason: 'foreign' };
	return { valid: true, identity: payload.i ?? null };
}

/** The identity a valid forward carries (null: the node has no authentication), or undefined. */
export function verifyForward(
	header: string | undefined,
	key: string,
	binding: ForwardBinding,
	nowMs = Date.now(),
): { identity: Identity | null } | undefined {
	const check = checkForward(header, key, binding, nowMs);
	return check.valid ? { identity: check.identity } : undefined;
}

/** The value of ORIGIN_HEADER for a wait node. */
export function originOf(workflowId: string, nodeId: string): string {
	return `${workflowId} ${nodeId}`;
}
