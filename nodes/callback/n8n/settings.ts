import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { AuthMethod, GuardSettings } from '../auth/guard';
import { AUTH_CREDENTIALS, PARAMS, RESUME_TOKEN_PARAM, parseList } from '../constants';
import { credentialUnreadable } from '../pipeline/errors';
import type { ConfirmButton, HumanSpec } from '../pipeline/human';
import type { CallSettings } from '../pipeline/run';
import type { RespondMode, ResponseOptions } from '../pipeline/respond';

/** Reads the parameters every entry point shares (guards, condition, parsing, reply). */
export async function readCommonSettings(ctx: IWebhookFunctions): Promise<CallSettings> {
	const authentication = ctx.getNodeParameter(PARAMS.authentication, 'none') as AuthMethod;
	const credential = authentication === 'none' ? undefined : await guardCredential(ctx, authentication);
	const guards: GuardSettings = {
		authentication,
		credential,
		requiredRoles: parseList(ctx.getNodeParameter('requiredRoles', '') as string),
		rolesMatch: ctx.getNodeParameter('rolesMatch', 'any') === 'all' ? 'all' : 'any',
		onFail: ctx.getNodeParameter('onFail', 'error') === 'ignore' ? 'ignore' : 'error',
	};
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const stateParameter = ctx.getNodeParameter(PARAMS.stableUrl, false) ? readStateParameter(ctx) : undefined;
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
		human: { ignoreBots: options.ignoreBots === true },
	};
}

/**
 * The wait node's resume and fail URLs: Ignore Bots plus Confirm in Browser when it is on. The
 * page's token is bound to the URL's secret (`signature`: n8n 2.x's resume token, n8n 1.x's URL
 * secret; both checked before this runs) and to `binding` (execution and webhook).
 */
export function readHumanSettings(ctx: IWebhookFunctions, binding: string, confirmApplies = true): HumanSpec {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const human: HumanSpec = { ignoreBots: options.ignoreBots === true };
	if (!confirmApplies || ctx.getNodeParameter(PARAMS.confirmInBrowser, false) !== true) return human;
	const given = (ctx.getQueryData() as Record<string, unknown>)[RESUME_TOKEN_PARAM];
	const secret = Array.isArray(given) ? given[0] : given;
	const rows = (ctx.getNodeParameter('confirmButtons.buttons', []) as Array<{ label?: unknown; value?: unknown }>) ?? [];
	const buttons: ConfirmButton[] = [];
	for (const row of rows) {
		const value = String(row?.value ?? '').trim();
		if (value && !buttons.some((b) => b.value === value)) buttons.push({ value, label: String(row?.label ?? '').trim() || value });
	}
	human.confirm = {
		title: String(ctx.getNodeParameter('confirmTitle', '') ?? '').trim() || 'Please confirm',
		message: String(ctx.getNodeParameter('confirmMessage', '') ?? ''),
		buttons,
		secret: typeof secret === 'string' ? secret : '',
		binding,
	};
	return human;
}

/**
 * The guard's credential. One n8n cannot read (decryption, permissions, none set) is logged with
 * n8n's reason and refused as 503 code 1053, as the n8n API credential is (n8n/n8nApi.ts); the
 * caller never sees the reason.
 */
async function guardCredential(ctx: IWebhookFunctions, authentication: Exclude<AuthMethod, 'none'>) {
	try {
		return await ctx.getCredentials(AUTH_CREDENTIALS[authentication]);
	} catch (error) {
		ctx.logger.warn(`The ${authentication} credential of node "${ctx.getNode().name}" cannot be read: ${(error as Error)?.message}`);
		throw credentialUnreadable('authentication');
	}
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
	return String(ctx.getNodeParameter(PARAMS.stateParameter, 'state') || 'state').trim() || 'state';
}
