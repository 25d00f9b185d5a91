import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class ExternalCallbackN8nApi implements ICredentialType {
	name = 'externalCallbackN8nApi';

	displayName = 'External Callback: N8n API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#stable-url';

	properties: INodeProperties[] = [
		{
			displayName:
				'Used by the stable URL to find waiting executions. Minimal scopes: execution:list and execution:read. Such a key can read executions, including their resume tokens: keep it as secret as an admin password.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'n8n Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:5678',
			required: true,
			description: 'How this n8n reaches itself (its main or webhook process), without /api/v1',
		},
		{
			displayName: 'Webhook Base URL',
			name: 'webhookBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://n8n-webhook:5678',
			description:
				'Where resume URLs are served, when not on the base URL above (queue mode with webhook processors). Empty: the base URL.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-N8N-API-KEY': '={{ $credentials.apiKey }}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{ $credentials.baseUrl }}', url: '/api/v1/executions?limit=1' },
	};
}
