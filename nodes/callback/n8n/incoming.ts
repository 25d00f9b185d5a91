import type { IHttpRequestOptions, IWebhookFunctions, WebhookType } from 'n8n-workflow';

import type { HttpFetch } from '../auth/types';
import type { CallIO } from '../pipeline/run';
import type { IncomingCallback } from '../pipeline/parse';
import type { ResponseLike } from '../pipeline/respond';
import { NODE_QUERY_PARAM, NODE_TYPES, hasStaticWebhooks, isNodeType } from '../constants';
import { publicCallUrl } from '../urls/callUrl';
import type { ForwardBinding, HttpSend } from '../targeting/forward';

/**
 * n8n's webhook context as the pipeline's plain CallIO: the request, the response, outbound
 * HTTP, expressions, binary data and the log. The only place the pipeline meets n8n's objects.
 */
export function callIO(ctx: IWebhookFunctions): CallIO {
	return {
		response: () => ctx.getResponseObject() as unknown as ResponseLike,
		executionId: () => ctx.getExecutionId(),
		nodeName: () => ctx.getNode().name,
		warn: (message) => ctx.logger.warn(message),
		readIncoming: async () => await readIncoming(ctx),
		isReady: async () => await processReady(ctx),
		fetch: makeFetch(ctx),
		evaluate: (expression) => ctx.evaluateExpression(expression, 0),
		binaryFromBuffer: async (buffer, mimeType) => await ctx.helpers.prepareBinaryData(buffer, undefined, mimeType),
		binaryFromFile: async (path, fileName, mimeType) => await ctx.nodeHelpers.copyBinaryFile(path, fileName, mimeType),
	};
}

interface N8nRequest {
	method?: string;
	url?: string;
	originalUrl?: string;
	headers: Record<string, string | string[] | undefined>;
	contentType?: string;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
	socket?: { localPort?: number; localAddress?: string };
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
		query: ownQuery(ctx),
		body: ctx.getBodyData(),
		rawBody: req.rawBody,
		contentLength: Number.isFinite(declared) ? declared : undefined,
		url: callUrl(ctx, url, req.headers),
	};
}

/**
 * The call's query. A version 2 wait node's own `node=<its id>` (the node its URLs are for,
 * checked in its webhook.ts) is routing, not the caller's data: left out.
 */
function ownQuery(ctx: IWebhookFunctions): Record<string, unknown> {
	const query = (ctx.getQueryData() ?? {}) as Record<string, unknown>;
	const node = ctx.getNode();
	if (!hasStaticWebhooks(node.typeVersion) || !isNodeType(node.type, NODE_TYPES.wait) || query[NODE_QUERY_PARAM] !== node.id) return query;
	return Object.fromEntries(Object.entries(query).filter(([name]) => name !== NODE_QUERY_PARAM));
}

/** The public URL of this call (urls/callUrl.ts), from n8n's webhook base URL; undefined when unknown. */
function callUrl(ctx: IWebhookFunctions, pathAndQuery: string, headers: N8nRequest['headers']): string | undefined {
	let hook: string | undefined;
	try {
		hook = ctx.getNodeWebhookUrl(ctx.getWebhookName() as WebhookType);
	} catch {
		hook = undefined;
	}
	try {
		return publicCallUrl(pathAndQuery, hook, headers);
	} catch {
		return undefined;
	}
}

/** Where this n8n serves waiting webhooks, from the request itself (loopback to the same process). */
export function ownBaseUrl(ctx: IWebhookFunctions): string {
	const req = ctx.getRequestObject() as unknown as N8nRequest;
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
	const base = ownBaseUrl(ctx);
	if (readyProcesses.has(base)) return true;
	try {
		const r = (await ctx.helpers.httpRequest({
			url: `${base}/healthz/readiness`,
			method: 'GET',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 2000,
		})) as { statusCode: number };
		if (r.statusCode === 200) rememberReady(base);
		return r.statusCode !== 503;
	} catch {
		return true;
	}
}

/*
 * This process's own addresses whose readiness answered 200. Start-up (and its crash recovery)
 * happens once per process, before n8n is ready: once this process has answered ready, no call
 * it receives later can fall into that window, so the check (a request through n8n's request
 * helper, 3–8 ms, paid by the stable URL and again by the resume URL it forwards to) is not
 * repeated. A new process (a restart) starts with an empty set. n8n itself answers 503 "Database
 * is not ready" to every call while its database connection is down, before any node runs.
 */
const readyProcesses = new Set<string>();
function rememberReady(base: string): void {
	if (readyProcesses.size >= 16) readyProcesses.clear();
	readyProcesses.add(base);
}

/** Forgets which addresses answered ready (tests: each fake n8n starts anew). */
export function forgetReadiness(): void {
	readyProcesses.clear();
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

/** The stable URL's forwards and probes through n8n's request helper (no redirects followed). */
export function makeSend(ctx: IWebhookFunctions): HttpSend {
	return async ({ url, method, headers, body, timeoutMs }) => {
		const r = (await ctx.helpers.httpRequest({
			url,
			method: method as IHttpRequestOptions['method'],
			headers,
			...(body !== undefined ? { body } : {}),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			encoding: 'text',
			json: false,
			timeout: timeoutMs,
		})) as { statusCode: number; headers: Record<string, string | string[] | undefined>; body?: unknown };
		return { status: r.statusCode, headers: r.headers, body: typeof r.body === 'string' ? r.body : undefined };
	};
}

/** The binding a forward must carry to be valid at this webhook of this node in this execution. */
export function ownBinding(ctx: IWebhookFunctions, webhook: string): ForwardBinding {
	return {
		executionId: String(ctx.getExecutionId()),
		workflowId: String(ctx.getWorkflow().id ?? ''),
		nodeId: String(ctx.getNode().id ?? ''),
		webhook,
	};
}
