import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Identity } from '../auth/types';
import {
	FORWARD_HEADER,
	INTERNAL_HEADERS,
	KEY_HEADER,
	NODE_QUERY_PARAM,
	ORIGIN_HEADER,
	OUTCOME_HEADER,
	PROBE_HEADER,
	PROBE_NODE_HEADER,
	PROBE_WORKFLOW_HEADER,
	RESUME_TOKEN_PARAM,
	hasStaticWebhooks,
} from '../constants';
import type { IncomingCallback } from '../pipeline/parse';
import { TARGETING_QUERY_PARAMS } from '../pipeline/redact';
import { buildResumeUrl } from '../urls/resumeUrl';
import type { WaitingExecution } from './search';

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
/*
 * The headers (names in ../constants, re-exported here for the gate and the tests):
 * FORWARD_HEADER carries the signed forward, OUTCOME_HEADER the reply's outcome. ORIGIN_HEADER
 * says where an unsigned forward comes from (`<workflow id> <node id>`): unsigned forwards are
 * the caller's own call, proven by n8n's resume token; the stable URL checks the target before it
 * forwards, and this header lets the resume handler refuse one that another node sent anyway.
 * PROBE_HEADER asks a resume URL which workflow and node it belongs to (PROBE_WORKFLOW_HEADER,
 * PROBE_NODE_HEADER answer). INTERNAL_HEADERS lists them all: never taken from a caller.
 */
export { FORWARD_HEADER, INTERNAL_HEADERS, ORIGIN_HEADER, OUTCOME_HEADER, PROBE_HEADER, PROBE_NODE_HEADER, PROBE_WORKFLOW_HEADER };
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

/* ---- Sending forwards and probes ------------------------------------------------------------ */

/** One outbound request of the stable URL (no redirects followed; any status resolves). */
export interface OutboundRequest {
	url: string;
	method: string;
	headers: Record<string, string>;
	body?: string | Buffer;
	timeoutMs: number;
}

/** Sends an OutboundRequest (n8n/incoming.ts: n8n's request helper); rejects when unreachable. */
export type HttpSend = (request: OutboundRequest) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body?: string }>;

/**
 * What a resume URL answered to a forward it took: its status, content type and body (for a wait
 * node answering "When Last Node Finishes": the last node's output, or n8n's own message when it
 * has no result). Never its headers otherwise (this package's internal ones stay inside).
 */
export interface ForwardReply {
	status: number;
	contentType?: string;
	body: string;
}

/** Where forwards and probes go, and what proves them. */
export interface ForwardTarget {
	send: HttpSend;
	base: string;
	apiKey: string;
	workflowId: string;
	nodeId: string;
	/** The wait node's typeVersion: where its resume URL is (urls/resumeUrl.ts). */
	nodeVersion: number;
}

const HOP_BY_HOP = new Set<string>(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'accept-encoding', 'te', 'trailer', ...INTERNAL_HEADERS]);

function passOnHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
		out[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

/**
 * The candidate's resume URL at this node (urls/resumeUrl.ts knows each version's layout),
 * without its token (set by the caller, last).
 */
function resumeUrlAt(o: ForwardTarget, candidate: WaitingExecution): URL {
	return new URL(buildResumeUrl(`${o.base}/webhook-waiting/${encodeURIComponent(candidate.id)}`, o.nodeId, o.nodeVersion));
}

/**
 * State form, before anything is forwarded: whether the execution a state names belongs to this
 * workflow and waits at this node. Asked of the execution's own resume URL at this node's id (n8n
 * routes it to the node of that id in that execution's workflow, after checking the token), with
 * the probe header and none of the call: the wait node answers with its workflow and node id and
 * resumes nothing. Twin workflows (one template, the same node ids) differ by workflow id.
 */
export async function waitsHere(o: ForwardTarget, candidate: WaitingExecution): Promise<boolean | 'failed'> {
	const url = resumeUrlAt(o, candidate);
	url.searchParams.set(RESUME_TOKEN_PARAM, candidate.resumeToken);
	let r: Awaited<ReturnType<HttpSend>>;
	try {
		r = await o.send({ url: url.toString(), method: 'GET', headers: { [PROBE_HEADER]: '1' }, timeoutMs: 30_000 });
	} catch {
		// no answer: whether it waits here is unknown (its process may be restarting)
		return 'failed';
	}
	if (r.status >= 500) return 'failed';
	const header = (name: string) => String(r.headers?.[name] ?? '');
	return (
		r.status === 200 &&
		header(OUTCOME_HEADER) === 'probe' &&
		header(PROBE_WORKFLOW_HEADER) === o.workflowId &&
		header(PROBE_NODE_HEADER) === o.nodeId
	);
}

/**
 * `lost`: the resume URL answered that it does not take the call (not waiting, refused: a 4xx);
 * `failed`: no answer (connection error, timeout) or a 5xx: the execution may still be waiting,
 * or may have taken the call before its process died; the caller must retry, not give up.
 */
export type Forwarder = (candidate: WaitingExecution) => Promise<Outcome | 'lost' | 'failed'>;

/** Forwards the screened call to one candidate's resume URL; says what it did there. */
export function forwarder(
	o: ForwardTarget & {
		incoming: IncomingCallback;
		identity: Identity | undefined;
		/** The node authenticates callers: the identity found here travels with the forward. */
		carryIdentity: boolean;
		stateParameter: string;
		/** The correlation key the call was routed by (the resume URL checks it); its query parameter is not passed on. */
		correlationKey?: string;
		dropQuery?: readonly string[];
		/** Told the resume URL's reply when it took the call. */
		onResumed?: (reply: ForwardReply) => void;
	},
): Forwarder {
	const method = o.incoming.method.toUpperCase();
	const hasBody = !['GET', 'HEAD'].includes(method) && !!o.incoming.rawBody?.length;
	const staticLayout = hasStaticWebhooks(o.nodeVersion);
	return async (candidate) => {
		const url = resumeUrlAt(o, candidate);
		for (const [name, value] of Object.entries(o.incoming.query)) {
			if ((TARGETING_QUERY_PARAMS as readonly string[]).includes(name) || name === RESUME_TOKEN_PARAM || name === o.stateParameter) continue;
			if (o.dropQuery?.includes(name)) continue;
			// version 2: the URL names this node already; a caller's own node= never goes on
			if (name === NODE_QUERY_PARAM && staticLayout) continue;
			for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
		}
		url.searchParams.set(RESUME_TOKEN_PARAM, candidate.resumeToken);
		// Signed (forwardIsSigned), the caller's identity travels with the call, bound to this
		// execution, workflow and node, and the guards do not run again; otherwise the caller's own
		// headers are passed on (never this package's internal ones), with this node as the origin,
		// and the resume URL runs the node's guards itself (none, or the state form's).
		const headers: Record<string, string> = forwardIsSigned({ apiKey: o.apiKey, carryIdentity: o.carryIdentity, resumeToken: candidate.resumeToken })
			? { [FORWARD_HEADER]: signForward(o.apiKey, { executionId: candidate.id, workflowId: o.workflowId, nodeId: o.nodeId }, o.identity) }
			: { ...passOnHeaders(o.incoming.headers), [ORIGIN_HEADER]: originOf(o.workflowId, o.nodeId) };
		if (o.correlationKey !== undefined) headers[KEY_HEADER] = encodeURIComponent(o.correlationKey);
		const contentType = o.incoming.headers['content-type'];
		if (hasBody && contentType) headers['content-type'] = String(contentType);
		// n8n's request helper rebuilds form bodies with URLSearchParams, which takes their text;
		// every other body goes as the exact bytes received.
		const raw = o.incoming.rawBody;
		const body = hasBody && raw ? (/x-www-form-urlencoded/i.test(String(contentType ?? '')) ? raw.toString('utf8') : raw) : undefined;
		let r: Awaited<ReturnType<HttpSend>>;
		try {
			r = await o.send({ url: url.toString(), method, headers, body, timeoutMs: 120_000 });
		} catch {
			return 'failed';
		}
		const outcome = String(r.headers?.[OUTCOME_HEADER] ?? '');
		if (r.status < 400 && outcome === 'resumed') {
			const contentType = r.headers?.['content-type'];
			o.onResumed?.({ status: r.status, contentType: contentType === undefined ? undefined : String(contentType), body: typeof r.body === 'string' ? r.body : '' });
			return 'resumed';
		}
		// A false condition answers with the node's Ignored Call Response Code (any status).
		if (outcome === 'ignored') return 'ignored';
		if (r.status >= 500) return 'failed';
		return 'lost';
	};
}
