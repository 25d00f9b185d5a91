import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { KEY_HEADER, NODE_QUERY_PARAM, PARAMS, WEBHOOK_NAMES, hasStaticWebhooks } from '../callback/constants';
import { callIO, ownBinding } from '../callback/n8n/incoming';
import { stableForwardKey, targetIO } from '../callback/n8n/n8nApi';
import { readCommonSettings, readHumanSettings, readStateParameter } from '../callback/n8n/settings';
import { headerValue } from '../callback/auth/types';
import { answerProbe, checkResumeCall, isProbe } from '../callback/pipeline/gate';
import { busy, otherNode, stableOff } from '../callback/pipeline/errors';
import { sendReply } from '../callback/pipeline/respond';
import { type CallSettings, fail, runPipeline } from '../callback/pipeline/run';
import { admit, busyRetryAfter } from '../callback/targeting/admission';
import { FORWARD_WEBHOOK, ORIGIN_HEADER, OUTCOME_HEADER } from '../callback/targeting/forward';
import { generatedExpiry } from '../callback/urls/expiry';
import { keyText } from '../callback/targeting/keyIndex';
import { generatedSecrets, givenSignature, hasN8nResumeToken, knownTokenized, urlSecretMatches } from '../callback/urls/urlSecret';

type Headers = Record<string, string | string[] | undefined>;

/** Routes by webhook: the stable URL (target stage), or a resume / fail URL of one execution. */
export async function waitWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const io = callIO(ctx);
	const webhookName = ctx.getWebhookName() as string;
	const v2 = hasStaticWebhooks(ctx.getNode().typeVersion);
	if (webhookName === WEBHOOK_NAMES.stable) {
		// version 2 registers the stable URL whatever the parameter (static methods): off answers 1056
		if (v2 && ctx.getNodeParameter(PARAMS.stableUrl, false) !== true) return fail(io, stableOff());
		// bounded work per process: above it, 503 + Retry-After at once (targeting/admission.ts)
		const slot = admit();
		if (!slot) return fail(io, busy(busyRetryAfter()));
		try {
			const common: CallSettings | Error = await readCommonSettings(ctx).catch((error: unknown) => error as Error);
			if (common instanceof Error) return fail(io, common);
			return await runPipeline(io, {
				...common,
				// n8n's start-up crash recovery would mark what a forward resumes as crashed (503 1052).
				checkReadiness: true,
				notReadyRetryAfter: () => Math.max(5, busyRetryAfter()),
				target: {
					repeatedStatus: ctx.getNodeParameter(PARAMS.repeatedStatus, 200) === 409 ? 409 : 200,
					stateParameter: readStateParameter(ctx),
					io: targetIO(ctx),
				},
			});
		} finally {
			slot.release();
		}
	}
	const failUrl = webhookName === WEBHOOK_NAMES.fail;
	const headers = ctx.getHeaderData() as Headers;
	// A forward is valid only where this node's own stable URL made it: this execution, this
	// workflow, this node, the resume (not the fail) URL. Anything else carrying a forward or
	// an origin is refused below, before the guards, and never resumes (callback/pipeline/gate.ts).
	const binding = ownBinding(ctx, failUrl ? WEBHOOK_NAMES.fail : FORWARD_WEBHOOK);
	const gate = await checkResumeCall(headers, binding, stableForwardKey(ctx));
	if (!(await hasValidUrlSecret(ctx, gate.kind === 'forwarded'))) {
		// The same answer n8n 2.x gives for a missing or wrong resume token; the secret is never
		// echoed, and the execution stays waiting (no workflowData).
		sendReply(io.response(), 401, JSON.stringify({ error: 'Invalid token' }));
		return { noWebhookResponse: true };
	}
	// Version 2: n8n routed the call to the node the execution waits at; a URL made for another
	// wait node of the workflow (an earlier step's, called late) says so by its node= and is refused.
	if (v2 && !nodeParamMatches(ctx)) {
		io.response().setHeader(OUTCOME_HEADER, 'refused');
		return fail(io, otherNode(ctx.getNode().name));
	}
	if (gate.kind === 'refused') {
		io.response().setHeader(OUTCOME_HEADER, 'refused');
		return fail(io, gate.error);
	}
	// The stable URL's state form asks whose execution this is before it forwards anything.
	if (isProbe(headers)) return answerProbe(io.response(), binding);
	// Routed by a correlation key: the index (or n8n 1.x's search) is a hint; this execution's own
	// Correlation Key must be that key, or the call is not for it (answered as a false condition).
	if (!correlationKeyMatches(ctx, headers[KEY_HEADER])) {
		io.response().setHeader(OUTCOME_HEADER, 'ignored');
		sendReply(io.response(), 200, '');
		return { noWebhookResponse: true };
	}
	const common: CallSettings | Error = await readCommonSettings(ctx).catch((error: unknown) => error as Error);
	if (common instanceof Error) return fail(io, common);
	return await runPipeline(io, {
		...common,
		// Ignore Bots and Confirm in Browser; the page's token is bound to this execution and URL.
		// A forward from this node's own stable URL (its origin, checked by the gate) is no link
		// for people: Confirm in Browser does not apply to it (Ignore Bots, on the caller's headers
		// passed on, does).
		human: readHumanSettings(ctx, `${binding.executionId}\n${webhookName}`, headers[ORIGIN_HEADER] === undefined),
		forwarded: gate.kind === 'forwarded' ? { identity: gate.identity } : undefined,
		// Only this node's own stable URL (a signed forward, or its origin, checked by the gate) reads the outcome.
		announceOutcome: gate.kind === 'forwarded' || headerValue(headers, ORIGIN_HEADER) !== undefined,
		failOnRefusal: ctx.getNodeParameter(PARAMS.refusedCalls, 'keepWaiting') === 'fail',
		expiresAt: generatedExpiry(ctx),
		checkReadiness: true,
		activate: (item) => {
			item.json.timedOut = false;
			item.json.failed = failUrl;
			item.json.reason = failUrl ? failureReason(item.json.data) : null;
			return [[item]];
		},
	});
}

