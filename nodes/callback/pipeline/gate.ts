import type { IWebhookResponseData } from 'n8n-workflow';

import { type AuthRequest, type Identity, headerValue } from '../auth/types';
import { type CallbackError, forwardForeign, forwardInvalid } from './errors';
import {
	FORWARD_HEADER,
	ORIGIN_HEADER,
	OUTCOME_HEADER,
	PROBE_HEADER,
	PROBE_NODE_HEADER,
	PROBE_WORKFLOW_HEADER,
	type ForwardBinding,
	checkForward,
	originOf,
} from '../targeting/forward';
import { type ResponseLike, sendReply } from './respond';

/**
 * What a call to a wait node's resume URL (or fail URL) is, before anything else runs:
 * - `direct`: a caller's own call (n8n's resume token, or on 1.x the URL secret, proves it; the
 *   node's guards run);
 * - `forwarded`: a call this node's own stable URL forwarded for exactly this execution, this
 *   workflow, this node and this webhook, signed with its n8n API key; the identity its guards
 *   found travels with it;
 * - `refused`: a call that carries a forward or an origin that is not this node's own — made by
 *   another workflow's or wait node's stable URL (twin workflows from one template share node
 *   ids, and one n8n API credential may serve many workflows), replayed at another node or at the
 *   fail URL, expired, or unverifiable here. It is answered with a JSON error and resumes
 *   nothing, whatever the node's Refused Calls option: it is never the guards' refusal of a caller.
 */
export type ResumeGate =
	| { kind: 'direct' }
	| { kind: 'forwarded'; identity: Identity | null }
	| { kind: 'refused'; error: CallbackError };

type HeaderBag = AuthRequest['headers'];

/**
 * Reads the forward and origin headers of a call to a resume or fail URL; `binding` is this
 * webhook of this node in this execution (n8n/incoming.ts ownBinding). `forwardKey` reads
 * this node's n8n API key (only when a forward is present: a credential read costs n8n 2.x an
 * expression isolate); undefined when the node's stable URL is off, which sends no forwards.
 */
export async function checkResumeCall(
	headers: HeaderBag,
	binding: ForwardBinding,
	forwardKey: (() => Promise<string | undefined>) | undefined,
): Promise<ResumeGate> {
	const { webhook } = binding;
	const origin = headerValue(headers, ORIGIN_HEADER);
	if (origin !== undefined && (origin !== originOf(binding.workflowId, binding.nodeId) || webhook !== 'default')) {
		return { kind: 'refused', error: forwardForeign() };
	}
	const forward = headerValue(headers, FORWARD_HEADER);
	if (forward === undefined) return { kind: 'direct' };
	const key = forwardKey ? await forwardKey() : undefined;
	const check = checkForward(forward, key, binding);
	if (check.valid) return { kind: 'forwarded', identity: check.identity };
	return { kind: 'refused', error: check.reason === 'foreign' ? forwardForeign() : forwardInvalid() };
}

/** Whether the call is the stable URL's probe (state form: whose execution is this?). */
export function isProbe(headers: HeaderBag): boolean {
	return headerValue(headers, PROBE_HEADER) !== undefined;
}

/**
 * Answers a probe: which workflow and wait node this resume URL belongs to. Only reached after
 * n8n checked the resume token (on 1.x: after the node checked the URL secret), so it tells
 * nothing to anyone who does not hold the execution's secret already, and it resumes nothing
 * (no workflowData: the execution keeps waiting).
 */
export function answerProbe(res: ResponseLike, own: Pick<ForwardBinding, 'workflowId' | 'nodeId'>): IWebhookResponseData {
	res.setHeader(PROBE_WORKFLOW_HEADER, own.workflowId);
	res.setHeader(PROBE_NODE_HEADER, own.nodeId);
	res.setHeader(OUTCOME_HEADER, 'probe');
	sendReply(res, 200, '');
	return { noWebhookResponse: true };
}
