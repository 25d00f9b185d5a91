import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Identity } from './auth/types';

/**
 * The stable URL authenticates a caller once, then resumes each candidate execution through
 * that execution's own resume URL (n8n's mechanism, so it works from any n8n process). The
 * forwarded call carries the caller's identity, signed with a key derived from the n8n API key
 * of the node's credential (which callers never have) and bound to the execution and a time, so
 * the resume handler can trust it and skip the guards. The reply says what happened.
 */
export const FORWARD_HEADER = 'x-external-callback-forward';
export const OUTCOME_HEADER = 'x-external-callback-outcome';
export const FORWARD_MAX_AGE_MS = 60_000;

export type Outcome = 'resumed' | 'ignored';

interface ForwardPayload {
	e: string;
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
	return createHmac('sha256', `external-callback-forward:${key}`).update(body).digest();
}

export function signForward(key: string, executionId: string, identity: Identity | undefined, nowMs = Date.now()): string {
	const body = Buffer.from(JSON.stringify({ e: executionId, t: nowMs, i: identity ?? null } satisfies ForwardPayload)).toString(
		'base64url',
	);
	return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The identity a valid forward carries (null: the node has no authentication), or undefined. */
export function verifyForward(
	header: string | undefined,
	key: string,
	executionId: string,
	nowMs = Date.now(),
): { identity: Identity | null } | undefined {
	if (!header || !key) return undefined;
	const [body, signature] = header.split('.');
	if (!body || !signature) return undefined;
	const expected = mac(key, body);
	const given = Buffer.from(signature, 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
	let payload: ForwardPayload;
	try {
		payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ForwardPayload;
	} catch {
		return undefined;
	}
	if (payload.e !== executionId || Math.abs(nowMs - payload.t) > FORWARD_MAX_AGE_MS) return undefined;
	return { identity: payload.i };
}