/**
 * n8n 2.x checked its resume token before calling webhook(): nothing to do. n8n 1.x has none:
 * the call must carry, as `signature`, the secret a Generate Callback URL node targeting this
 * wait node put into this execution's URLs (read from its output in the run data), or be a call
 * forwarded by this node's own stable URL (`forwarded`: signed with its n8n API key, bound to
 * this execution, workflow, node and webhook, 60 s; checked by checkResumeCall). Fails closed.
 */
async function hasValidUrlSecret(ctx: IWebhookFunctions, forwarded: boolean): Promise<boolean> {
	// n8n 2.x checked its token before this node ran; whether the execution has one (every one
	// that went to wait under 2.x) is known here when execute() ran in this process
	if (knownTokenized(String(ctx.getWorkflow().id ?? ''), String(ctx.getExecutionId()))) return true;
	if (hasN8nResumeToken(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string)) return true;
	if (forwarded) return true;
	const given = givenSignature(ctx.getQueryData() as Record<string, unknown>);
	let matched = false;
	// every candidate is compared (no early exit), each in constant time
	for (const secret of generatedSecrets(ctx)) matched = urlSecretMatches(given, secret) || matched;
	return matched;
}

/** Version 2: the URL's `node=` (absent in n8n's own `$execution.resumeUrl`) names this node. */
function nodeParamMatches(ctx: IWebhookFunctions): boolean {
	const given = (ctx.getQueryData() as Record<string, unknown>)[NODE_QUERY_PARAM];
	if (given === undefined) return true;
	return typeof given === 'string' && given === ctx.getNode().id;
}

/** Whether a key the call was routed by (KEY_HEADER) is this execution's correlation key; true without one. */
function correlationKeyMatches(ctx: IWebhookFunctions, header: string | string[] | undefined): boolean {
	if (header === undefined) return true;
	let wanted: string;
	try {
		wanted = decodeURIComponent(Array.isArray(header) ? header.join(',') : header);
	} catch {
		return false;
	}
	if (String(ctx.getNode().parameters[PARAMS.correlationKey] ?? '').trim() === '') return false;
	return keyText(ctx.getNodeParameter(PARAMS.correlationKey, '')) === wanted;
}

/** The caller's reason on a fail URL: `reason`, `message` or `error` of the data, if any. */
function failureReason(data: unknown): string | null {
	if (data && typeof data === 'object' && !Array.isArray(data)) {
		const d = data as Record<string, unknown>;
		for (const key of ['reason', 'message', 'error']) {
			if (typeof d[key] === 'string' && d[key]) return d[key] as string;
		}
	}
	return null;
}
