import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { CALLBACK_METHODS } from '../callback/urls/resumeUrl';
import { requestOptions, responseProperties } from '../callback/descriptions/common';
import { credentialTest } from '../callback/auth/credentialTests';
import { guardProperties } from '../callback/descriptions/guard';
import { runPipeline } from '../callback/pipeline/run';
import { RESPONSE_FIELDS } from '../callback/pipeline/respond';
import { readCommonSettings } from '../callback/n8n/settings';

/** One webhook per method on the node's path (its webhook id when Path is empty). */
// One description per method (unlike the wait node's restart webhooks, which the editor does
// not show): the editor lists each as its own URL with its method.
const triggerWebhooks: IWebhookDescription[] = CALLBACK_METHODS.map((httpMethod) => ({
	name: 'default',
	httpMethod,
	path: '={{ $parameter["path"] || $webhookId }}',
	isFullPath: true,
	...RESPONSE_FIELDS,
}));

export class ExternalCallbackTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'External Callback Trigger',
		name: 'externalCallbackTrigger',
		icon: { light: 'file:externalCallbackTrigger.svg', dark: 'file:externalCallbackTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '=auth: {{ $parameter["authentication"] }}',
		description: 'Start a workflow when an external system calls back, with the same guards as the wait node',
		defaults: { name: 'External Callback Trigger' },
		usableAsTool: undefined,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// One per authentication method, as guardCredentials lists them (a unit test keeps them equal);
		// written out so that n8n's lint rules can read each credential's testedBy.
		credentials: [
			{ name: 'externalCallbackBackendlessApi', required: true, displayOptions: { show: { authentication: ['backendless'] } } },
			{ name: 'externalCallbackJwtApi', required: true, displayOptions: { show: { authentication: ['jwt'] } } },
			{
				name: 'externalCallbackIntrospectionOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['introspection'] } },
			},
			{
				name: 'externalCallbackUserLookupApi',
				required: true,
				testedBy: 'externalCallbackUserLookupApiTest',
				displayOptions: { show: { authentication: ['userLookup'] } },
			},
			{
				name: 'externalCallbackApiKeyApi',
				required: true,
				testedBy: 'externalCallbackApiKeyApiTest',
				displayOptions: { show: { authentication: ['apiKey'] } },
			},
			{
				name: 'externalCallbackSignatureApi',
				required: true,
				testedBy: 'externalCallbackSignatureApiTest',
				displayOptions: { show: { authentication: ['signature'] } },
			},
		],
		webhooks: triggerWebhooks,
		properties: [
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: '',
				placeholder: 'payment-events',
				description:
					"The URL path after /webhook/ (and /webhook-test/ while listening for a test event). Empty uses the node's webhook ID.",
			},
			{
				displayName:
					'Every accepted call starts a new execution. GET uses the query as data, POST/PUT/PATCH the body; an execution or executionId parameter is ignored.',
				name: 'intro',
				type: 'notice',
				default: '',
			},
			...guardProperties,
			...responseProperties,
			requestOptions,
		],
	};

	methods = { credentialTest };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await runPipeline(this, {
			...(await readCommonSettings(this)),
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
		return [
			this.getInputData().map((item, index) => ({
				...item,
				json: { ...item.json, executionId },
				pairedItem: { item: index },
			})),
		];
	}
}
