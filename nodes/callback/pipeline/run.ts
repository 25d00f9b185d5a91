import type { IBinaryData, IBinaryKeyData, IDataObject, INodeExecutionData, IWebhookResponseData } from 'n8n-workflow';

import type { HttpFetch, Identity } from '../auth/types';
import { challengeReply, credentialHeaders, credentialQueryParams, guard, type GuardSettings } from '../auth/guard';
import { KEY_QUERY_PARAM } from '../constants';
import { OUTCOME_HEADER } from '../targeting/forward';
import { type Target, type TargetOutcome, type TargetSpec, readTarget, runTarget } from '../targeting/target';
import { CONDITION_ERROR_SENTINEL, bindCallback, isTrue, wrapForErrors } from './condition';
import { CallbackError, conditionError, expired, internalError, notReady, unsupportedContentType } from './errors';
import { type HumanSpec, confirmedReply, humanStage } from './human';
import { buildOutputJson } from './output';
import { type IncomingCallback, MAX_DEPTH, type ParseOptions, type ParsedCallback, depthOf, parseCallback } from './parse';
import { redactHeaders, redactQuery } from './redact';
import { type ResponseLike, type ResponseOptions, type ResponsePlan, planResponse, sendError, sendReply } from './respond';

/**
 * The one pipeline every entry point runs (resume URL, fail URL, stable URL, trigger):
 * parse → authenticate → authorize → condition → target → resume or start → respond.
 * Plain TypeScript: everything it reads or writes of n8n comes in through CallIO (built by
 * n8n/incoming.ts). A stable URL has a "target" stage instead of condition and activation:
 * it forwards the call to each target's own resume URL, where they run for that execution.
 */

/** What the pipeline needs of the n8n process that received the call. */
export interface CallIO {
	response(): ResponseLike;
	executionId(): string | undefined;
	nodeName(): string;
	/** A warning in n8n's log (messages hold no secrets). */
	warn(message: string): void;
	readIncoming(): Promise<IncomingCallback>;
	/** Whether the process finished starting (unknown counts as ready). */
	isReady(): Promise<boolean>;
	/** Outbound HTTP for identity providers. */
	fetch: HttpFetch;
	/** n8n evaluates an expression against the waiting item (the condition). */
	evaluate(expression: string): unknown;
	binaryFromBuffer(buffer: Buffer, mimeType: string): Promise<IBinaryData>;
	binaryFromFile(path: string, fileName: string, mimeType: string): Promise<IBinaryData>;
}

/** The node's settings every entry point shares (n8n/settings.ts reads them). */
export interface CallSettings {
	parse: ParseOptions;
	guards: GuardSettings;
	/** Raw condition parameter (an `={{ … }}` expression that may use `$callback`); '' for none. */
	condition: string;
	/** Reply to a call whose condition is false (default 200, empty body). */
	ignoredReply: { status: number; body: string };
	response: ResponseOptions;
	/** Stage "human": Ignore Bots, Confirm in Browser (pipeline/human.ts); undefined: off. */
	human?: HumanSpec;
}

export interface PipelineSpec extends CallSettings {
	/**
	 * A call forwarded by this node's own stable URL for this execution, checked by the caller
	 * of the pipeline (the wait node's resume URL): the identity the stable URL's guards found,
	 * so the guards do not run twice. Undefined: a direct call, the guards run.
	 */
	forwarded?: { identity: Identity | null };
	/**
	 * Resume with `failed: true` on a refused call (4xx from parsing or the guards) instead of
	 * leaving the execution waiting. The caller still gets its error.
	 */
	failOnRefusal?: boolean;
	/** After this, calls get 410 and resume nothing (a Generate Callback URL expiry). */
	expiresAt?: Date;
	/** Refuse (503) while the receiving n8n process has not finished starting. */
	checkReadiness?: boolean;
	/** Retry-After (s) of that answer (default 5; the stable URL gives each refused caller its own turn). */
	notReadyRetryAfter?: () => number;
	/**
	 * Tell the caller what the call did (OUTCOME_HEADER): only for this node's own stable URL,
	 * whose forwards read it. Direct callers and trigger callers never get the internal header.
	 */
	announceOutcome?: boolean;
	/** Stage "target" (the stable URL): which waiting executions the call goes to. */
	target?: TargetSpec;
	/** Stage "resume or start": the accepted call's item as what n8n should do. Unused with `target`. */
	activate?: (item: INodeExecutionData, parsed: ParsedCallback) => INodeExecutionData[][];
}

