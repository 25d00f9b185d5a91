import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { readCallerTokenProperties } from './readCallerToken';

export class ExternalCallbackIntrospectionOAuth2Api implements ICredentialType {
	name = 'externalCallbackIntrospectionOAuth2Api';

	displayName = 'External Callback: OAuth2 Token Introspection API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#oauth2-token-introspection';

	properties: INodeProperties[] = [
		{
			displayName: 'Introspection Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://idp.example.com/oauth2/introspect',
		},
		{
			displayName: 'Client Authentication',
			name: 'clientAuth',
			type: 'options',
			default: 'basic',
			options: [
				{ name: 'Client ID and Secret (Basic)', value: 'basic' },
				{ name: 'Bearer Token', value: 'bearer' },
			],
		},
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '', displayOptions: { show: { clientAuth: ['basic'] } } },
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { clientAuth: ['basic'] } },
		},
		{
			displayName: 'Bearer Token',
			name: 'bearerToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { clientAuth: ['bearer'] } },
		},
		...readCallerTokenProperties,
		{ displayName: 'Roles Field', name: 'rolesPath', type: 'string', default: 'scope', description: 'Dot path in the introspection answer' },
	];

	// Client authentication as the node sends it (providers.ts). n8n's expressions have no Buffer
	// (an expression using it sent no authorization header at all): base64Encode() is n8n's own.
	test: ICredentialTestRequest = {
		request: {
			url: '={{ $credentials.endpoint }}',
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization:
					'={{ $credentials.clientAuth === "bearer" ? "Bearer " + $credentials.bearerToken : "Basic " + (encodeURIComponent($credentials.clientId) + ":" + encodeURIComponent($credentials.clientSecret)).base64Encode() }}',
			},
			body: 'token=connection-test',
		},
	};
}
