import type { IExecuteFunctions, IHttpRequestOptions, IWebhookFunctions } from 'n8n-workflow';

import { N8N_API_CREDENTIAL, PARAMS, RESUME_TOKEN_PARAM } from '../constants';
import { bindCallback } from '../pipeline/condition';
import { credentialUnreadable, n8nApiUnavailable } from '../pipeline/errors';
import { type ApiCall, MAX_KEY_LENGTH, NO_INDEX, findRows, indexTableOrSearch, insertRow, keyText, sealToken } from '../targeting/keyIndex';
import type { ApiGet } from '../targeting/search';
import { rememberHint, rememberKeyHint } from '../targeting/hints';
import type { N8nApiAccess, TargetIO } from '../targeting/target';
import { makeSend, ownBaseUrl } from './incoming';

/**
 * n8n's public API as the stable URL uses it: the node's n8n API credential and GETs with its
 * key. A credential that is set but cannot be read (decryption, permissions) is not "no
 * credential": it is logged with n8n's reason and answered with its own code (1053).
 */

/** The target stage's I/O for this call of the stable URL. */
export function targetIO(ctx: IWebhookFunctions): TargetIO {
	const node = ctx.getNode();
	return {
		workflowId: String(ctx.getWorkflow().id),
		nodeId: node.id,
		nodeVersion: node.typeVersion,
		nodeName: node.name,
		n8nApi: async () => await readN8nApi(ctx),
		apiGet: (base, apiKey) => apiGetter(ctx, base, apiKey),
		apiCall: (base, apiKey) => apiCaller(ctx.helpers.httpRequest, base, apiKey),
		correlation: correlationOf(ctx),
		send: makeSend(ctx),
		ownBaseUrl: () => ownBaseUrl(ctx),
		staticData: () => ctx.getWorkflowStaticData('node'),
	};
}

/*
 * Per-process cache of the decrypted n8n API credential (n8n 2.x builds an expression isolate
 * for every credential read in a webhook, ≈ 44 ms). A cache only, never the source of truth: an
 * entry lives at most CREDENTIAL_TTL_MS and is dropped as soon as n8n's API answers 401 or 403 to
 * its key, so a changed or revoked key is read again from n8n. Keyed by workflow, node and
 * credential id: a node only ever gets what n8n gave that same node.
 */
const CREDENTIAL_TTL_MS = 60_000;
const CREDENTIAL_CACHE_MAX = 500;
const credentialCache = new Map<string, { at: number; value: N8nApiAccess }>();

/** Drops every cached credential with this API key (n8n's API refused it). */
export function dropCachedCredential(apiKey: string): void {
	for (const [key, entry] of credentialCache) if (entry.value.apiKey === apiKey) credentialCache.delete(key);
}

type CredentialContext = Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'logger'> & { getWorkflow?: () => { id?: string } };

/** The node's n8n API credential; undefined when none is set on the node. */
export async function readN8nApi(ctx: CredentialContext, nowMs = Date.now()): Promise<N8nApiAccess | undefined> {
	const node = ctx.getNode();
	const ref = node.credentials?.[N8N_API_CREDENTIAL];
	const workflowId = ctx.getWorkflow?.().id;
	const cacheKey = ref?.id && node.id && workflowId ? `${String(workflowId)} ${node.id} ${ref.id}` : undefined;
	const hit = cacheKey ? credentialCache.get(cacheKey) : undefined;
	if (hit && nowMs - hit.at < CREDENTIAL_TTL_MS) return hit.value;
	if (!cacheKey) return await readN8nApiUncached(ctx, undefined, nowMs);
	// One read per key at a time: the calls of a burst that all miss the cache at once wait for
	// the first one's read instead of each making n8n build an isolate for the same credential.
	const pending = credentialReads.get(cacheKey);
	if (pending) return await pending;
	const read = readN8nApiUncached(ctx, cacheKey, nowMs).finally(() => credentialReads.delete(cacheKey));
	credentialReads.set(cacheKey, read);
	return await read;
}

/** Reads in progress, by cache key (at most one per key; removed when it settles, success or not). */
const credentialReads = new Map<string, Promise<N8nApiAccess | undefined>>();

async function readN8nApiUncached(ctx: CredentialContext, cacheKey: string | undefined, nowMs: number): Promise<N8nApiAccess | undefined> {
	const node = ctx.getNode();
	const ref = node.credentials?.[N8N_API_CREDENTIAL];
	let data: Record<string, unknown>;
	try {
		data = await ctx.getCredentials(N8N_API_CREDENTIAL);
	} catch (error) {
		// n8n throws both for "none set" and for one it cannot decrypt or may not use.
		if (!ref) return undefined;
		ctx.logger.warn(`The n8n API credential of node "${node.name}" cannot be read: ${(error as Error)?.message}`);
		throw credentialUnreadable('n8n API');
	}
	const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
	const value = { apiKey: text(data?.apiKey), baseUrl: text(data?.baseUrl), webhookBaseUrl: text(data?.webhookBaseUrl) };
	if (cacheKey && value.apiKey) {
		if (credentialCache.size >= CREDENTIAL_CACHE_MAX) credentialCache.clear();
		credentialCache.set(cacheKey, { at: nowMs, value });
	}
	return value;
}

/**
 * With the stable URL on, its n8n API key also authenticates the calls it forwards: a reader
 * of it, called only when a call carries a forward (read once per call at most). Undefined when
 * the stable URL is off: such a node sends no forwards, so it accepts none. A key that cannot be
 * read is logged (readN8nApi) and the forward counts as unverifiable (1035).
 */
