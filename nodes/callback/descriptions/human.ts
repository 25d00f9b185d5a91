import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

/**
 * Links meant for people (pipeline/human.ts): Ignore Bots (an option of every entry point) and
 * Confirm in Browser (the wait node's resume and fail URLs).
 */
export const ignoreBotsOption: INodeProperties = {
	displayName: 'Ignore Bots',
	name: 'ignoreBots',
	type: 'boolean',
	default: false,
	description:
		"Whether to ignore calls from bots, link scanners and link previews (the user-agent list of n8n's Webhook node: mail scanners, Slack and Teams previews, crawlers, also curl and HTTP libraries) and browser prefetches. They get 403 and nothing happens.",
};

export const confirmProperties: INodeProperties[] = [
	{
		displayName: 'Confirm in Browser',
		name: 'confirmInBrowser',
		type: 'boolean',
		default: false,
		description:
			'Whether the callback and fail URLs are links for people (email, chat): opening one shows a page with buttons, and only a click resumes, with the choice as data. Mail scanners, link previews and prefetches resume nothing.',
	},
	...updateDisplayOptions({ show: { confirmInBrowser: [true] } }, [
		{
			displayName:
				"Opening the link (GET) shows the page; its buttons post back to the same URL, and the execution continues with data.choice set to the value of the button clicked. Other calls resume nothing.",
			name: 'confirmNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Page Title',
			name: 'confirmTitle',
			type: 'string',
			default: 'Please confirm',
			description: 'Heading of the page (expressions can use the waiting item)',
		},
		{
			displayName: 'Message',
			name: 'confirmMessage',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'Approve the refund of order 1042?',
			description: 'Text shown above the buttons (expressions can use the waiting item)',
		},
		{
			displayName: 'Buttons',
			name: 'confirmButtons',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Button',
			default: {},
			description: 'One button per choice; without any: Approve (approve) and Reject (reject)',
			options: [
				{
					name: 'buttons',
					displayName: 'Button',
					values: [
						{ displayName: 'Label', name: 'label', type: 'string', default: '', placeholder: 'Approve' },
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							placeholder: 'approve',
							description: 'What the execution gets as data.choice',
						},
					],
				},
			],
		},
	]),
];