const ANSWERED: IWebhookResponseData = { noWebhookResponse: true };

/** Runs the pipeline for one HTTP call. Refusals answer JSON and leave the execution as it was. */
export async function runPipeline(io: CallIO, spec: PipelineSpec): Promise<IWebhookResponseData> {
	const res = io.response();
	try {
		if (spec.expiresAt && Date.now() >= spec.expiresAt.getTime()) return fail(io, expired(spec.expiresAt));
		if (spec.checkReadiness && !(await io.isReady())) {
			res.setHeader('retry-after', String(spec.notReadyRetryAfter?.() ?? 5));
			return fail(io, notReady());
		}
		// Stage "human" (links for people): bots, prefetches and the confirmation page resume
		// nothing. A forward from this node's stable URL passed it there.
		const received = await io.readIncoming();
		const human = humanStage(received, spec.forwarded ? undefined : spec.human);
		if (human.kind === 'page') {
			// The confirmation page only for callers the guards admit (a refusal never fails the wait).
			const screened = human.screen ? await screenCall(io, spec, received) : undefined;
			if (screened && 'refusal' in screened) return fail(io, screened.refusal);
			sendReply(res, human.status, human.body, human.headers);
			return ANSWERED;
		}
		if (human.kind === 'refuse') {
			for (const [name, value] of Object.entries(human.headers ?? {})) res.setHeader(name, value);
			return fail(io, human.error);
		}
		const incoming = human.incoming;
		// Which execution(s): read before the guards (a bad target is the caller's to fix).
		const target = spec.target ? targetOf(incoming, spec.target) : undefined;
		const screened = await screenCall(io, spec, incoming, spec.forwarded);
		if ('refusal' in screened) return refuseCall(io, spec, screened.refusal, incoming);
		// A sender's challenge (Zoom's endpoint URL validation): answered, nothing resumed or started.
		const challenge = challengeReply(spec.guards, screened.identity, incoming.body);
		if (challenge) {
			sendReply(res, 200, JSON.stringify(challenge));
			return ANSWERED;
		}
		if (target && spec.target) return await targetStage(io, spec, spec.target, target, { incoming, identity: screened.identity, parsed: screened.parsed });
		const { identity, parsed } = screened;
		const json = buildOutputJson(parsed, io.executionId()) as unknown as IDataObject;
		json.user = (identity?.user ?? null) as IDataObject | null;
		json.roles = identity?.roles ?? [];
		const callback = { data: parsed.data, query: parsed.query, headers: parsed.headers, method: parsed.method, user: json.user, roles: json.roles };
		if (!conditionHolds(io, spec.condition, callback)) {
			if (spec.announceOutcome) res.setHeader(OUTCOME_HEADER, 'ignored');
			sendReply(res, spec.forwarded ? 200 : spec.ignoredReply.status, spec.forwarded ? '' : spec.ignoredReply.body);
			return ANSWERED;
		}
		const plan = confirmedReply(planResponse(spec.response), spec.response.respond, spec.human, human.confirmed);
		// Linked to the waiting item, so $('Earlier Node').item still resolves after it.
		const item: INodeExecutionData = { json, pairedItem: { item: 0 } };
		const binary = await attachBinary(io, parsed);
		if (binary) item.binary = binary;
		const workflowData = activate(spec, item, parsed);
		return respondActivated(res, plan, workflowData, spec.announceOutcome === true);
	} catch (error) {
		return fail(io, error);
	}
}

export type Screened = { refusal: CallbackError } | { identity: Identity | undefined; parsed: ParsedCallback };

/**
 * Stages parse → authenticate → authorize: the caller's identity and the parsed call, or the
 * refusal to answer. A call forwarded by this node's stable URL was authenticated there already.
 */
