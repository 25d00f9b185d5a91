import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

const TEMPLATE_SCHEMES = ['hmac'];
const URL_SCHEMES = ['hmac', 'twilio'];

// No service to call: the nodes test it (testedBy externalCallbackSignatureApiTest, nodes/callback/auth/credentialTests.ts)
// by signing a call with each configured secret locally and verifying it with the node's own verifier
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
				{ name: 'Generic HMAC (Signing Template)', value: 'hmac' },
				{ name: 'Shopify (X-Shopify-Hmac-Sha256)', value: 'shopify' },
				{ name: 'Slack (V0)', value: 'slack' },
				{ name: 'Standard Webhooks (Webhook-Signature V1 or V1a)', value: 'standardWebhooks' },
				{ name: 'Stripe (Stripe-Signature)', value: 'stripe' },
				{ name: 'Twilio (X-Twilio-Signature)', value: 'twilio' },
				{ name: 'Zoom (X-Zm-Signature)', value: 'zoom' },
			],
		},
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The secret the sender signs with. Standard Webhooks: the whsec_… secret (v1), or the sender's whpk_… public key (v1a). Twilio: the Auth Token. Zoom: the app's Secret Token.",
		},
		{
			displayName: 'Previous Signing Secret',
			name: 'previousSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"While rotating: the secret being replaced (same format as the signing secret). Calls signed with either are accepted and the output's user.signedWith says which one; empty it once the sender only uses the new secret.",
		},
		{
			displayName: 'Timestamp Tolerance (Seconds)',
			name: 'toleranceSeconds',
			type: 'number',
			default: 300,
			description: 'Calls whose signed timestamp is further from now than this are refused (replay protection, code 1006)',
			displayOptions: { show: { scheme: ['stripe', 'slack', 'standardWebhooks', 'zoom', 'hmac'] } },
		},
		{
			displayName: 'Signature Header',
			name: 'header',
			type: 'string',
			default: 'x-signature',
			description: 'The header carrying the signature',
			displayOptions: { show: { scheme: TEMPLATE_SCHEMES } },
		},
		{
			displayName: 'Signed Content',
			name: 'template',
			type: 'string',
			default: '{body}',
			placeholder: 'v0:{timestamp}:{body}',
			description:
				'What the sender signs, built from {body} (the raw body), {timestamp} (the timestamp header), {url} (the URL called), {method}, {header:Name} and {formParams} (form fields sorted by name, name then value). Text around placeholders is signed as is.',
			displayOptions: { show: { scheme: TEMPLATE_SCHEMES } },
		},
		{
			displayName: 'Timestamp Header',
			name: 'timestampHeader',
			type: 'string',
			default: '',
			placeholder: 'x-signature-timestamp',
			description: 'A header with the Unix time (seconds) of signing. When set it is required, {timestamp} is its value, and calls outside the tolerance are refused. Empty: no timestamp.',
			displayOptions: { show: { scheme: TEMPLATE_SCHEMES } },
		},
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
			description: 'The HMAC digest',
			displayOptions: { show: { scheme: TEMPLATE_SCHEMES } },
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
			description: 'How the signature is written in the header',
			displayOptions: { show: { scheme: TEMPLATE_SCHEMES } },
		},
		{
			displayName: 'Prefix',
			name: 'prefix',
			type: 'string',
			default: '',
			placeholder: 'sha256=',
			description: 'Text before the signature in the header (required when set)',
			displayOptions: { show: { scheme: TEMPLATE_SCHEMES } },
		},
		{
			displayName: 'Public Base URL',
			name: 'publicBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://hooks.example.com/n8n',
			description:
				"Only for signatures over the URL ({url}, Twilio): the origin and path prefix the sender calls, when it is not n8n's WEBHOOK_URL (e.g. the nodes' Base URL Override). Empty: n8n's WEBHOOK_URL.",
			displayOptions: { show: { scheme: URL_SCHEMES } },
		},
	];
}
