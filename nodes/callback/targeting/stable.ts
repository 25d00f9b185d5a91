import type { IDataObject, IHttpRequestOptions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { Identity } from '../auth/types';
import {
	CallbackError,
	alreadyResumed,
	badTarget,
	finished,
	n8nApiUnavailable,
	notWaiting,
	unsupportedContentType,
} from '../pipeline/errors';
import {
	ApiError,
	type ApiGet,
	type WaitingExecution,
	executionState,
	listWaitingHere,
	staticDataHint,
	waitingHereOldestFirst,
} from './search';
import {
	FORWARD_HEADER,
	INTERNAL_HEADERS,
	ORIGIN_HEADER,
	OUTCOME_HEADER,
	PROBE_HEADER,
	PROBE_NODE_HEADER,
	PROBE_WORKFLOW_HEADER,
	type Outcome,
	forwardIsSigned,
	originOf,
	signForward,
} from './forward';
import { decodeState } from '../urls/state';
import { type PipelineSpec, fail, ownBaseUrl, readIncoming, refuse, screenCall } from '../pipeline/run';
import { planResponse, sendReply } from '../pipeline/respond';
import { TARGETING_QUERY_PARAMS } from '../pipeline/redact';

export const N8N_API_CREDENTIAL = 'externalCallbackN8nApi';
const ALL_PARALLELISM = 8;

export interface StableSpec extends Omit<PipelineSpec, 'activate'> {
	/** Answer to a repeated call for an execution this node already resumed. */
	repeatedStatus: 200 | 409;
	/** Name of the state parameter of state-form URLs (query or form field). */
	stateParameter: string;
}

type Target =
	| { kind: 'id'; id: string }
	| { kind: 'any' }
	| { kind: 'all' }
	| { kind: 'state'; execution: WaitingExecution };

/** `execution` or `executionId` (an id, `any` or `all`, given once), or a state. */
export function readTarget(query: Record<string, unknown>, body: unknown, stateParameter: string): Target {
	const given = TARGETING_QUERY_PARAMS.filter((p) => query[p] !== undefined);
	const stateValue =
		query[stateParameter] ??
		(body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[stateParameter] : undefined);
	if (given.length === 0 && stateValue !== undefined) {
		const state = decodeState(stateValue);
		if (!state) throw badTarget(`The ${stateParameter} parameter is not a valid state`);
		return { kind: 'state', execution: { id: state.executionId, resumeToken: state.resumeToken, startedAt: '' } };
	}
	if (given.length === 0) throw badTarget('Say which execution to resume: ?execution=<id>, any or all');
	if (given.length > 1 || Array.isArray(query[given[0]])) {
		throw badTarget('Give the execution parameter once (execution or executionId)');
	}
	const value = String(query[given[0]]).trim();
	if (value === 'any' || value === 'all') return { kind: value };
	if (!/^[0-9A-Za-z_-]{1,64}$/.test(value)) throw badTarget('The execution parameter must be an execution id, any or all');
	return { kind: 'id', id: value };
}

interface Forwarder {
	(candidate: WaitingExecution): Promise<Outcome | 'lost'>;
}

/** Runs the stable URL: guards once, then find the target(s) and resume each by its resume URL. */
export async function runStable(ctx: IWebhookFunctions, spec: StableSpec): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	try {
		const incoming = await readIncoming(ctx);
		// n8n's parser consumes multipart bodies before the node runs: there are no raw bytes
		// to pass on to a resume URL, so refuse rather than resume with the data missing.
		if (incoming.contentType === 'multipart/form-data') {
			throw unsupportedContentType(incoming.contentType, ['application/json', 'application/x-www-form-urlencoded', 'text/plain', '…']);
		}
		const target = readTarget(incoming.query, incoming.body, spec.stateParameter);
		const screened = await screenCall(ctx, spec, incoming);
		if ('refusal' in screened) return refuse(ctx, spec, screened.refusal);
		// A single activation answers like the resume URL when the node's Respond option is a
		// custom reply or a redirect (an OAuth provider's redirect lands the browser on a page);
		// otherwise FlowRunner-style, 200 with an empty body. Built first: a configuration
		// mistake is reported before anything is resumed.
		const plan = spec.response.respond === 'custom' || spec.response.respond === 'redirect' ? planResponse(spec.response) : undefined;
		const replyOne = (id: string): IWebhookResponseData => {
			res.setHeader('x-execution-id', id);
			if (!plan) {
				sendReply(res, 200, '');
			} else if (!res.headersSent) {
				for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value);
				res.setHeader('cache-control', 'no-store');
				res.status(plan.status);
				res.end(plan.body);
			}
			return { noWebhookResponse: true };
		};
		const credentials = await ctx.getCredentials(N8N_API_CREDENTIAL).catch(() => undefined);
		const node = ctx.getNode();
		const workflowId = String(ctx.getWorkflow().id);
		const call = {
			workflowId,
			nodeId: node.id,
			incoming,
			identity: screened.identity,
			carryIdentity: spec.guards.authentication !== 'none',
			stateParameter: spec.stateParameter,
		};
		if (target.kind === 'state') {
			// No n8n API needed: the state holds the resume token; n8n checks it. A state names an
			// execution, not its workflow or node, and whoever holds one can send it to any stable
			// URL: the execution's own resume URL is asked first whose it is (a probe, which resumes
			// nothing), and only one of this workflow waiting at this node is forwarded the call.
			const base = (String(credentials?.webhookBaseUrl || credentials?.baseUrl || '') || ownBaseUrl(ctx)).replace(/\/+$/, '');
			if (!(await waitsHere(ctx, { base, workflowId, nodeId: node.id }, target.execution))) {
				throw notWaiting('No execution is waiting at this node for this state');
			}
			const forward = forwarder(ctx, {
				...call,
				base,
				apiKey: credentials?.apiKey ? String(credentials.apiKey) : '',
			});
			if ((await forward(target.execution)) !== 'resumed') {
				throw notWaiting('No execution is waiting at this node for this state');
			}
			return replyOne(target.execution.id);
		}
		if (!credentials?.apiKey) throw n8nApiUnavailable('no n8n API credential is set on the node');
		const base = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
		const apiKey = String(credentials.apiKey ?? '');
		const get = apiGetter(ctx, base, apiKey);
		// id, any and all: n8n's API says which workflow an execution belongs to and where it waits
		// (executions.ts); only this workflow's executions waiting at this node are forwarded to.
		const forwardBase = String(credentials.webhookBaseUrl || '').replace(/\/+$/, '') || base;
		const forward = forwarder(ctx, { ...call, base: forwardBase, apiKey });

		if (target.kind === 'id') {
			const state = await executionState(get, target.id, workflowId, node.name);
			if (state.kind === 'resumed-here') {
				if (spec.repeatedStatus === 409) throw alreadyResumed(target.id);
				res.setHeader('x-callback-repeated', 'true');
				return replyOne(target.id);
			}
			if (state.kind === 'finished') throw finished(target.id);
			if (state.kind !== 'waiting-here') throw notWaiting(`Execution ${target.id} is not waiting at this node`);
			const outcome = await forward(state.execution);
			if (outcome !== 'resumed') {
				throw outcome === 'ignored'
					? notWaiting(`Execution ${target.id} did not accept this call (its condition is false)`)
					: notWaiting(`Execution ${target.id} is no longer waiting at this node`);
			}
			return replyOne(target.id);
		}

		if (target.kind === 'any') {
			// Oldest first, found one at a time (a bisection on the id, not a full listing), so
			// the cost grows with the log of the number waiting, not the number itself; the
			// node's static data remembers where the last search found the oldest, so a queue
			// that `any` drains is usually found with one request (guessFromHint).
			const hint = staticDataHint(ctx.getWorkflowStaticData('node'));
			for await (const candidate of waitingHereOldestFirst(get, workflowId, node.name, hint)) {
				if ((await forward(candidate)) === 'resumed') {
					return replyOne(candidate.id);
				}
			}
			throw notWaiting('No execution waiting at this node accepted the call');
		}

		const candidates = await listWaitingHere(get, workflowId, node.name);
		const resumed: string[] = [];
		let next = 0;
		const worker = async () => {
			while (next < candidates.length) {
				const candidate = candidates[next++];
				if ((await forward(candidate)) === 'resumed') resumed.push(candidate.id);
			}
		};
		await Promise.all(Array.from({ length: Math.min(ALL_PARALLELISM, candidates.length) }, worker));
		if (!resumed.length) throw notWaiting('No execution waiting at this node accepted the call');
		resumed.sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
		res.setHeader('content-type', 'text/plain; charset=utf-8');
		sendReply(res, 200, resumed.join(','));
		return { noWebhookResponse: true };
	} catch (error) {
		if (error instanceof ApiError) {
			return fail(ctx, n8nApiUnavailable(error.status === 401 || error.status === 403 ? 'the API key was refused' : `status ${error.status}`));
		}
		return fail(ctx, error instanceof CallbackError || !isNetworkError(error) ? error : n8nApiUnavailable('unreachable'));
	}
}

