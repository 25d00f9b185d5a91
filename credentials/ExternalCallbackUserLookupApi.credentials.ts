import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { readCallerTokenProperties } from './readCallerToken';

// The lookup needs a caller's token, which a credential test does not have: the nodes test it
// (testedBy externalCallbackUserLookupApiTest, nodes/callback/auth/credentialTests.ts) by checking its URL and headers locally
export class ExternalCallbackUserLookupApi implements ICredentialType {
	name = 'externalCallbackUserLookupApi';

	displayName = 'External Callback: User Lookup API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#user-lookup-endpoint';

	properties: INodeProperties[] = [
		{
			displayName: 'Lookup URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://api.example.com/me',
			description: 'Called with the token; a 2xx JSON answer is the user, any other status means not authenticated',
		},
		...readCallerTokenProperties,
		{ displayName: 'Send Token in Header', name: 'sendHeader', type: 'string', default: 'authorization' },
		{ displayName: 'Token Prefix', name: 'sendPrefix', type: 'string', default: 'Bearer ', description: 'Put before the token in that header' },
		{ displayName: 'Roles Field', name: 'rolesPath', type: 'string', default: 'roles', description: 'Dot path in the returned user' },
	];
}
