import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { JWT_ALGORITHMS } from '../nodes/callback/auth/jwt/algorithms';
import { readCallerTokenProperties } from './readCallerToken';

export class ExternalCallbackJwtApi implements ICredentialType {
	name = 'externalCallbackJwtApi';

	displayName = 'External Callback: JWT API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#jwt';

	// Grouped as a verifier reads a token: the key, the algorithms, then the claims
	// (issuer, audience, expiry, required claims, leeway), then where the token is and its roles.
	properties: INodeProperties[] = [
		// ---- the key -------------------------------------------------------------------------
		{
			displayName: 'Key',
			name: 'keyType',
			type: 'options',
			default: 'jwks',
			description: 'Where the keys that verify the signature come from',
			options: [
				{ name: 'JWKS URL', value: 'jwks', description: 'The provider publishes its public keys as a JWK set' },
				{
					name: 'OpenID Connect Discovery (Issuer URL)',
					value: 'discovery',
					description: 'The issuer URL; its /.well-known/openid-configuration names the JWKS',
				},
				{ name: 'Public Key (PEM)', value: 'publicKey', description: 'One public key or certificate' },
				{ name: 'Shared Secret (HS*)', value: 'secret', description: 'The HMAC secret the issuer signs with' },
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
			displayName: 'Previous Secret',
			name: 'previousSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Rotation: tokens signed with this secret are accepted too, until you empty it. Put the new secret above and the old one here, switch the issuer over, then empty this field.',
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
			description: 'Cached up to 10 minutes; an unknown key ID (kid) is fetched again, at most every 30 seconds',
			displayOptions: { show: { keyType: ['jwks'] } },
		},
		{
			displayName: 'Issuer URL',
			name: 'discoveryUrl',
			type: 'string',
			default: '',
			placeholder: 'https://idp.example.com/realms/main',
			description:
				'The OpenID Connect issuer. Its discovery document and JWKS are cached like a JWKS URL; with Issuers empty, the iss claim must be this issuer.',
			displayOptions: { show: { keyType: ['discovery'] } },
		},
		{
			displayName: 'Allowed Algorithms',
			name: 'algorithms',
			type: 'multiOptions',
			default: ['RS256'],
			// The verifier's own list (auth/jwt/algorithms.ts), alphabetical as n8n lists options.
			options: [...JWT_ALGORITHMS].sort((a, b) => a.localeCompare(b)).map((a) => ({ name: a, value: a })),
			description:
				'Tokens signed with any other algorithm (and alg "none") are rejected. Ed25519 and Ed448 are the fully specified names of EdDSA (RFC 9864).',
		},
		// ---- the claims ------------------------------------------------------------------------
		{
			displayName: 'Issuers',
			name: 'issuer',
			type: 'string',
			default: '',
			placeholder: 'https://idp.example.com/, https://login.example.com/',
			description: 'Comma-separated; when set, the iss claim must equal one of them',
		},
		{
			displayName: 'Audience Check',
			name: 'audienceMode',
			type: 'options',
			default: 'required',
			options: [
				{ name: 'Must Contain One of the Audiences', value: 'required', description: 'RFC 7519 §4.1.3: the token must name this service' },
				{
					name: 'Any Audience (Not Recommended)',
					value: 'any',
					description: 'Accept tokens the issuer made for any other service too',
				},
			],
		},
		{
			displayName: 'Audiences',
			name: 'audience',
			type: 'string',
			default: '',
			placeholder: 'orders-api, https://orders.example.com',
			description: 'Comma-separated; the aud claim (a string or an array) must contain one of them',
			displayOptions: { show: { audienceMode: ['required'] } },
		},
		{
			displayName:
				'Any audience: a token your issuer made for another service (another API, another app) is accepted here too. Prefer naming this service in Audiences.',
			name: 'anyAudienceNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { audienceMode: ['any'] } },
		},
		{
			displayName: 'Require Expiry (Exp)',
			name: 'requireExp',
			type: 'boolean',
			default: true,
			description: 'Whether a token without an exp claim is refused. Off: such a token is valid forever.',
		},
		{
			displayName: 'Required Claims',
			name: 'requiredClaims',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Required Claim',
			description: 'Claims every token must carry',
			options: [
				{
					displayName: 'Claim',
					name: 'claim',
					values: [
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: '',
							placeholder: 'tenant',
							description: 'A claim name or a dot path, e.g. tenant, realm_access.roles',
						},
						{
							displayName: 'Must Be',
							name: 'match',
							type: 'options',
							default: 'equals',
							options: [
								{ name: 'Equal To', value: 'equals', description: 'A string, number or boolean with this text, or an array holding it' },
								{ name: 'Present', value: 'present', description: 'Any value but null' },
							],
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							displayOptions: { show: { match: ['equals'] } },
						},
					],
				},
			],
		},
		{ displayName: 'Clock Leeway (Seconds)', name: 'leewaySeconds', type: 'number', default: 30, description: 'Tolerance for exp, nbf and iat' },
		// ---- the caller --------------------------------------------------------------------------
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

	// The Test button fetches what the node would fetch: the JWKS, or the issuer's discovery
	// document. A shared secret or a PEM key has nothing to reach (the test then fails: see README).
	test: ICredentialTestRequest = {
		request: {
			url: '={{ $credentials.keyType === "discovery" ? $credentials.discoveryUrl.trim().replace(/\\/+$/, "").replace(/\\/\\.well-known\\/openid-configuration$/, "") + "/.well-known/openid-configuration" : $credentials.jwksUrl }}',
			method: 'GET',
		},
	};
}
