import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { CALLBACK_METHODS } from '../callback/constants';
import { requestOptions, responseProperties } from '../callback/descriptions/common';
import { guardProperties } from '../callback/descriptions/guard';
import { RESPONSE_FIELDS } from '../callback/descriptions/webhookFields';

/**
 * One webhook per method on the node's path (its webhook id when Path is empty). One
 * description per method (unlike the wait node's restart webhooks, which the editor does not
 * show): the editor lists each as its own URL with its method.
 */
export const triggerWebhooks: IWebhookDescription[] = CALLBACK_METHODS.map((httpMethod) => ({
	name: 'default',
	httpMethod,
	path: '={{ $parameter["path"] || $webhookId }}',
	isFullPath: true,
	...RESPONSE_FIELDS,
}));

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: '',
		placeholder: 'payment-events',
		description:
			"The URL path after /webhook/ (and /webhook-test/ while listening for a test event). Empty uses the node's webhook ID.",
	},
	{
		displayName:
			'Every accepted call starts a new execution. GET uses the query as data, POST/PUT/PATCH the body; an execution or executionId parameter is ignored.',
		name: 'intro',
		type: 'notice',
		default: '',
	},
	...guardProperties,
	...responseProperties,
	requestOptions,
];
