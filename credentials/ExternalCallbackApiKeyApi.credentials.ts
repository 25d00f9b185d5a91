import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// No service to call: the nodes test it (testedBy externalCallbackApiKeyApiTest, nodes/callback/auth/credentialTests.ts)
// by checking the keys locally with the node's own verifier
export class ExternalCallbackApiKeyApi implements ICredentialType {
	name = 'externalCallbackApiKeyApi';

	displayName = 'External Callback: API Key API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#api-key';

	properties: INodeProperties[] = [
		{
			displayName: 'API Keys',
			name: 'apiKeys',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'One or more keys, separated by commas or new lines; any of them is accepted',
		},
		{
			displayName: 'Key In',
			name: 'location',
			type: 'options',
			default: 'header',
			options: [
				{ name: 'Header', value: 'header' },
				{ name: 'Query Parameter', value: 'query' },
			],
		},
		{ displayName: 'Header or Parameter Name', name: 'name', type: 'string', default: 'x-api-key' },
	];
}
