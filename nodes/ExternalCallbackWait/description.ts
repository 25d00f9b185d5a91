import { updateDisplayOptions, type IWebhookDescription, type INodeProperties } from 'n8n-workflow';

import { CALLBACK_METHODS, FAIL_PATH_SUFFIX, FAIL_PATH_V2, PARAMS, STABLE_METHODS, WEBHOOK_NAMES, hasStaticWebhooks } from '../callback/constants';
import { guardProperties } from '../callback/descriptions/guard';
import { confirmProperties } from '../callback/descriptions/human';
import { requestOptions, responseProperties, timeUnitOptions } from '../callback/descriptions/common';
import { RESPONSE_FIELDS, webhookDescriptionFields } from '../callback/descriptions/webhookFields';

/**
 * Version 1: a restart webhook for every method on a path unique to this node (its node id), and
 * the same on `<node id>-fail` for the fail URL, which resumes with `failed: true`. One
 * description per path with a comma-separated method list (n8n splits it): n8n evaluates every
 * description's path on every call, each in its expression sandbox, so fewer descriptions cost less.
 *
 * Version 2: the same two with static paths (`` and `fail`): n8n routes a resume to the node the
 * execution waits at, and the node checks the `node=` its URLs carry (webhook.ts). Nothing of
 * them needs n8n's expression engine before the node runs, whatever the node's parameters.
 */
const ALL_METHODS = CALLBACK_METHODS.join(',');
const resumeWebhooks = (typeVersion: number): IWebhookDescription[] =>
	[
		{ name: WEBHOOK_NAMES.resume, httpMethod: ALL_METHODS, path: hasStaticWebhooks(typeVersion) ? '' : '={{ $nodeId }}' },
		{
			// n8n's type lists only 'default' and 'setup'; the name comes back through getWebhookName().
			name: WEBHOOK_NAMES.fail as IWebhookDescription['name'],
			httpMethod: ALL_METHODS,
			path: hasStaticWebhooks(typeVersion) ? FAIL_PATH_V2 : `={{ $nodeId + "${FAIL_PATH_SUFFIX}" }}`,
		},
	].map((hook) => ({ ...hook, restartWebhook: true, ...RESPONSE_FIELDS }));

/**
 * The stable URL: a regular webhook, registered while the workflow is published. It resumes
 * nothing by itself: it finds the target execution(s) and resumes them through their resume URLs.
 * One description per method, so that the editor lists "GET" and "POST" each with the URL (one
 * "GET,POST" description showed a clipped "GET,PO" badge).
 * - Version 1: only when "Stable URL" is on (an empty method list registers nothing); the method
 *   is natively resolvable, but n8n evaluates it in its expression engine as soon as any
 *   parameter of the node is an expression (a Correlation Key always is).
 * - Version 2: the methods are static, so the URL is registered whether or not "Stable URL" is
 *   on; while it is off the node answers `404` code 1056 (webhook.ts).
 */
const stableWebhooks = (typeVersion: number): IWebhookDescription[] =>
	STABLE_METHODS.map((method) => ({
		// n8n uses the name only to report it back through getWebhookName(), which is how webhook()
		// tells the stable URL from a resume.
		name: WEBHOOK_NAMES.stable as IWebhookDescription['name'],
		...(hasStaticWebhooks(typeVersion)
			? { httpMethod: method }
			: webhookDescriptionFields({
					httpMethod: {
						template: `={{ $parameter["${PARAMS.stableUrl}"] ? "${method}" : "" }}`,
						resolve: (p: Record<string, unknown>) => (p[PARAMS.stableUrl] ? method : ''),
					},
				})),
		path: 'callback',
		isFullPath: false,
		responseMode: 'onReceived',
		// The editor lists webhooks under "Webhook URLs": only list the stable URL while it is on
		// (otherwise it showed a /callback URL that answers nothing, with an empty method). Only the
		// editor reads this field.
		ndvHideUrl: `={{ !$parameter["${PARAMS.stableUrl}"] }}`,
	}));

/** Served by n8n itself (resume URLs and the stable URL): nothing to register elsewhere. */
export const waitWebhooks = (typeVersion: number): IWebhookDescription[] => [...resumeWebhooks(typeVersion), ...stableWebhooks(typeVersion)];

