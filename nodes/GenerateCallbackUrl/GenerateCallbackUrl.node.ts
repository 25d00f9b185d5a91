import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { credentialTest } from '../callback/n8n/credentialTests';
import { generateProperties } from './description';
import { generateExecute } from './execute';

/** Makes the URL(s) that resume this execution at an External Callback Wait node (execute.ts). */
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
		// Not offered to AI agents: its URLs resume this execution's own wait node only.
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
		properties: generateProperties,
	};

	methods = { credentialTest: { externalCallbackApiKeyApiTest: credentialTest.externalCallbackApiKeyApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await generateExecute(this);
	}
}