export async function screenCall(
	io: CallIO,
	spec: CallSettings,
	incoming: IncomingCallback,
	trusted?: { identity: Identity | null },
): Promise<Screened> {
	try {
		const parsed = parseCallback(incoming, {
			...spec.parse,
			secretQueryParams: [...(spec.parse.secretQueryParams ?? []), ...credentialQueryParams(spec.guards)],
			secretHeaders: [...(spec.parse.secretHeaders ?? []), ...credentialHeaders(spec.guards)],
		});
		if (trusted) return { identity: trusted.identity ?? undefined, parsed };
		const identity = await guard(
			spec.guards,
			{ method: parsed.method, headers: incoming.headers, query: incoming.query, rawBody: incoming.rawBody, url: incoming.url },
			io.fetch,
		);
		return { identity, parsed };
	} catch (error) {
		return { refusal: asCallbackError(io, error) };
	}
}

/** Stage "condition": true when there is none. Throws 422 when it cannot be evaluated. */
function conditionHolds(io: CallIO, raw: string, callback: Record<string, unknown>): boolean {
	const text = String(raw ?? '').trim();
	if (!text) return true;
	if (!text.startsWith('=')) return isTrue(text);
	let value: unknown;
	try {
		value = io.evaluate(wrapForErrors(bindCallback(text.slice(1), callback)));
	} catch (error) {
		io.warn(`Condition of node "${io.nodeName()}" failed: ${(error as Error).message}`);
		throw conditionError();
	}
	if (value === CONDITION_ERROR_SENTINEL) {
		io.warn(`Condition of node "${io.nodeName()}" threw while it was evaluated`);
		throw conditionError();
	}
	return isTrue(value);
}

/** Stage "target", first half: the target the call names, before anything else runs. */
function targetOf(incoming: IncomingCallback, spec: TargetSpec): Target {
	// n8n's parser consumes multipart bodies before the node runs: there are no raw bytes
	// to pass on to a resume URL, so refuse rather than resume with the data missing.
	if (incoming.contentType === 'multipart/form-data') {
		throw unsupportedContentType(incoming.contentType, ['application/json', 'application/x-www-form-urlencoded', 'text/plain', '…']);
	}
	const { correlation } = spec.io;
	const keyGiven = correlation.enabled && (incoming.query[KEY_QUERY_PARAM] !== undefined || !!correlation.keyFromCall);
	return readTarget(incoming.query, incoming.body, spec.stateParameter, keyGiven);
}

/** Stage "target", second half: forward the screened call to the target(s), then answer. */
async function targetStage(
	io: CallIO,
	settings: CallSettings,
	spec: TargetSpec,
	target: Target,
	call: { incoming: IncomingCallback; identity: Identity | undefined; parsed?: ParsedCallback },
): Promise<IWebhookResponseData> {
	// A single activation answers like the resume URL when the node's Respond option is a
	// custom reply or a redirect (an OAuth provider's redirect lands the browser on a page);
	// otherwise FlowRunner-style, 200 with an empty body. Built first: a configuration
	// mistake is reported before anything is resumed.
	const custom = settings.response.respond === 'custom' || settings.response.respond === 'redirect';
	const plan = custom ? planResponse(settings.response) : undefined;
	// "When Last Node Finishes": the resume URL's reply (the last node's output, or n8n's message
	// when it has none) is the caller's, so that it can tell a processed call from n8n's bare 200.
	const passReply = settings.response.respond === 'lastNode';
	const outcome = await runTarget(target, { ...call, carryIdentity: settings.guards.authentication !== 'none' }, { ...spec, passReply });
	return respondTargeted(io.response(), outcome, plan);
}

function activate(spec: PipelineSpec, item: INodeExecutionData, parsed: ParsedCallback): INodeExecutionData[][] {
	if (!spec.activate) throw new Error('The pipeline has neither a target nor an activation');
	return spec.activate(item, parsed);
}

async function attachBinary(io: CallIO, parsed: ParsedCallback): Promise<IBinaryKeyData | undefined> {
	const binary: IBinaryKeyData = {};
	if (parsed.binaryBody) binary.data = await io.binaryFromBuffer(parsed.binaryBody.buffer, parsed.binaryBody.mimeType);
	for (const file of parsed.files) {
		binary[file.property] = await io.binaryFromFile(file.filepath, file.fileName ?? file.property, file.mimeType ?? 'application/octet-stream');
	}
	return Object.keys(binary).length ? binary : undefined;
}

/**
 * Stage "respond" for a resume or start: n8n owns the status code (webhook description) and
 * sends the immediate reply only once it accepted the resume (a lost race never gets a false
 * 200). The outcome header tells the stable URL what a forwarded call did.
 */
