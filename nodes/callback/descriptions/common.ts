import { updateDisplayOptions, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import type { WaitUnit } from '../urls/waitTill';
import { ignoreBotsOption } from './human';

/** The units of a duration (the wait limit, a URL's lifetime). */
export const timeUnitOptions: Array<INodePropertyOptions & { value: WaitUnit }> = [
	{ name: 'Seconds', value: 'seconds' },
	{ name: 'Minutes', value: 'minutes' },
	{ name: 'Hours', value: 'hours' },
	{ name: 'Days', value: 'days' },
];

/** Parameters of the immediate reply; shared by every entry point that answers a caller. */
export const responseProperties: INodeProperties[] = [
	{
		displayName: 'Respond',
		name: 'respond',
		type: 'options',
		default: 'default',
		options: [
			{
				name: 'Immediately, 200 With Empty Body',
				value: 'default',
				description: 'Answer 200 with an empty body as soon as the call is accepted',
			},
			{
				name: 'Immediately, Custom Response',
				value: 'custom',
				description: 'Answer with your own status code, body and headers',
			},
			{
				name: 'Immediately, Redirect',
				value: 'redirect',
				description: 'Send the caller (e.g. a browser) to another URL',
			},
			{
				name: "Using 'Respond to Webhook' Node",
				value: 'responseNode',
				description: 'A Respond to Webhook node later in the workflow answers',
			},
			{
				name: 'When Last Node Finishes',
				value: 'lastNode',
				description: 'Answer with the JSON of the first item of the last node executed',
			},
		],
	},
	...updateDisplayOptions({ show: { respond: ['custom'] } }, [
		{
			displayName: 'Response Code',
			name: 'responseCode',
			type: 'number',
			typeOptions: { minValue: 200, maxValue: 599 },
			default: 200,
		},
		{
			displayName: 'Response Body',
			name: 'responseBody',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'Sent as JSON when it parses as JSON (unless a Content-Type header is set), otherwise as text',
		},
		{
			displayName: 'Response Headers',
			name: 'responseHeaders',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Header',
			default: {},
			options: [
				{
					name: 'entries',
					displayName: 'Header',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
	]),
	...updateDisplayOptions({ show: { respond: ['redirect'] } }, [
		{
			displayName: 'Redirect URL',
			name: 'redirectUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://shop.example.com/thank-you',
			description: 'Absolute http(s) URL (expressions allowed)',
			// In the hint: n8n's lint rule upper-cases "json" in descriptions, misspelling $json.
			hint: 'On the wait node, expressions can use the waiting item ($json)',
		},
		{
			displayName: 'Redirect Status',
			name: 'redirectStatus',
			type: 'options',
			default: 302,
			options: [
				{ name: '302 Found', value: 302 },
				{ name: '303 See Other', value: 303 },
			],
		},
	]),
];

export const requestOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Accepted Content Types',
			name: 'allowedContentTypes',
			type: 'string',
			default: '',
			placeholder: 'application/json, application/x-www-form-urlencoded',
			description:
				'Comma-separated content types accepted for a body; others get 415. Empty accepts any.',
		},
		ignoreBotsOption,
		{
			displayName: 'Max Body Size (KB)',
			name: 'maxBodyKb',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: "Bodies larger than this get 413. 0 leaves only n8n's own limit (N8N_PAYLOAD_SIZE_MAX).",
		},
	],
};
