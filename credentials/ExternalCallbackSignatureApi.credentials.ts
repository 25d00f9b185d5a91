import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// No service to call: the nodes test it (testedBy externalCallbackSignatureApiTest, nodes/callback/auth/credentialTests.ts)
// by signing a call with the secret locally and verifying it with the node's own verifier
export class ExternalCallbackSignatureApi implements ICredentialType {
	name = 'externalCallbackSignatureApi';

	displayName = 'External Callback: Webhook Signature API';

	icon: Icon = { light: 'file:externalCallback.svg', dark: 'file:externalCallback.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#webhook-signature';

	properties: INodeProperties[] = [
		{
			displayName: 'Scheme',
			name: 'scheme',
			type: 'options',
			default: 'stripe',
			options: [
				{ name: 'GitHub (X-Hub-Signature-256)', value: 'github' },
				{ name: 'Generic HMAC', value: 'hmac' },
				{ name: 'Shopify (X-Shopify-Hmac-Sha256)', value: 'shopify' },
				{ name: 'Slack (V0)', value: 'slack' },
				{ name: 'Standard Webhooks (Webhook-Signature)', value: 'standardWebhooks' },
				{ name: 'Stripe (Stripe-Signature)', value: 'stripe' },
			],
		},
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Standard Webhooks: the whsec_… secret',
		},
		{
			displayName: 'Timestamp Tolerance (Seconds)',
			name: 'toleranceSeconds',
			type: 'number',
			default: 300,
			displayOptions: { show: { scheme: ['stripe', 'slack', 'standardWebhooks'] } },
		},
		{ displayName: 'Signature Header', name: 'header', type: 'string', default: 'x-signature', displayOptions: { show: { scheme: ['hmac'] } } },
		{
			displayName: 'Algorithm',
			name: 'algorithm',
			type: 'options',
			default: 'sha256',
			options: [
				{ name: 'SHA-1', value: 'sha1' },
				{ name: 'SHA-256', value: 'sha256' },
				{ name: 'SHA-512', value: 'sha512' },
			],
			displayOptions: { show: { scheme: ['hmac'] } },
		},
		{
			displayName: 'Encoding',
			name: 'encoding',
			type: 'options',
			default: 'hex',
			options: [
				{ name: 'Hex', value: 'hex' },
				{ name: 'Base64', value: 'base64' },
			],
			displayOptions: { show: { scheme: ['hmac'] } },
		},
		{ displayName: 'Prefix', name: 'prefix', type: 'string', default: '', placeholder: 'sha256=', displayOptions: { show: { scheme: ['hmac'] } } },
	];
}
