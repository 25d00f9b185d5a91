import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { JWT_ALGORITHMS } from '../nodes/callback/auth/jwt/algorithms';
import { readCallerTokenProperties } from './readCallerToken';

export class ExternalCallbackJwtApi implements ICredentialType {
	name = 'externalCallbackJwtApi';

	displayName = 'External Callback: JWT API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#jwt';

	properties: INodeProperties[] = [
		{
			displayName: 'Allowed Algorithms',
			name: 'algorithms',
			type: 'multiOptions',
			default: ['RS256'],
			// The verifier's own list (auth/jwt/algorithms.ts), alphabetical as n8n lists options.
			options: [...JWT_ALGORITHMS].sort((a, b) => a.localeCompare(b)).map((a) => ({ name: a, value: a })),
			description: 'Tokens signed with any other algorithm (and alg "none") are rejected',
		},
		{
			displayName: 'Key',
			name: 'keyType',
			type: 'options',
			default: 'jwks',
			options: [
				{ name: 'JWKS URL', value: 'jwks' },
				{ name: 'Public Key (PEM)', value: 'publicKey' },
				{ name: 'Shared Secret (HS*)', value: 'secret' },
			],
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { keyType: ['secret'] } },
		},
		{
			displayName: 'Public Key (PEM)',
			name: 'pem',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY-----',
			displayOptions: { show: { keyType: ['publicKey'] } },
		},
		{
			displayName: 'JWKS URL',
			name: 'jwksUrl',
			type: 'string',
			default: '',
			placeholder: 'https://idp.example.com/.well-known/jwks.json',
			displayOptions: { show: { keyType: ['jwks'] } },
		},
		{ displayName: 'Issuer', name: 'issuer', type: 'string', default: '', description: 'When set, the iss claim must equal it' },
		{ displayName: 'Audience', name: 'audience', type: 'string', default: '', description: 'When set, the aud claim must contain it' },
		{ displayName: 'Clock Leeway (Seconds)', name: 'leewaySeconds', type: 'number', default: 30 },
		...readCallerTokenProperties,
		{
			displayName: 'Roles Claim',
			name: 'rolesClaim',
			type: 'string',
			default: 'roles',
			placeholder: 'realm_access.roles',
			description: 'Dot path to an array or a space-separated string, e.g. roles, realm_access.roles, cognito:groups',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			url: '={{ $credentials.jwksUrl }}',
			method: 'GET',
		},
	};
}
