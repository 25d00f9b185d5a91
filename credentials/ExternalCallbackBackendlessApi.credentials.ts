import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class ExternalCallbackBackendlessApi implements ICredentialType {
	name = 'externalCallbackBackendlessApi';

	displayName = 'External Callback: Backendless User Token API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#backendless-user-token';

	properties: INodeProperties[] = [
		{
			displayName: 'App API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://xxxx.backendless.app/api',
			description: 'https://xxxx.backendless.app/api or https://api.backendless.com/APP_ID/REST_API_KEY',
		},
		{
			displayName: 'User Lookup URL',
			name: 'userLookupUrl',
			type: 'string',
			default: '',
			placeholder: 'https://xxxx.backendless.app/api/services/Users/current',
			description: 'Optional: called with the user-token header, returns the user object (Backendless has no REST call for it)',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl }}',
			url: '/users/isvalidusertoken/connection-test',
			method: 'GET',
		},
	};
}
