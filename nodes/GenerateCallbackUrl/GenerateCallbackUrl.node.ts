import {
	NodeConnectionTypes,
	NodeOperationError,
	UserError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CALLBACK_METHODS, applyBaseUrl, buildResumeUrl, buildStableUrl } from '../callback/urls/resumeUrl';
import { credentialTest } from '../callback/auth/credentialTests';
import { encodeState, resumeTokenOf } from '../callback/urls/state';
import { UNIT_MS } from '../callback/urls/waitTill';
import { hasN8nResumeToken, newUrlSecret, withUrlSecret } from '../callback/urls/urlSecret';
import { type WaitNodeInfo, findWaitNode } from '../callback/urls/waitNode';

export class GenerateCallbackUrl implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Generate Callback URL',
		name: 'generateCallbackUrl',
		icon: { light: 'file:generateCallbackUrl.svg', dark: 'file:generateCallbackUrl.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '=for {{ $parameter["waitNode"] || "the next wait node" }}',
		description: 'Make the unguessable URL that resumes this execution at an External Callback Wait node',
		defaults: { name: 'Generate Callback URL' },
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'externalCallbackApiKeyApi',
				required: true,
				testedBy: 'externalCallbackApiKeyApiTest',
				displayOptions: { show: { addApiKey: [true] } },
			},
		],
		properties: [
			{
				displayName: 'URL Form',
				name: 'urlForm',
				type: 'options',
				default: 'path',
				options: [
					{
						name: 'Path (Resume URL of This Execution)',
						value: 'path',
						description: 'A URL unique to this execution',
					},
					{
						name: 'State (Fixed URL Plus State Parameter)',
						value: 'state',
						description:
							"The wait node's stable URL plus ?state=… — for OAuth redirect URIs and SAML RelayState, registered once",
					},
				],
			},
			{
				displayName: 'Wait Node',
				name: 'waitNode',
				type: 'string',
				default: '',
				placeholder: 'External Callback Wait',
				description:
					'Name of the External Callback Wait node the URL resumes. Leave empty when exactly one such node follows this one.',
			},
			{
				displayName: 'Expiry',
				name: 'expiry',
				type: 'options',
				default: 'none',
				description:
					'After it, a call gets 410 Gone and resumes nothing, and the wait node times out (continues with timedOut: true)',
				options: [
					{ name: 'None', value: 'none' },
					{ name: 'After a Lifetime', value: 'lifetime' },
					{ name: 'At a Date', value: 'date' },
				],
			},
			{
				displayName: 'Lifetime',
				name: 'expiryAmount',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 15,
				displayOptions: { show: { expiry: ['lifetime'] } },
			},
			{
				displayName: 'Unit',
				name: 'expiryUnit',
				type: 'options',
				default: 'minutes',
				options: [
					{ name: 'Seconds', value: 'seconds' },
					{ name: 'Minutes', value: 'minutes' },
					{ name: 'Hours', value: 'hours' },
					{ name: 'Days', value: 'days' },
				],
				displayOptions: { show: { expiry: ['lifetime'] } },
			},
			{
				displayName: 'Expires At',
				name: 'expiryDate',
				type: 'dateTime',
				default: '',
				displayOptions: { show: { expiry: ['date'] } },
			},
			{
				displayName: 'Add API Key to URL',
				name: 'addApiKey',
				type: 'boolean',
				default: false,
				description:
					'Whether to put the key of an External Callback API Key credential (read from a query parameter) into the URL, for a wait node that authenticates with it',
			},
			{
				displayName: 'Base URL Override',
				name: 'baseUrl',
				type: 'string',
				default: '',
				placeholder: 'https://hooks.example.com/n8n',
				description:
					'Replaces scheme, host and path prefix of the URL (reverse proxy, custom domain). https://, or http:// for localhost.',
			},
		],
	};

	methods = { credentialTest: { externalCallbackApiKeyApiTest: credentialTest.externalCallbackApiKeyApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		// n8n 1.x only: one secret for every URL this run makes (see callback/urls/urlSecret.ts)
		let secret: string | undefined;
		for (let i = 0; i < items.length; i++) {
			const requested = (this.getNodeParameter('waitNode', i, '') as string).trim();
			let waitNode: WaitNodeInfo;
			try {
				waitNode = findWaitNode(this, requested);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: i });
			}
			const n8nResumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', i) as string;
			const form = this.getNodeParameter('urlForm', i, 'path') as 'path' | 'state';
			let fields: IDataObject;
			try {
				// n8n 2.x: its resume URL carries its own resume token. n8n 1.x: it carries none, so
				// the URL gets this execution's own secret in the same place (see callback/urls/urlSecret.ts).
				const resumeUrl = hasN8nResumeToken(n8nResumeUrl)
					? n8nResumeUrl
					: withUrlSecret(n8nResumeUrl, (secret ??= newUrlSecret()));
				fields = form === 'state' ? stateFields(resumeUrl, this.getExecutionId(), waitNode) : {
					callbackUrl: buildResumeUrl(resumeUrl, waitNode.id),
					// Resumes the same wait with failed: true and the caller's reason.
					failUrl: buildResumeUrl(resumeUrl, `${waitNode.id}-fail`),
					methods: [...CALLBACK_METHODS],
				};
			} catch (error) {
				throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: i });
			}
			try {
				fields = await finishUrls.call(this, fields, i);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: i });
			}
			out.push({
				json: {
					...items[i].json,
					...fields,
					executionId: this.getExecutionId(),
					waitNode: waitNode.name,
				},
				binary: items[i].binary,
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}

/** Fixed URL + state: the wait node's stable URL and an opaque state naming this execution. */
function stateFields(resumeUrl: string, executionId: string, waitNode: WaitNodeInfo): IDataObject {
	if (!waitNode.parameters.stableUrl || !waitNode.webhookId) {
		throw new UserError(`The state form needs "Stable URL" switched on in "${waitNode.name}"`);
	}
	const token = resumeTokenOf(resumeUrl);
	if (!token) throw new UserError('This n8n gives executions no resume token (n8n 2.x does); the state form needs one');
	const stateParameter = String(waitNode.parameters.stateParameter || 'state');
	const state = encodeState(executionId, token);
	const url = new URL(buildStableUrl(resumeUrl, waitNode.webhookId));
	url.searchParams.set(stateParameter, state);
	return { callbackUrl: url.toString(), state, stateParameter, methods: ['GET', 'POST'] };
}

/** Expiry, API key and base URL override, applied to every URL field of one item. */
async function finishUrls(this: IExecuteFunctions, fields: IDataObject, i: number): Promise<IDataObject> {
	const out: IDataObject = { ...fields };
	const urlFields = ['callbackUrl', 'failUrl'].filter((k) => typeof out[k] === 'string');

	const expiry = this.getNodeParameter('expiry', i, 'none') as string;
	if (expiry !== 'none') {
		const at =
			expiry === 'date'
				? new Date(this.getNodeParameter('expiryDate', i, '') as string)
				: new Date(
						Date.now() +
							Number(this.getNodeParameter('expiryAmount', i, 15)) *
								UNIT_MS[this.getNodeParameter('expiryUnit', i, 'minutes') as keyof typeof UNIT_MS],
					);
		if (Number.isNaN(at.getTime())) throw new UserError('"Expires At" is not a valid date');
		out.expiresAt = at.toISOString();
	} else {
		out.expiresAt = null;
	}

	if (this.getNodeParameter('addApiKey', i, false)) {
		const credential = await this.getCredentials('externalCallbackApiKeyApi', i);
		if (credential.location !== 'query') {
			throw new UserError('The API key credential reads the key from a header: a URL cannot carry it');
		}
		const name = String(credential.name || 'api_key');
		const key = String(credential.apiKeys ?? '')
			.split(/[\n,]/)
			.map((k) => k.trim())
			.find(Boolean);
		if (!key) throw new UserError('The API key credential has no key');
		for (const field of urlFields) {
			const url = new URL(out[field] as string);
			url.searchParams.set(name, key);
			out[field] = url.toString();
		}
	}

	const base = String(this.getNodeParameter('baseUrl', i, '') ?? '').trim();
	if (base) {
		for (const field of urlFields) out[field] = applyBaseUrl(out[field] as string, base);
	}
	return out;
}
