import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { callIO } from '../callback/n8n/incoming';
import { credentialTest } from '../callback/n8n/credentialTests';
import { labelSubtitle } from '../callback/descriptions/editor';
import { guardProperties } from '../callback/descriptions/guard';
import { readCommonSettings } from '../callback/n8n/settings';
import { fail, runPipeline } from '../callback/pipeline/run';
import { triggerProperties, triggerWebhooks } from './description';

/** Starts an execution for every accepted call, through the same pipeline as the wait node. */
export class ExternalCallbackTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'External Callback Trigger',
		name: 'externalCallbackTrigger',
		icon: { light: 'file:externalCallbackTrigger.svg', dark: 'file:externalCallbackTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		// "auth: JWT": the label of the chosen method, not its value.
		subtitle: labelSubtitle('auth', guardProperties.find((p) => p.name === 'authentication')),
		description: 'Start a workflow when an external system calls back, with the same guards as the wait node',
		defaults: { name: 'External Callback Trigger' },
		// Not offered to AI agents: a trigger starts workflows, it is not a tool.
		usableAsTool: undefined,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// One per authentication method, as guardCredentials lists them (a unit test keeps them equal);
		// written out so that n8n's lint rules can read each credential's testedBy.
		credentials: [
			{ name: 'externalCallbackBackendlessApi', required: true, displayOptions: { show: { authentication: ['backendless'] } } },
			{ name: 'externalCallbackJwtApi', required: true, displayOptions: { show: { authentication: ['jwt'] } } },
			{ name: 'externalCallbackIntrospectionOAuth2Api', required: true, displayOptions: { show: { authentication: ['introspection'] } } },
			{ name: 'externalCallbackUserLookupApi', required: true, testedBy: 'externalCallbackUserLookupApiTest', displayOptions: { show: { authentication: ['userLookup'] } } },
			{ name: 'externalCallbackApiKeyApi', required: true, testedBy: 'externalCallbackApiKeyApiTest', displayOptions: { show: { authentication: ['apiKey'] } } },
			{ name: 'externalCallbackSignatureApi', required: true, testedBy: 'externalCallbackSignatureApiTest', displayOptions: { show: { authentication: ['signature'] } } },
		],
		webhooks: triggerWebhooks,
		properties: triggerProperties,
	};

	methods = { credentialTest };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const io = callIO(this);
		const common = await readCommonSettings(this).catch((error: unknown) => error as Error);
		if (common instanceof Error) return fail(io, common);
		return await runPipeline(io, {
			...common,
			// An execution started while n8n's start-up crash recovery runs would be marked crashed.
			checkReadiness: true,
			activate: (item) => {
				// A new execution: there is no waiting item to link to.
				delete item.pairedItem;
				return [[item]];
			},
		});
	}

	/**
	 * Runs as the first step of the execution the call started: the execution id exists only
	 * now, so it is added to the items here.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const executionId = this.getExecutionId();
		return [this.getInputData().map((item, index) => ({ ...item, json: { ...item.json, executionId }, pairedItem: { item: index } }))];
	}
}
