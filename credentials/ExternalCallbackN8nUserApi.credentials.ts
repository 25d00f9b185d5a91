import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class ExternalCallbackN8nUserApi implements ICredentialType {
	name = 'externalCallbackN8nUserApi';

	displayName = 'External Callback: N8n User API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#n8n-user';

	properties: INodeProperties[] = [
		{
			displayName:
				'Used by the n8n User authentication to read the signed-in caller\'s role (n8n gives nodes none). Minimal scope: user:read (the Test button also needs user:list). Such a key cannot read executions.',
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
			description: 'How this n8n reaches itself, without /api/v1',
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
		request: { baseURL: '={{ $credentials.baseUrl }}', url: '/api/v1/users?limit=1' },
	};
}
