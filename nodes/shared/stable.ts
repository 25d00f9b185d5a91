import type { IDataObject, IHttpRequestOptions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { Identity } from './auth/types';
import {
	CallbackError,
	alreadyResumed,
	badTarget,
	finished,
	n8nApiUnavailable,
	notWaiting,
} from './errors';
import { ApiError, type ApiGet, type WaitingExecution, executionState, listWaitingHere } from './executions';
import { FORWARD_HEADER, OUTCOME_HEADER, type Outcome, signForward } from './forward';
import { type PipelineSpec, fail, readIncoming, screenCall } from './pipeline';
import { sendReply } from './response';
import { TARGETING_QUERY_PARAMS } from './secrets';

export const N8N_API_CREDENTIAL = 'externalCallbackN8nApi';
const ALL_PARALLELISM = 8;

export interface StableSpec extends Omit<PipelineSpec, 'activate'> {
	/** Answer to a repeated call for an execution this node already resumed. */
	repeatedStatus: 200 | 409;
}

type Target = { kind: 'id'; id: string } | { kind: 'any' } | { kind: 'all' };

/** `execution` or `executionId`: an id, `any` or `all`; given once. */
export function readTarget(query: Record<string, unknown>): Target {
	const given = TARGETING_QUERY_PARAMS.filter((p) => query[p] !== undefined);
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
		const target = readTarget(incoming.query);
		const screened = await screenCall(ctx, spec, incoming);
		if ('reply' in screened) return screened.reply;
		const credentials = await ctx.getCredentials(N8N_API_CREDENTIAL);
		const base = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
		const apiKey = String(credentials.apiKey ?? '');
		const get = apiGetter(ctx, base);
		const workflowId = String(ctx.getWorkflow().id);
		const node = ctx.getNode();
		const forward = forwarder(ctx, { base, apiKey, nodeId: node.id, incoming, identity: screened.identity });

		if (target.kind === 'id') {
			const state = await executionState(get, target.id, workflowId, node.name);
			if (state.kind === 'resumed-here') {
				if (spec.repeatedStatus === 409) throw alreadyResumed(target.id);
				res.setHeader('x-callback-repeated', 'true');
				res.setHeader('x-execution-id', target.id);
				sendReply(res, 200, '');
				return { noWebhookResponse: true };
			}
			if (state.kind === 'finished') throw finished(target.id);
			if (state.kind !== 'waiting-here') throw notWaiting(`Execution ${target.id} is not waiting at this node`);
			const outcome = await forward(state.execution);
			if (outcome !== 'resumed') {
				throw outcome === 'ignored'
					? notWaiting(`Execution ${target.id} did not accept this call (its condition is false)`)
					: notWaiting(`Execution ${target.id} is no longer waiting at this node`);
			}
			res.setHeader('x-execution-id', target.id);
			sendReply(res, 200, '');
			return { noWebhookResponse: true };
		}

		const candidates = await listWaitingHere(get, workflowId, node.name);
		if (target.kind === 'any') {
			for (const candidate of candidates) {
				if ((await forward(candidate)) === 'resumed') {
					res.setHeader('x-execution-id', candidate.id);
					sendReply(res, 200, '');
					return { noWebhookResponse: true };
				}
			}
			throw notWaiting('No execution waiting at this node accepted the call');
		}

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

function apiGetter(ctx: IWebhookFunctions, base: string): ApiGet {
	return async (path) => {
		const r = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, N8N_API_CREDENTIAL, {
			url: `${base}${path}`,
			method: 'GET',
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		})) as { statusCode: number; body: unknown };
		return { status: r.statusCode, body: r.body };
	};
}

function forwarder(
	ctx: IWebhookFunctions,
	o: {
		base: string;
		apiKey: string;
		nodeId: string;
		incoming: Awaited<ReturnType<typeof readIncoming>>;
		identity: Identity | undefined;
	},
): Forwarder {
	const method = o.incoming.method.toUpperCase();
	const hasBody = !['GET', 'HEAD'].includes(method) && !!o.incoming.rawBody?.length;
	return async (candidate) => {
		const url = new URL(`${o.base}/webhook-waiting/${encodeURIComponent(candidate.id)}/${encodeURIComponent(o.nodeId)}`);
		for (const [name, value] of Object.entries(o.incoming.query)) {
			if ((TARGETING_QUERY_PARAMS as readonly string[]).includes(name) || name === 'signature') continue;
			for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
		}
		url.searchParams.set('signature', candidate.resumeToken);
		const headers: IDataObject = { [FORWARD_HEADER]: signForward(o.apiKey, candidate.id, o.identity) };
		const contentType = o.incoming.headers['content-type'];
		if (hasBody && contentType) headers['content-type'] = String(contentType);
		const request: IHttpRequestOptions = {
			url: url.toString(),
			method: method as IHttpRequestOptions['method'],
			headers,
			body: hasBody ? o.incoming.rawBody : undefined,
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
		if (r.statusCode < 400 && outcome === 'ignored') return 'ignored';
		return 'lost';
	};
}
