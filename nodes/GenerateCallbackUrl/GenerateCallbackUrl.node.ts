import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CALLBACK_METHODS, buildResumeUrl } from '../shared/callbackUrl';
import { findWaitNode } from '../shared/waitNode';

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
			let waitNode: { name: string; id: string };
			try {
				waitNode = findWaitNode(this, requested);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: i });
			}
			const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', i) as string;
			out.push({
				json: {
					...items[i].json,
					callbackUrl: buildResumeUrl(resumeUrl, waitNode.id),
					executionId: this.getExecutionId(),
					waitNode: waitNode.name,
					methods: [...CALLBACK_METHODS],
				},
				binary: items[i].binary,
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}
