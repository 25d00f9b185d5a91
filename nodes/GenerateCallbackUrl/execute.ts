import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { apiKeyOptions } from '../callback/auth/guard';
import { AUTH_CREDENTIALS, PARAMS } from '../callback/constants';
import { type ExpirySettings, expiryOf } from '../callback/urls/expiry';
import { applyBaseUrl, pathUrlFields, withQueryParam } from '../callback/urls/resumeUrl';
import { SetupError, hintOf } from '../callback/urls/setupError';
import { stateUrlFields } from '../callback/urls/state';
import { hasN8nResumeToken, newUrlSecret, withUrlSecret } from '../callback/urls/urlSecret';
import { type WorkflowNodeLike, findWaitNode } from '../callback/urls/waitNode';

const URL_FIELDS = ['callbackUrl', 'failUrl'] as const;

/** Per item: find the wait node, build its URL(s), then apply expiry, API key and base URL. */
export async function generateExecute(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	// n8n 1.x only: one secret for every URL this run makes (see callback/urls/urlSecret.ts)
	let secret: string | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			const waitNode = findWaitNode(workflowView(ctx), (ctx.getNodeParameter(PARAMS.waitNode, i, '') as string).trim());
			const n8nResumeUrl = ctx.evaluateExpression('{{ $execution.resumeUrl }}', i) as string;
			// n8n 2.x: its resume URL carries its own resume token. n8n 1.x: it carries none, so
			// the URL gets this execution's own secret in the same place (see callback/urls/urlSecret.ts).
			const resumeUrl = hasN8nResumeToken(n8nResumeUrl) ? n8nResumeUrl : withUrlSecret(n8nResumeUrl, (secret ??= newUrlSecret()));
			const form = ctx.getNodeParameter('urlForm', i, 'path') as 'path' | 'state';
			const fields: IDataObject =
				form === 'state' ? stateUrlFields(resumeUrl, ctx.getExecutionId(), waitNode) : pathUrlFields(resumeUrl, waitNode.id, waitNode.typeVersion);
			out.push({
				json: { ...items[i].json, ...(await finishUrls(ctx, fields, i)), executionId: ctx.getExecutionId(), waitNode: waitNode.name },
				binary: items[i].binary,
				pairedItem: { item: i },
			});
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
				itemIndex: i,
				description: hintOf(error, 'Check the "Wait Node" and "Base URL Override" parameters of this node'),
			});
		}
	}
	return [out];
}

/** The running workflow as findWaitNode reads it (n8n's context exposes its workflow object). */
function workflowView(ctx: IExecuteFunctions) {
	const workflow = (ctx as unknown as { workflow?: { getNode(name: string): WorkflowNodeLike | null } }).workflow;
	return { selfName: ctx.getNode().name, childNodes: (name: string) => ctx.getChildNodes(name), node: (name: string) => workflow?.getNode(name) };
}

/** Expiry, API key and base URL override, applied to every URL field of one item. */
async function finishUrls(ctx: IExecuteFunctions, fields: IDataObject, i: number): Promise<IDataObject> {
	const out: IDataObject = { ...fields };
	const urlFields = URL_FIELDS.filter((k) => typeof out[k] === 'string');
	const expiry = ctx.getNodeParameter('expiry', i, 'none') as string;
	const settings: ExpirySettings =
		expiry === 'none' || expiry === 'date'
			? { expiry, expiryDate: expiry === 'date' ? (ctx.getNodeParameter('expiryDate', i, '') as string) : undefined }
			: {
					expiry,
					expiryAmount: Number(ctx.getNodeParameter('expiryAmount', i, 15)),
					expiryUnit: ctx.getNodeParameter('expiryUnit', i, 'minutes') as ExpirySettings['expiryUnit'],
				};
	out.expiresAt = expiryOf(settings)?.toISOString() ?? null;
	if (ctx.getNodeParameter('addApiKey', i, false)) {
		// The key and its parameter exactly as the wait node's API key guard reads them.
		const { location, name, keys } = apiKeyOptions(await ctx.getCredentials(AUTH_CREDENTIALS.apiKey, i));
		if (location !== 'query') {
			throw new SetupError(
				'The API key credential reads the key from a header: a URL cannot carry it',
				'Set the credential\'s "Location" to query parameter, or switch off "Add API Key to URL" and send the key as a header',
			);
		}
		if (!keys[0]) throw new SetupError('The API key credential has no key', 'Add a key to the External Callback API Key credential');
		for (const field of urlFields) out[field] = withQueryParam(out[field] as string, name, keys[0]);
	}
	const base = String(ctx.getNodeParameter('baseUrl', i, '') ?? '').trim();
	if (base) for (const field of urlFields) out[field] = applyBaseUrl(out[field] as string, base);
	return out;
}
