import { updateDisplayOptions, type INodeCredentialDescription, type INodeProperties } from 'n8n-workflow';

import { AUTH_CREDENTIALS } from '../constants';

/** The credential test (a key of `credentialTest`, credentialTests.ts) of each method's credential that has no `test` of its own. */
export const GUARD_CREDENTIAL_TESTS: Partial<Record<keyof typeof AUTH_CREDENTIALS, string>> = {
	userLookup: 'externalCallbackUserLookupApiTest',
	apiKey: 'externalCallbackApiKeyApiTest',
	signature: 'externalCallbackSignatureApiTest',
};

/**
 * Credentials an entry point can use, one per authentication method. The node descriptions
 * spell these out literally (n8n's credential-test-required lint rule reads `testedBy` from the
 * source of each node's description); a unit test keeps them equal to this list.
 */
export const guardCredentials: INodeCredentialDescription[] = Object.entries(AUTH_CREDENTIALS).map(([method, name]) => {
	const testedBy = GUARD_CREDENTIAL_TESTS[method as keyof typeof AUTH_CREDENTIALS];
	return { name, required: true, ...(testedBy ? { testedBy } : {}), displayOptions: { show: { authentication: [method] } } };
});

/** Authentication, roles, on-fail policy and condition: the same on every entry point. */
export const guardProperties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		default: 'none',
		description: 'How callers prove who they are before anything is activated',
		options: [
			{ name: 'API Key', value: 'apiKey', description: 'A key in a header or query parameter' },
			{ name: 'Backendless User Token', value: 'backendless', description: 'The user-token header of a Backendless app' },
			{ name: 'JWT', value: 'jwt', description: 'A signed JSON Web Token (secret, public key, JWKS or OpenID Connect discovery)' },
			{ name: 'None', value: 'none', description: 'Anyone who knows the URL' },
			{ name: 'OAuth2 Token Introspection', value: 'introspection', description: 'RFC 7662: the token must be active' },
			{ name: 'User Lookup Endpoint', value: 'userLookup', description: 'Your endpoint returns the user for the token' },
			{ name: 'Webhook Signature', value: 'signature', description: 'Stripe, GitHub, Shopify, Slack, Standard Webhooks or HMAC' },
		],
	},
	// Only methods that know who is calling have roles.
	...updateDisplayOptions({ hide: { authentication: ['none', 'apiKey', 'signature'] } }, [
		{
			displayName: 'Required Roles',
			name: 'requiredRoles',
			type: 'string',
			default: '',
			placeholder: 'finance, approver',
			description: 'Comma-separated roles the caller must hold; empty requires none',
		},
		{
			displayName: 'Roles Match',
			name: 'rolesMatch',
			type: 'options',
			default: 'any',
			options: [
				{ name: 'Any of Them', value: 'any' },
				{ name: 'All of Them', value: 'all' },
			],
		},
	]),
	{
		displayName: 'On Fail Policy',
		name: 'onFail',
		type: 'options',
		default: 'error',
		description: 'What a caller that fails authentication or roles gets',
		options: [
			{ name: 'Error', value: 'error', description: '401 or 403 with a JSON error body' },
			{ name: 'Ignore', value: 'ignore', description: '200 with an empty body; nothing happens' },
		],
		displayOptions: { hide: { authentication: ['none'] } },
	},
	{
		displayName: 'Condition',
		name: 'condition',
		type: 'string',
		default: '',
		placeholder: '={{ $callback.data.orderId === $json.orderId }}',
		description: 'Boolean expression checked before activating. Empty always holds.',
		// In the hint, not the description: n8n's lint rule upper-cases every "json" word of a
		// description, which would misspell the $json variable.
		hint: '$callback is the call (data, query, headers, method, user, roles); on the wait node, $json is the waiting item',
	},
	{
		displayName: 'Ignored Call Response Code',
		name: 'ignoredResponseCode',
		type: 'number',
		typeOptions: { minValue: 200, maxValue: 599 },
		default: 200,
		description: 'Status for a call whose condition is false (nothing is activated)',
	},
];
