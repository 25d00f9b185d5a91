import type { IWebhookFunctions } from 'n8n-workflow';

import { N8N_API_CREDENTIAL, PARAMS } from '../constants';
import { credentialUnreadable, n8nApiUnavailable } from '../pipeline/errors';
import type { ApiGet } from '../targeting/search';
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
		nodeName: node.name,
		n8nApi: async () => await readN8nApi(ctx),
		apiGet: (base, apiKey) => apiGetter(ctx, base, apiKey),
		send: makeSend(ctx),
		ownBaseUrl: () => ownBaseUrl(ctx),
		staticData: () => ctx.getWorkflowStaticData('node'),
	};
}

/** The node's n8n API credential; undefined when none is set on the node. */
export async function readN8nApi(ctx: Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'logger'>): Promise<N8nApiAccess | undefined> {
	let data: Record<string, unknown>;
	try {
		data = await ctx.getCredentials(N8N_API_CREDENTIAL);
	} catch (error) {
		// n8n throws both for "none set" and for one it cannot decrypt or may not use.
		const node = ctx.getNode();
		if (!node.credentials?.[N8N_API_CREDENTIAL]) return undefined;
		ctx.logger.warn(`The n8n API credential of node "${node.name}" cannot be read: ${(error as Error)?.message}`);
		throw credentialUnreadable('n8n API');
	}
	const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
	return { apiKey: text(data?.apiKey), baseUrl: text(data?.baseUrl), webhookBaseUrl: text(data?.webhookBaseUrl) };
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
		return { status: r.statusCode, body: r.body };
	};
}