function isNetworkError(error: unknown): boolean {
	const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
	return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNABORTED)$/.test(code);
}

const HOP_BY_HOP = new Set<string>(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'accept-encoding', 'te', 'trailer', ...INTERNAL_HEADERS]);

function passOnHeaders(headers: Record<string, string | string[] | undefined>): IDataObject {
	const out: IDataObject = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
		out[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

/**
 * GETs on n8n's public API with the credential already read for this call. (n8n's
 * httpRequestWithAuthentication would load and decrypt the credential again for every request:
 * measured at tens of milliseconds each, and `any` makes a dozen of them.)
 */
function apiGetter(ctx: IWebhookFunctions, base: string, apiKey: string): ApiGet {
	const request = async (path: string) =>
		(await ctx.helpers.httpRequest({
			url: `${base}${path}`,
			method: 'GET',
			headers: { 'X-N8N-API-KEY': apiKey },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		})) as { statusCode: number; body: unknown };
	return async (path) => {
		// A GET is safe to repeat: one retry when the connection itself failed (seen once under
		// 100 concurrent calls on a loaded machine) before the caller is told to come back (503).
		const r = await request(path).catch(async (error: unknown) => {
			if (!isNetworkError(error)) return Promise.reject(error);
			return await request(path);
		});
		return { status: r.statusCode, body: r.body };
	};
}

/**
 * State form, before anything is forwarded: whether the execution a state names belongs to this
 * workflow and waits at this node. Asked of the execution's own resume URL at this node's id (n8n
 * routes it to the node of that id in that execution's workflow, after checking the token), with
 * the probe header and none of the call: the wait node answers with its workflow and node id and
 * resumes nothing. Twin workflows (one template, the same node ids) differ by workflow id.
 */
async function waitsHere(
	ctx: IWebhookFunctions,
	o: { base: string; workflowId: string; nodeId: string },
	candidate: WaitingExecution,
): Promise<boolean> {
	const url = new URL(`${o.base}/webhook-waiting/${encodeURIComponent(candidate.id)}/${encodeURIComponent(o.nodeId)}`);
	url.searchParams.set('signature', candidate.resumeToken);
	let r: { statusCode: number; headers: Record<string, string | string[] | undefined> };
	try {
		r = (await ctx.helpers.httpRequest({
			url: url.toString(),
			method: 'GET',
			headers: { [PROBE_HEADER]: '1' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			encoding: 'text',
			json: false,
			timeout: 30_000,
		})) as typeof r;
	} catch {
		return false;
	}
	const header = (name: string) => String(r.headers?.[name] ?? '');
	return (
		r.statusCode === 200 &&
		header(OUTCOME_HEADER) === 'probe' &&
		header(PROBE_WORKFLOW_HEADER) === o.workflowId &&
		header(PROBE_NODE_HEADER) === o.nodeId
	);
}

function forwarder(
	ctx: IWebhookFunctions,
	o: {
		base: string;
		apiKey: string;
		workflowId: string;
		nodeId: string;
		incoming: Awaited<ReturnType<typeof readIncoming>>;
		identity: Identity | undefined;
		/** The node authenticates callers: the identity found here travels with the forward. */
		carryIdentity: boolean;
		stateParameter: string;
	},
): Forwarder {
	const method = o.incoming.method.toUpperCase();
	const hasBody = !['GET', 'HEAD'].includes(method) && !!o.incoming.rawBody?.length;
	return async (candidate) => {
		const url = new URL(`${o.base}/webhook-waiting/${encodeURIComponent(candidate.id)}/${encodeURIComponent(o.nodeId)}`);
		for (const [name, value] of Object.entries(o.incoming.query)) {
			if ((TARGETING_QUERY_PARAMS as readonly string[]).includes(name) || name === 'signature' || name === o.stateParameter) continue;
			for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
		}
		url.searchParams.set('signature', candidate.resumeToken);
		// Signed (forwardIsSigned), the caller's identity travels with the call, bound to this
		// execution, workflow and node, and the guards do not run again; otherwise the caller's own
		// headers are passed on (never this package's internal ones), with this node as the origin,
		// and the resume URL runs the node's guards itself (none, or the state form's).
		const headers: IDataObject = forwardIsSigned({ apiKey: o.apiKey, carryIdentity: o.carryIdentity, resumeToken: candidate.resumeToken })
			? { [FORWARD_HEADER]: signForward(o.apiKey, { executionId: candidate.id, workflowId: o.workflowId, nodeId: o.nodeId }, o.identity) }
			: { ...passOnHeaders(o.incoming.headers), [ORIGIN_HEADER]: originOf(o.workflowId, o.nodeId) };
		const contentType = o.incoming.headers['content-type'];
		if (hasBody && contentType) headers['content-type'] = String(contentType);
		const request: IHttpRequestOptions = {
			url: url.toString(),
			method: method as IHttpRequestOptions['method'],
			headers,
			// n8n's request helper rebuilds form bodies with URLSearchParams, which takes their text;
			// every other body goes as the exact bytes received.
			body: hasBody ? (/x-www-form-urlencoded/i.test(String(contentType ?? '')) ? o.incoming.rawBody!.toString('utf8') : o.incoming.rawBody) : undefined,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			encoding: 'text',
			json: false,
			timeout: 120_000,
		};
		let r: { statusCode: number; headers: Record<string, string | string[] | undefined> };
		try {
			r = (await ctx.helpers.httpRequest(request)) as typeof r;
		} catch {
			return 'lost';
		}
		const outcome = String(r.headers?.[OUTCOME_HEADER] ?? '');
		if (r.statusCode < 400 && outcome === 'resumed') return 'resumed';
		// A false condition answers with the node's Ignored Call Response Code (any status).
		if (outcome === 'ignored') return 'ignored';
		return 'lost';
	};
}
