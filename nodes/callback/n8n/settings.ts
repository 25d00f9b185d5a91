import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { AUTH_CREDENTIALS, type AuthMethod, type GuardSettings } from '../auth/guard';
import type { PipelineSpec } from '../pipeline/run';
import type { RespondMode, ResponseOptions } from '../pipeline/respond';
import { parseRoleList } from '../pipeline/authorize';
import { N8N_API_CREDENTIAL } from '../targeting/stable';

/** Reads the parameters every entry point shares (guards, condition, parsing, reply). */
export async function readCommonSettings(ctx: IWebhookFunctions): Promise<Omit<PipelineSpec, 'activate'>> {
	const authentication = ctx.getNodeParameter('authentication', 'none') as AuthMethod;
	const credential =
		authentication === 'none' ? undefined : await ctx.getCredentials(AUTH_CREDENTIALS[authentication]);
	const guards: GuardSettings = {
		authentication,
		credential,
		requiredRoles: parseRoleList(ctx.getNodeParameter('requiredRoles', '') as string),
		rolesMatch: ctx.getNodeParameter('rolesMatch', 'any') === 'all' ? 'all' : 'any',
		onFail: ctx.getNodeParameter('onFail', 'error') === 'ignore' ? 'ignore' : 'error',
	};
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const stateParameter = ctx.getNodeParameter('stableUrl', false) ? readStateParameter(ctx) : undefined;
	return {
		parse: {
			stripFields: stateParameter ? [stateParameter] : [],
			allowedContentTypes: String(options.allowedContentTypes ?? '')
				.split(',')
				.map((t) => t.trim())
				.filter(Boolean),
			maxBodyBytes: Number(options.maxBodyKb ?? 0) * 1024,
		},
		guards,
		// The raw parameter: `$callback` is bound by the pipeline before n8n evaluates it.
		condition: String(ctx.getNode().parameters.condition ?? ''),
		ignoredReply: { status: Number(ctx.getNodeParameter('ignoredResponseCode', 200)), body: '' },
		response: readResponseOptions(ctx),
	};
}

/**
 * With the stable URL on, its n8n API key also authenticates the calls it forwards: a reader
 * of it, called only when a call carries a forward (read once per call at most). Undefined when
 * the stable URL is off: such a node sends no forwards, so it accepts none.
 */
export function stableForwardKey(ctx: IWebhookFunctions): (() => Promise<string | undefined>) | undefined {
	if (!ctx.getNodeParameter('stableUrl', false)) return undefined;
	let key: Promise<string | undefined> | undefined;
	return async () =>
		await (key ??= ctx
			.getCredentials(N8N_API_CREDENTIAL)
			.then((c) => (c?.apiKey ? String(c.apiKey) : undefined))
			.catch(() => undefined));
}

function readResponseOptions(ctx: IWebhookFunctions): ResponseOptions {
	const respond = ctx.getNodeParameter('respond', 'default') as RespondMode;
	if (respond === 'custom') {
		return {
			respond,
			responseCode: ctx.getNodeParameter('responseCode', 200) as number,
			responseBody: ctx.getNodeParameter('responseBody', '') as string,
			responseHeaders: (ctx.getNodeParameter('responseHeaders.entries', []) as Array<{ name: string; value: string }>) ?? [],
		};
	}
	if (respond === 'redirect') {
		return {
			respond,
			redirectUrl: ctx.getNodeParameter('redirectUrl', '') as string,
			redirectStatus: ctx.getNodeParameter('redirectStatus', 302) as number,
		};
	}
	return { respond };
}

/** The query/form field that carries the state of state-form URLs (the stable URL's). */
export function readStateParameter(ctx: { getNodeParameter(name: string, fallback: unknown): unknown }): string {
	return String(ctx.getNodeParameter('stateParameter', 'state') || 'state').trim() || 'state';
}
