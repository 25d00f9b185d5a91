import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { timeUnitOptions } from '../callback/descriptions/common';

/** URL form, target wait node, expiry, API key and base URL (execute.ts reads them per item). */
export const generateProperties: INodeProperties[] = [
	{
		displayName: 'URL Form',
		name: 'urlForm',
		type: 'options',
		default: 'path',
		options: [
			{
				name: 'Path (Resume URL of This Execution)',
				value: 'path',
				description: 'A URL unique to this execution',
			},
			{
				name: 'State (Fixed URL Plus State Parameter)',
				value: 'state',
				description:
					"The wait node's stable URL plus ?state=… — for OAuth redirect URIs and SAML RelayState, registered once",
			},
		],
	},
	{
		displayName: 'Wait Node',
		name: 'waitNode',
		type: 'string',
		default: '',
		placeholder: 'External Callback Wait',
		description:
			'Name of the External Callback Wait node the URL resumes. Leave empty when exactly one such node follows this one.',
	},
	{
		displayName: 'Expiry',
		name: 'expiry',
		type: 'options',
		default: 'none',
		description:
			'After it, a call gets 410 Gone and resumes nothing, and the wait node times out (continues with timedOut: true)',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'After a Lifetime', value: 'lifetime' },
			{ name: 'At a Date', value: 'date' },
		],
	},
	...updateDisplayOptions({ show: { expiry: ['lifetime'] } }, [
		{
			displayName: 'Lifetime',
			name: 'expiryAmount',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 15,
		},
		{
			displayName: 'Unit',
			name: 'expiryUnit',
			type: 'options',
			default: 'minutes',
			options: timeUnitOptions,
		},
	]),
	{
		displayName: 'Expires At',
		name: 'expiryDate',
		type: 'dateTime',
		default: '',
		displayOptions: { show: { expiry: ['date'] } },
	},
	{
		displayName: 'Add API Key to URL',
		name: 'addApiKey',
		type: 'boolean',
		default: false,
		description:
			'Whether to put the key of an External Callback API Key credential (read from a query parameter) into the URL, for a wait node that authenticates with it',
	},
	{
		displayName: 'Base URL Override',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://hooks.example.com/n8n',
		description:
			'Replaces scheme, host and path prefix of the URL (reverse proxy, custom domain). https://, or http:// for localhost.',
	},
];