const stableUrlProperties: INodeProperties[] = [
	{
		displayName: 'Stable URL',
		name: 'stableUrl',
		type: 'boolean',
		default: false,
		description: 'Whether to also serve one fixed URL (shown under Webhook URLs once the workflow is published) that resumes waiting executions chosen by ?execution=&lt;ID&gt;, any or all. Needs an n8n API credential.',
	},
	...updateDisplayOptions({ show: { stableUrl: [true] } }, [
		{
			displayName:
				'Without authentication, anyone who knows the stable URL can resume executions waiting here. Choose an authentication method below.',
			name: 'stableUrlWarning',
			type: 'notice',
			default: '',
			displayOptions: { show: { authentication: ['none'] } },
		},
		{
			displayName: 'State Parameter',
			name: 'stateParameter',
			type: 'string',
			default: 'state',
			placeholder: 'RelayState',
			description:
				'Query parameter or form field carrying the state of state-form callback URLs, e.g. state (OAuth) or RelayState (SAML). A state needs no n8n API credential.',
		},
		{
			displayName: 'Correlation Key',
			name: 'correlationKey',
			type: 'string',
			default: '',
			placeholder: '={{ $json.ticketId }}',
			description:
				'Expression over the waiting item: the key this execution waits under, e.g. a ticket ID. Callers name it on the stable URL (?key=T-101; with execution=all, every one with that key). Kept in an n8n data table; needs n8n 2.x and an API key with the data table scopes.',
		},
		{
			displayName: 'Key From Call',
			name: 'keyFromCall',
			type: 'string',
			default: '',
			placeholder: '={{ $callback.data.ticketId }}',
			description: 'Expression over the call ($callback) giving its correlation key, for senders that cannot add ?key= to the URL. Used when the call has no key parameter.',
			displayOptions: { hide: { correlationKey: [''] } },
		},
		{
			displayName: 'Repeated Call Response',
			name: 'repeatedStatus',
			type: 'options',
			default: 200,
			description: 'Stable URL with an ID: the answer when this node already resumed that execution (nothing is resumed twice)',
			options: [
				{ name: '200 With X-Callback-Repeated Header', value: 200 },
				{ name: '409 Conflict', value: 409 },
			],
		},
	]),
];

const refusedCallsProperty: INodeProperties = {
	displayName: 'Refused Calls',
	name: 'refusedCalls',
	type: 'options',
	default: 'keepWaiting',
	description: 'What a call refused for bad data or failed authentication does to the wait',
	options: [
		{
			name: 'Keep Waiting (Retryable)',
			value: 'keepWaiting',
			description: 'The caller gets the error; the URL stays usable',
		},
		{
			name: 'Fail the Wait',
			value: 'fail',
			description: "The caller gets the error and the execution continues with 'failed': true and the reason",
		},
	],
};

/** The wait limit (execute.ts reads it); a limit also ends the wait of an expiring URL. */
export const limitProperties: INodeProperties[] = [
	{
		displayName: 'Limit Wait Time',
		name: 'limitWaitTime',
		type: 'boolean',
		default: false,
		description:
			"Whether to stop waiting after a time. A timed-out execution continues with the items the node received, marked 'timedOut': true.",
	},
	...updateDisplayOptions({ show: { limitWaitTime: [true] } }, [
		{
			displayName: 'Limit Type',
			name: 'limitType',
			type: 'options',
			default: 'afterTimeInterval',
			options: [
				{ name: 'After Time Interval', value: 'afterTimeInterval' },
				{ name: 'At Specified Time', value: 'atSpecifiedTime' },
			],
		},
		{
			displayName: 'Amount',
			name: 'resumeAmount',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 1,
			displayOptions: { show: { limitType: ['afterTimeInterval'] } },
		},
		{
			displayName: 'Unit',
			name: 'resumeUnit',
			type: 'options',
			default: 'hours',
			options: timeUnitOptions,
			displayOptions: { show: { limitType: ['afterTimeInterval'] } },
		},
		{
			displayName: 'Max Date and Time',
			name: 'maxDateAndTime',
			type: 'dateTime',
			default: '',
			required: true,
			displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
		},
		{
			displayName:
				"n8n checks timeouts once a minute, so a limit can fire up to 60 seconds late. Tell a timeout from a callback with an If node on {{ $json.timedOut }}.",
			name: 'timeoutNotice',
			type: 'notice',
			default: '',
		},
	]),
];

/** Every property of the wait node, in the editor's order. */
export const waitProperties: INodeProperties[] = [
	{
		displayName:
			'The execution pauses here until its callback URL is called. Use a "Generate Callback URL" node before this one to make the URL and hand it to the external system. Every item leaving it has \'timedOut\': false after a call, true after the wait limit.',
		name: 'intro',
		type: 'notice',
		default: '',
	},
	{
		displayName:
			'{{ $execution.resumeUrl }} does not resume this node: it listens on its own path below that URL. Give the external system the callbackUrl of a "Generate Callback URL" node, or turn on Stable URL below. <a href="https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#external-callback-wait" target="_blank">More in the docs</a>',
		name: 'resumeUrlNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName:
			'Give the external system the callbackUrl of a "Generate Callback URL" node (it names this node, so a late call for another wait node resumes nothing), or turn on Stable URL below. {{ $execution.resumeUrl }} resumes this node too, whichever wait node the execution waits at. <a href="https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#external-callback-wait" target="_blank">More in the docs</a>',
		name: 'resumeUrlNoticeV2',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	},
	...stableUrlProperties,
	...confirmProperties,
	...guardProperties,
	refusedCallsProperty,
	...responseProperties,
	...limitProperties,
	requestOptions,
];
