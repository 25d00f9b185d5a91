import type { IBinaryKeyData, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { HttpFetch, Identity } from '../auth/types';
import { CONDITION_ERROR_SENTINEL, bindCallback, isTrue, wrapForErrors } from './condition';
import { CallbackError, conditionError, expired, internalError, notReady } from './errors';
import { OUTCOME_HEADER } from '../targeting/forward';
import { credentialQueryParams, guard, type GuardSettings } from '../auth/guard';
import { buildOutputJson } from './output';
import { type IncomingCallback, type ParseOptions, type ParsedCallback, parseCallback } from './parse';
import { type ResponseOptions, type ResponsePlan, planResponse, sendError, sendReply } from './respond';

/**
 * The activation pipeline every entry point runs:
 * parse → authenticate → authorize → condition → target → activate → respond.
 * Node files supply the options and the `activate` step; nothing else lives in them.
 */
export interface PipelineSpec {
	parse: ParseOptions;
	guards: GuardSettings;
	/** Raw condition parameter (an `={{ … }}` expression that may use `$callback`); '' for none. */
	condition: string;
	/** Reply to a call whose condition is false (default 200, empty body). */
	ignoredReply: { status: number; body: string };
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
	response: ResponseOptions;
	/** Turns the accepted call's item into what n8n should do (resume or start). */
	activate: (item: INodeExecutionData, parsed: ParsedCallback) => INodeExecutionData[][];
}

interface N8nRequest {
	method?: string;
	url?: string;
	originalUrl?: string;
	headers: Record<string, string | string[] | undefined>;
	contentType?: string;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

const N8N_PARSED = /^(application\/json|application\/x-www-form-urlencoded|text\/plain|multipart\/form-data)$/;

/** Adapts n8n's request to the pipeline's plain IncomingCallback. */
export async function readIncoming(ctx: IWebhookFunctions): Promise<IncomingCallback> {
	const req = ctx.getRequestObject() as unknown as N8nRequest;
	const contentType = String(req.contentType ?? req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	if (contentType !== 'multipart/form-data' && !req.rawBody && typeof req.readRawBody === 'function') {
		// Bodies n8n does not parse (binary, vendor +json) are read here, within n8n's size limit.
		if (!N8N_PARSED.test(contentType)) await req.readRawBody();
	}
	const declared = Number(req.headers['content-length']);
	const url = String(req.originalUrl ?? req.url ?? '');
	return {
		method: String(req.method ?? 'GET'),
		queryLength: url.includes('?') ? url.length - url.indexOf('?') - 1 : 0,
		contentType,
		headers: ctx.getHeaderData() as Record<string, string | string[] | undefined>,
		query: (ctx.getQueryData() ?? {}) as Record<string, unknown>,
		body: ctx.getBodyData(),
		rawBody: req.rawBody,
		contentLength: Number.isFinite(declared) ? declared : undefined,
	};
}

async function attachBinary(ctx: IWebhookFunctions, parsed: ParsedCallback): Promise<IBinaryKeyData | undefined> {
	const binary: IBinaryKeyData = {};
	if (parsed.binaryBody) {
		binary.data = await ctx.helpers.prepareBinaryData(
			parsed.binaryBody.buffer,
			undefined,
			parsed.binaryBody.mimeType,
		);
	}
	for (const file of parsed.files) {
		binary[file.property] = await ctx.nodeHelpers.copyBinaryFile(
			file.filepath,
			file.fileName ?? file.property,
			file.mimeType ?? 'application/octet-stream',
		);
	}
	return Object.keys(binary).length ? binary : undefined;
}

function applyHeaders(ctx: IWebhookFunctions, plan: ResponsePlan) {
	const res = ctx.getResponseObject();
	for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value);
}

/** Where this n8n serves waiting webhooks, from the request itself (loopback to the same process). */
export function ownBaseUrl(ctx: IWebhookFunctions): string {
	const req = ctx.getRequestObject() as unknown as { socket?: { localPort?: number; localAddress?: string } };
	const port = req.socket?.localPort;
	const address = req.socket?.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
	const host = address.includes(':') ? `[${address}]` : address;
	return `http://${host}:${port}`;
}

/**
 * Whether the n8n process that received this call has finished starting. Until then its
 * start-up crash recovery marks every running execution as crashed, so a callback resumed in
 * that window would be lost. Unknown (no health endpoint reachable) counts as ready.
 */
export async function processReady(ctx: IWebhookFunctions): Promise<boolean> {
	try {
		const r = (await ctx.helpers.httpRequest({
			url: `${ownBaseUrl(ctx)}/healthz/readiness`,
			method: 'GET',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 2000,
		})) as { statusCode: number };
		return r.statusCode !== 503;
	} catch {
		return true;
	}
}

/** Outbound HTTP for identity providers through n8n's own request helper. */
export function makeFetch(ctx: IWebhookFunctions): HttpFetch {
	return async ({ url, method, headers, body, timeoutMs }) => {
		const res = (await ctx.helpers.httpRequest({
			url,
			method,
			headers,
			body,
			timeout: timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			encoding: 'text',
		})) as { statusCode: number; body: unknown };
		let parsed: unknown = res.body;
		if (typeof parsed === 'string') {
			try {
				parsed = JSON.parse(parsed);
			} catch {
				// not JSON: keep the text
			}
		}
		return { status: res.statusCode, body: parsed };
	};
}

/** Stage "condition": true when there is none. Throws 422 when it cannot be evaluated. */
function conditionHolds(ctx: IWebhookFunctions, raw: string, callback: Record<string, unknown>): boolean {
	const text = String(raw ?? '').trim();
	if (!text) return true;
	if (!text.startsWith('=')) return isTrue(text);
	let value: unknown;
	try {
		value = ctx.evaluateExpression(wrapForErrors(bindCallback(text.slice(1), callback)), 0);
	} catch (error) {
		ctx.logger.warn(`Condition of node "${ctx.getNode().name}" failed: ${(error as Error).message}`);
		throw conditionError();
	}
	if (value === CONDITION_ERROR_SENTINEL) {
		ctx.logger.warn(`Condition of node "${ctx.getNode().name}" threw while it was evaluated`);
		throw conditionError();
	}
	return isTrue(value);
}

export type Screened =
	| { refusal: CallbackError }
	| { identity: Identity | undefined; parsed: ParsedCallback };

/**
 * Stages parse → authenticate → authorize, shared by the resume URL, the stable URL and the
 * trigger: the caller's identity and the parsed call, or the refusal to answer.
 */
export async function screenCall(
	ctx: IWebhookFunctions,
	spec: Omit<PipelineSpec, 'activate'>,
	incoming: IncomingCallback,
	trusted?: { identity: Identity | null },
): Promise<Screened> {
	let parsed: ParsedCallback;
	try {
		parsed = parseCallback(incoming, {
			...spec.parse,
			secretQueryParams: [...(spec.parse.secretQueryParams ?? []), ...credentialQueryParams(spec.guards)],
		});
	} catch (error) {
		return { refusal: asCallbackError(ctx, error) };
	}
	// A call forwarded by this node's stable URL was authenticated there already.
	if (trusted) return { identity: trusted.identity ?? undefined, parsed };
	try {
		const identity = await guard(
			spec.guards,
			{ method: parsed.method, headers: incoming.headers, query: incoming.query, rawBody: incoming.rawBody },
			makeFetch(ctx),
		);
		return { identity, parsed };
	} catch (error) {
		return { refusal: asCallbackError(ctx, error) };
	}
}

/**
 * Answers a refusal. On Fail Policy IGNORE: a caller refused by the guards (401/403) gets 200
 * and nothing happens. An outage (503) is always answered as one, so that the caller retries.
 */
export function refuse(ctx: IWebhookFunctions, spec: Omit<PipelineSpec, 'activate'>, refusal: CallbackError): IWebhookResponseData {
	if (spec.guards.onFail === 'ignore' && (refusal.status === 401 || refusal.status === 403)) {
		sendReply(ctx.getResponseObject(), 200, '');
		return { noWebhookResponse: true };
	}
	return fail(ctx, refusal);
}

/** Runs the pipeline for one HTTP call. Refusals answer JSON and leave the execution as it was. */
export async function runPipeline(ctx: IWebhookFunctions, spec: PipelineSpec): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	try {
		if (spec.expiresAt && Date.now() >= spec.expiresAt.getTime()) return fail(ctx, expired(spec.expiresAt));
		if (spec.checkReadiness && !(await processReady(ctx))) {
			res.setHeader('retry-after', '5');
			return fail(ctx, notReady());
		}
		const incoming = await readIncoming(ctx);
		const forwarded = spec.forwarded;
		const screened = await screenCall(ctx, spec, incoming, forwarded);
		if ('refusal' in screened) {
			const { refusal } = screened;
			const ignored = spec.guards.onFail === 'ignore' && (refusal.status === 401 || refusal.status === 403);
			if (spec.failOnRefusal && !ignored && refusal.status < 500) return failTheWait(ctx, spec, refusal);
			return refuse(ctx, spec, refusal);
		}
		const { identity, parsed } = screened;
		const json = buildOutputJson(parsed, ctx.getExecutionId()) as unknown as IDataObject;
		json.user = (identity?.user ?? null) as IDataObject | null;
		json.roles = identity?.roles ?? [];
		const callback = { data: parsed.data, query: parsed.query, headers: parsed.headers, method: parsed.method, user: json.user, roles: json.roles };
		if (!conditionHolds(ctx, spec.condition, callback)) {
			res.setHeader(OUTCOME_HEADER, 'ignored');
			sendReply(res, forwarded ? 200 : spec.ignoredReply.status, forwarded ? '' : spec.ignoredReply.body);
			return { noWebhookResponse: true };
		}
		const plan = planResponse(spec.response);
		// Linked to the waiting item, so $('Earlier Node').item still resolves after it.
		const item: INodeExecutionData = { json, pairedItem: { item: 0 } };
		const binary = await attachBinary(ctx, parsed);
		if (binary) item.binary = binary;
		const workflowData = spec.activate(item, parsed);
		applyHeaders(ctx, plan);
		// Tells the stable URL what a forwarded call did. n8n sends the success reply only once it
		// accepted the resume; a lost race gets n8n's own error status instead.
		res.setHeader(OUTCOME_HEADER, 'resumed');
		return { workflowData, webhookResponse: plan.body };
	} catch (error) {
		return fail(ctx, error);
	}
}

/**
 * Refused Calls "Fail the Wait": the caller gets its error, and the execution continues with
 * `failed: true` and the refusal as the reason (n8n resumes at most once, as for any call).
 */
function failTheWait(ctx: IWebhookFunctions, spec: PipelineSpec, refusal: CallbackError): IWebhookResponseData {
	const res = ctx.getResponseObject();
	const item: INodeExecutionData = {
		json: { data: null, executionId: ctx.getExecutionId(), receivedAt: new Date().toISOString(), user: null, roles: [] },
		pairedItem: { item: 0 },
	};
	const [[resumed]] = spec.activate(item, { method: '', contentType: '', data: null, query: {}, headers: {}, files: [] });
	resumed.json.failed = true;
	resumed.json.reason = refusal.message;
	sendError(res, refusal);
	return { workflowData: [[resumed]], noWebhookResponse: true };
}

/** Stage "respond" for a refusal: documented status + JSON; the execution is left as it was. */
export function fail(ctx: IWebhookFunctions, error: unknown): IWebhookResponseData {
	sendError(ctx.getResponseObject(), asCallbackError(ctx, error));
	return { noWebhookResponse: true };
}

function asCallbackError(ctx: IWebhookFunctions, error: unknown): CallbackError {
	return error instanceof CallbackError ? error : toCallbackError(ctx, error as Error);
}

function toCallbackError(ctx: IWebhookFunctions, error: Error): CallbackError {
	// A configuration mistake (bad redirect URL, header name) is the workflow's, not the caller's:
	// the caller gets a generic 500 JSON, the details go to n8n's log (messages hold no secrets).
	ctx.logger.warn(`External callback on node "${ctx.getNode().name}" failed: ${error?.message}`);
	return internalError();
}