export function stableForwardKey(ctx: IWebhookFunctions): (() => Promise<string | undefined>) | undefined {
	if (!ctx.getNodeParameter(PARAMS.stableUrl, false)) return undefined;
	let key: Promise<string | undefined> | undefined;
	return async () =>
		await (key ??= readN8nApi(ctx).then(
			(api) => api?.apiKey || undefined,
			() => undefined,
		));
}

export function isNetworkError(error: unknown): boolean {
	const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
	return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNABORTED)$/.test(code);
}

/**
 * GETs on n8n's public API with the credential already read for this call. (n8n's
 * httpRequestWithAuthentication would load and decrypt the credential again for every request,
 * and `any` makes a dozen of them.) An API that cannot be reached answers 503 (1051).
 */
export function apiGetter(ctx: IWebhookFunctions, base: string, apiKey: string): ApiGet {
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
		const r = await request(path)
			.catch(async (error: unknown) => {
				if (!isNetworkError(error)) return await Promise.reject(error);
				return await request(path);
			})
			.catch(async (error: unknown) => await Promise.reject(isNetworkError(error) ? n8nApiUnavailable('unreachable') : error));
		if (r.statusCode === 401 || r.statusCode === 403) dropCachedCredential(apiKey);
		return { status: r.statusCode, body: r.body };
	};
}

/** The node's correlation settings at the stable URL (the raw parameters; Key From Call evaluated per call). */
function correlationOf(ctx: IWebhookFunctions): TargetIO['correlation'] {
	const params = ctx.getNode().parameters;
	const raw = (name: string) => String(params[name] ?? '').trim();
	const enabled = raw(PARAMS.correlationKey) !== '' && raw(PARAMS.correlationKey) !== '=';
	const fromCall = raw(PARAMS.keyFromCall);
	if (!enabled || fromCall === '' || fromCall === '=') return { enabled };
	return {
		enabled,
		keyFromCall: (callback) => (fromCall.startsWith('=') ? ctx.evaluateExpression(bindCallback(fromCall.slice(1), callback), 0) : fromCall),
	};
}

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/** GET, POST and DELETE on n8n's public API with the credential already read (the correlation index). */
export function apiCaller(httpRequest: HttpRequest, base: string, apiKey: string): ApiCall {
	const request = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
		(await httpRequest({
			url: `${base}${path}`,
			method,
			headers: { 'X-N8N-API-KEY': apiKey },
			body: body as IHttpRequestOptions['body'],
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		})) as { statusCode: number; body: unknown };
	return async (method, path, body) => {
		const r = await request(method, path, body)
			.catch(async (error: unknown) => {
				// only a GET is repeated on a failed connection (a POST may have been applied)
				if (method !== 'GET' || !isNetworkError(error)) return await Promise.reject(error);
				return await request(method, path, body);
			})
			.catch(async (error: unknown) => await Promise.reject(isNetworkError(error) ? n8nApiUnavailable('unreachable') : error));
		if (r.statusCode === 401 || r.statusCode === 403) dropCachedCredential(apiKey);
		return { status: r.statusCode, body: r.body };
	};
}

/**
 * execute(): the waiting execution's row in the correlation index (keyIndex.ts), written just
 * before the execution is put to wait. Only with the stable URL on and an n8n API credential set;
 * nothing on n8n 1.x (no data table API). Throws when the row cannot be written: an execution the
 * stable URL could not find must not wait silently.
 */
export async function indexWaitingExecution(ctx: IExecuteFunctions, resumeUrl: string): Promise<void> {
	if (!ctx.getNodeParameter(PARAMS.stableUrl, 0, false)) return;
	const node = ctx.getNode();
	if (!node.credentials?.[N8N_API_CREDENTIAL]) return;
	const data = await ctx.getCredentials(N8N_API_CREDENTIAL);
	const apiKey = String(data?.apiKey ?? '');
	const base = String(data?.baseUrl ?? '').replace(/\/+$/, '');
	if (!apiKey || !base) return;
	let token = '';
	try {
		token = new URL(resumeUrl).searchParams.get(RESUME_TOKEN_PARAM) ?? '';
	} catch {
		token = '';
	}
	if (!token) return; // n8n 1.x: no resume token, no data table API
	const hasKey = String(node.parameters[PARAMS.correlationKey] ?? '').trim() !== '';
	const key = hasKey ? keyText(ctx.getNodeParameter(PARAMS.correlationKey, 0, '')) ?? '' : '';
	if (key.length > MAX_KEY_LENGTH) throw new Error(`The correlation key is longer than ${MAX_KEY_LENGTH} characters`);
	const call = apiCaller(ctx.helpers.httpRequest, base, apiKey);
	const table = await indexTableOrSearch(call, base, apiKey);
	const executionId = String(ctx.getExecutionId());
	const workflowId = String(ctx.getWorkflow().id);
	const seal = sealToken(apiKey, executionId, token);
	const scope = { workflowId, nodeId: node.id, key };
	// with a key: whether another execution of this node waits with it (asked while the row is
	// written; this execution's own row, if already visible, does not count)
	const [others] = table === NO_INDEX
		? [-1]
		: await Promise.all([
				key
					? findRows(call, table, scope, 2)
							.then((rows) => rows.filter((r) => r.executionId !== executionId).length)
							.catch(() => -1) // not known: no key hint
					: Promise.resolve(-1),
				insertRow(call, table, { workflowId, nodeId: node.id, ckey: key, executionId, seal }),
			]);
	// this process's hints for `execution=<id>` and, alone with its key, for `?key=`
	// (targeting/hints.ts; hints only, never trusted)
	rememberHint({ workflowId, nodeId: node.id, executionId, apiKey, seal });
	if (others === 0) rememberKeyHint({ ...scope, executionId, apiKey, seal });
}
