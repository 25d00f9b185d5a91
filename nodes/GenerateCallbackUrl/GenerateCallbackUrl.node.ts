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

import { CALLBACK_METHODS, buildResumeUrl, buildStableUrl } from '../shared/callbackUrl';
import { encodeState, resumeTokenOf } from '../shared/state';
import { type WaitNodeInfo, findWaitNode } from '../shared/waitNode';

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
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const requested = (this.getNodeParameter('waitNode', i, '') as string).trim();
			let waitNode: WaitNodeInfo;
			try {
				waitNode = findWaitNode(this, requested);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: i });
			}
			const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', i) as string;
			const form = this.getNodeParameter('urlForm', i, 'path') as 'path' | 'state';
			let fields: IDataObject;
			try {
				fields = form === 'state' ? stateFields(resumeUrl, this.getExecutionId(), waitNode) : {
					callbackUrl: buildResumeUrl(resumeUrl, waitNode.id),
					// Resumes the same wait with failed: true and the caller's reason.
					failUrl: buildResumeUrl(resumeUrl, `${waitNode.id}-fail`),
					methods: [...CALLBACK_METHODS],
				};
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