function respondActivated(res: ResponseLike, plan: ResponsePlan, workflowData: INodeExecutionData[][], announce: boolean): IWebhookResponseData {
	for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value);
	if (announce) res.setHeader(OUTCOME_HEADER, 'resumed');
	return { workflowData, webhookResponse: plan.body };
}

/** Stage "respond" for a targeted call: the stable URL answers itself. */
function respondTargeted(res: ResponseLike, outcome: TargetOutcome, plan: ResponsePlan | undefined): IWebhookResponseData {
	if (outcome.kind === 'all') {
		sendReply(res, 200, outcome.ids.join(','), { 'content-type': 'text/plain; charset=utf-8' });
		return ANSWERED;
	}
	if (outcome.repeated) res.setHeader('x-callback-repeated', 'true');
	res.setHeader('x-execution-id', outcome.id);
	if (outcome.reply && !plan) {
		const { status, contentType, body } = outcome.reply;
		sendReply(res, status, body, contentType ? { 'content-type': contentType } : {});
		return ANSWERED;
	}
	sendReply(res, plan?.status ?? 200, plan?.body ?? '', plan?.headers);
	return ANSWERED;
}

/**
 * Answers a refusal. On Fail Policy IGNORE: a caller refused by the guards (401/403) gets 200
 * and nothing happens. An outage (503) is always answered as one, so that the caller retries.
 * Refused Calls "Fail the Wait" resumes with the refusal (failTheWait).
 */
function refuseCall(io: CallIO, spec: PipelineSpec, refusal: CallbackError, incoming: IncomingCallback): IWebhookResponseData {
	const ignored = spec.guards.onFail === 'ignore' && (refusal.status === 401 || refusal.status === 403);
	if (ignored) {
		sendReply(io.response(), 200, '');
		return ANSWERED;
	}
	if (spec.failOnRefusal && refusal.status < 500) return failTheWait(io, spec, refusal, incoming);
	return fail(io, refusal);
}

/**
 * Refused Calls "Fail the Wait": the caller gets its error, and the execution continues with
 * `failed: true` and the refusal as the reason (n8n resumes at most once, as for any call).
 */
function failTheWait(io: CallIO, spec: PipelineSpec, refusal: CallbackError, incoming: IncomingCallback): IWebhookResponseData {
	// The shape of an accepted call's item (output.ts), redacted the same way; no data: it was refused.
	const parsed = refusedCall(incoming, spec);
	const json = buildOutputJson(parsed, io.executionId()) as unknown as IDataObject;
	json.user = null;
	json.roles = [];
	const item: INodeExecutionData = { json, pairedItem: { item: 0 } };
	const [[resumed]] = activate(spec, item, parsed);
	resumed.json.failed = true;
	resumed.json.reason = refusal.message;
	sendError(io.response(), refusal);
	return { workflowData: [[resumed]], noWebhookResponse: true };
}

/** A refused call as the output sees it: its method, redacted query and headers, no data. */
function refusedCall(incoming: IncomingCallback, spec: CallSettings): ParsedCallback {
	const secretParams = [...(spec.parse.secretQueryParams ?? []), ...credentialQueryParams(spec.guards), ...(spec.parse.stripFields ?? [])];
	return {
		method: String(incoming.method ?? '').toUpperCase(),
		contentType: incoming.contentType ?? '',
		data: null,
		// a query refused as too deep is not kept (n8n could not read the execution back)
		query: depthOf(incoming.query) > MAX_DEPTH ? {} : redactQuery(incoming.query ?? {}, { dropTargeting: true, extraSecretParams: secretParams }),
		headers: redactHeaders(incoming.headers ?? {}),
		files: [],
	};
}

/** Stage "respond" for a refusal: documented status + JSON; the execution is left as it was. */
export function fail(io: CallIO, error: unknown): IWebhookResponseData {
	sendError(io.response(), asCallbackError(io, error));
	return ANSWERED;
}

function asCallbackError(io: CallIO, error: unknown): CallbackError {
	if (error instanceof CallbackError) return error;
	// A configuration mistake (bad redirect URL, header name) is the workflow's, not the caller's:
	// the caller gets a generic 500 JSON, the details go to n8n's log (messages hold no secrets).
	io.warn(`External callback on node "${io.nodeName()}" failed: ${(error as Error)?.message}`);
	return internalError();
}
