import {
	NodeConnectionTypes,
	VersionedNodeType,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { N8N_API_CREDENTIAL, WAIT_NODE_VERSION } from '../callback/constants';
import { credentialTest } from '../callback/n8n/credentialTests';
import { responseProperties } from '../callback/descriptions/common';
import { labelSubtitle, WAITING_TOOLTIP } from '../callback/descriptions/editor';
import { waitProperties, waitWebhooks } from './description';
import { waitExecute } from './execute';
import { waitWebhook } from './webhook';

/**
 * Version 1 of the wait node, and the description both versions share. The two versions have
 * the same parameters and behaviour; they differ only in where their URLs are
 * (callback/urls/resumeUrl.ts):
 * - 1: resume URL `…/webhook-waiting/<id>/<node id>`; its webhook paths are expressions.
 * - 2 (what the editor places): resume URL `…/webhook-waiting/<id>?node=<node id>`, fail URL
 *   `…/fail?…`; every webhook field is static, so n8n evaluates no expression for a call to the
 *   node before it runs (docs/architecture.md, "Wait node versions").
 * Workflows with version 1 keep it and keep working (their URLs already went out).
 */
class ExternalCallbackWaitV1 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'External Callback Wait',
		name: 'externalCallbackWait',
		icon: { light: 'file:externalCallbackWait.svg', dark: 'file:externalCallbackWait.dark.svg' },
		group: ['organization'],
		version: 1,
		// "respond: Immediately, 200 With Empty Body": the label of the chosen option, not its value.
		subtitle: labelSubtitle('respond', responseProperties.find((p) => p.name === 'respond')),
		description: 'Pause the workflow until an external system calls its callback URL',
		defaults: { name: 'External Callback Wait' },
		// Not offered to AI agents: a tool call cannot wait for a callback.
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// One per authentication method, as guardCredentials lists them (a unit test keeps them equal;
		// written out so that n8n's lint rules can read each credential's testedBy), then n8n's API.
		credentials: [
			{ name: 'externalCallbackBackendlessApi', required: true, displayOptions: { show: { authentication: ['backendless'] } } },
			{ name: 'externalCallbackJwtApi', required: true, displayOptions: { show: { authentication: ['jwt'] } } },
			{ name: 'externalCallbackIntrospectionOAuth2Api', required: true, displayOptions: { show: { authentication: ['introspection'] } } },
			{ name: 'externalCallbackUserLookupApi', required: true, testedBy: 'externalCallbackUserLookupApiTest', displayOptions: { show: { authentication: ['userLookup'] } } },
			{ name: 'externalCallbackApiKeyApi', required: true, testedBy: 'externalCallbackApiKeyApiTest', displayOptions: { show: { authentication: ['apiKey'] } } },
			{ name: 'externalCallbackSignatureApi', required: true, testedBy: 'externalCallbackSignatureApiTest', displayOptions: { show: { authentication: ['signature'] } } },
			{ name: N8N_API_CREDENTIAL, required: false, displayOptions: { show: { stableUrl: [true] } } },
		],
		webhooks: waitWebhooks(1),
		// The callback URL of the waiting execution (and the stable URL when on), as n8n's Wait node
		// shows its resume URL; execute() stores n8n's signed resume URL in the run's metadata for it.
		waitingNodeTooltip: WAITING_TOOLTIP,
		properties: waitProperties,
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await waitExecute(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await waitWebhook(this);
	}
}

/** Version 2: version 1 with static webhook fields (its URLs, above). */
class ExternalCallbackWaitV2 extends ExternalCallbackWaitV1 {
	constructor() {
		super();
		this.description = { ...this.description, version: 2, webhooks: waitWebhooks(2) };
	}
}

/** Pauses the execution (execute.ts) until a call to one of its URLs resumes it (webhook.ts). */
export class ExternalCallbackWait extends VersionedNodeType {
	constructor() {
		const v1 = new ExternalCallbackWaitV1();
		const { displayName, name, icon, group, subtitle, description } = v1.description;
		const baseDescription: INodeTypeBaseDescription = { displayName, name, icon, group, subtitle, description, defaultVersion: WAIT_NODE_VERSION };
		super({ 1: v1, 2: new ExternalCallbackWaitV2() }, baseDescription);
	}
}
