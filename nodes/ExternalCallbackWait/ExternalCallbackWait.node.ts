import {
	NodeConnectionTypes,
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { CALLBACK_METHODS } from '../callback/urls/resumeUrl';
import { credentialTest } from '../callback/auth/credentialTests';
import { guardProperties } from '../callback/descriptions/guard';
import { fail, runPipeline } from '../callback/pipeline/run';
import { RESPONSE_FIELDS, nativeFields, sendReply } from '../callback/pipeline/respond';
import { generatedExpiry } from '../callback/urls/expiry';
import { readCommonSettings, readStateParameter, stableForwardKey } from '../callback/n8n/settings';
import { N8N_API_CREDENTIAL, runStable } from '../callback/targeting/stable';
import { computeWaitTill, type WaitLimit } from '../callback/urls/waitTill';
import { requestOptions, responseProperties } from '../callback/descriptions/common';
import { limitProperties } from './description';
import { FORWARD_WEBHOOK, OUTCOME_HEADER } from '../callback/targeting/forward';
import { answerProbe, checkResumeCall, isProbe } from '../callback/pipeline/gate';
import { generatedSecrets, givenSignature, hasN8nResumeToken, urlSecretMatches } from '../callback/urls/urlSecret';

/**
 * One output. n8n continues a timed-out wait on output 0 with the node's waiting input items,
 * and it links a resumed item to its input only on output 0, so the callback leaves there too.
 * Every item says which it is: `timedOut: false` for a callback, `timedOut: true` for a timeout.
 */

const FAIL_WEBHOOK = 'fail';
/** How long a wait outlives the expiry of its callback URL (the window that answers 410). */
const EXPIRY_GRACE_MS = 60_000;

/**
 * A restart webhook for every method on a path unique to this node (its node id), and the same
 * on `<node id>-fail` for the fail URL, which resumes with `failed: true`. One description per
 * path with a comma-separated method list (n8n splits it): n8n evaluates every description's
 * path on every call, each in its expression sandbox, so fewer descriptions cost less.
 */
const ALL_METHODS = CALLBACK_METHODS.join(',');
const resumeWebhooks: IWebhookDescription[] = [
	{ name: 'default' as const, httpMethod: ALL_METHODS, path: '={{ $nodeId }}' },
	{
		// n8n's type lists only 'default' and 'setup'; the name comes back through getWebhookName().
		name: FAIL_WEBHOOK as IWebhookDescription['name'],
		httpMethod: ALL_METHODS,
		path: '={{ $nodeId + "-fail" }}',
	},
].map((hook) => ({
	...hook,
	restartWebhook: true,
	...RESPONSE_FIELDS,
}));

/**
 * The stable URL: a regular webhook, registered while the workflow is published and only when
 * "Stable URL" is on (an empty method list registers nothing). It resumes nothing by itself: it
 * finds the target execution(s) and resumes them through their resume URLs.
 */
const STABLE_WEBHOOK = 'stable';
/**
 * One description per method, so that the editor lists "GET" and "POST" each with the URL (one
 * "GET,POST" description showed a clipped "GET,PO" badge). The method is natively resolvable.
 */
const stableWebhooks: IWebhookDescription[] = (['GET', 'POST'] as const).map((method) => ({
	// n8n's type lists only 'default' and 'setup'; it uses the name only to report it back
	// through getWebhookName(), which is how webhook() tells the stable URL from a resume.
	name: STABLE_WEBHOOK as IWebhookDescription['name'],
	...nativeFields({
		httpMethod: {
			template: `={{ $parameter["stableUrl"] ? "${method}" : "" }}`,
			resolve: (p: Record<string, unknown>) => (p.stableUrl ? method : ''),
		},
	}),
	path: 'callback',
	isFullPath: false,
	responseMode: 'onReceived',
	// The editor lists webhooks under "Webhook URLs": only list the stable URL while it is on
	// (otherwise it showed a /callback URL that answers nothing, with an empty method).
	ndvHideUrl: '={{ !$parameter["stableUrl"] }}',
}));

/** Served by n8n itself (resume URLs and the stable URL): nothing to register elsewhere. */
const waitWebhooks: IWebhookDescription[] = [...resumeWebhooks, ...stableWebhooks];

export class ExternalCallbackWait implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'External Callback Wait',
		name: 'externalCallbackWait',
		icon: { light: 'file:externalCallbackWait.svg', dark: 'file:externalCallbackWait.dark.svg' },
		group: ['organization'],
		version: 1,
		subtitle: '=respond: {{ $parameter["respond"] }}',
		description: 'Pause the workflow until an external system calls its callback URL',
		defaults: { name: 'External Callback Wait' },
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// One per authentication method, as guardCredentials lists them (a unit test keeps them equal;
		// written out so that n8n's lint rules can read each credential's testedBy), then n8n's API.
		credentials: [
			{ name: 'externalCallbackBackendlessApi', required: true, displayOptions: { show: { authentication: ['backendless'] } } },
			{ name: 'externalCallbackJwtApi', required: true, displayOptions: { show: { authentication: ['jwt'] } } },
			{
				name: 'externalCallbackIntrospectionOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['introspection'] } },
			},
			{
				name: 'externalCallbackUserLookupApi',
				required: true,
				testedBy: 'externalCallbackUserLookupApiTest',
				displayOptions: { show: { authentication: ['userLookup'] } },
			},
			{
				name: 'externalCallbackApiKeyApi',
				required: true,
				testedBy: 'externalCallbackApiKeyApiTest',
				displayOptions: { show: { authentication: ['apiKey'] } },
			},
			{
				name: 'externalCallbackSignatureApi',
				required: true,
				testedBy: 'externalCallbackSignatureApiTest',
				displayOptions: { show: { authentication: ['signature'] } },
			},
			{ name: N8N_API_CREDENTIAL, required: false, displayOptions: { show: { stableUrl: [true] } } },
		],
		webhooks: waitWebhooks,
		waitingNodeTooltip:
			'=Waiting for a call to this node\'s callback URL (made by a "Generate Callback URL" node).',
		properties: [
			{
				displayName:
					'The execution pauses here until its callback URL is called. Use a "Generate Callback URL" node before this one to make the URL and hand it to the external system. Every item leaving it has \'timedOut\': false after a call, true after the wait limit.',
				name: 'intro',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Stable URL',
				name: 'stableUrl',
				type: 'boolean',
				default: false,
				description: 'Whether to also serve one fixed URL (shown under Webhook URLs once the workflow is published) that resumes waiting executions chosen by ?execution=&lt;ID&gt;, any or all. Needs an n8n API credential.',
			},
			{
				displayName:
					'Without authentication, anyone who knows the stable URL can resume executions waiting here. Choose an authentication method below.',
				name: 'stableUrlWarning',
				type: 'notice',
				default: '',
				displayOptions: { show: { stableUrl: [true], authentication: ['none'] } },
			},
			{
				displayName: 'State Parameter',
				name: 'stateParameter',
				type: 'string',
				default: 'state',
				placeholder: 'RelayState',
				description:
					'Query parameter or form field carrying the state of state-form callback URLs, e.g. state (OAuth) or RelayState (SAML). A state needs no n8n API credential.',
				displayOptions: { show: { stableUrl: [true] } },
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
				displayOptions: { show: { stableUrl: [true] } },
			},
			...guardProperties,
			{
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
			},
			...responseProperties,
			...limitProperties,
			requestOptions,
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const limit: WaitLimit = {
			limitWaitTime: this.getNodeParameter('limitWaitTime', 0, false) as boolean,
			limitType: this.getNodeParameter('limitType', 0, 'afterTimeInterval') as WaitLimit['limitType'],
			resumeAmount: this.getNodeParameter('resumeAmount', 0, 1) as number,
			resumeUnit: this.getNodeParameter('resumeUnit', 0, 'hours') as WaitLimit['resumeUnit'],
			maxDateAndTime: this.getNodeParameter('maxDateAndTime', 0, '') as string,
		};
		let limitAt: Date | undefined;
		try {
			limitAt = computeWaitTill(limit);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}
		// A URL expiry set by Generate Callback URL ends the wait too. The wait ends a minute after
		// the expiry: from the expiry on, calls get 410 from the node (whatever n8n's wait tracker,
		// which polls once a minute, has done yet), and then the timeout path runs.
		const expiresAt = generatedExpiry(this);
		const expiryDeadline = expiresAt ? new Date(expiresAt.getTime() + EXPIRY_GRACE_MS) : undefined;
		const deadline = [limitAt, expiryDeadline].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
		const waitTill = deadline ?? WAIT_INDEFINITELY;
		const received = [...items];
		if (deadline) markForTimeout(items);
		await this.putExecutionToWait(waitTill);
		return [received];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const webhookName = this.getWebhookName() as string;
		if (webhookName === STABLE_WEBHOOK) {
			return await runStable(this, {
				...(await readCommonSettings(this)),
				repeatedStatus: this.getNodeParameter('repeatedStatus', 200) === 409 ? 409 : 200,
				stateParameter: readStateParameter(this),
			});
		}
		const failUrl = webhookName === FAIL_WEBHOOK;
		// A forward is valid only where this node's own stable URL made it: this execution, this
		// workflow, this node, the resume (not the fail) URL. Anything else carrying a forward or
		// an origin is refused below, before the guards, and never resumes (callback/pipeline/gate.ts).
		const gate = await checkResumeCall(this, failUrl ? FAIL_WEBHOOK : FORWARD_WEBHOOK, stableForwardKey(this));
		if (!(await hasValidUrlSecret(this, gate.kind === 'forwarded'))) {
			// The same answer n8n 2.x gives for a missing or wrong resume token; the secret is never
			// echoed, and the execution stays waiting (no workflowData).
			sendReply(this.getResponseObject(), 401, JSON.stringify({ error: 'Invalid token' }));
			return { noWebhookResponse: true };
		}
		if (gate.kind === 'refused') {
			this.getResponseObject().setHeader(OUTCOME_HEADER, 'refused');
			return fail(this, gate.error);
		}
		// The stable URL's state form asks whose execution this is before it forwards anything.
		if (isProbe(this)) return answerProbe(this);
		const settings = await readCommonSettings(this);
		return await runPipeline(this, {
			...settings,
			forwarded: gate.kind === 'forwarded' ? { identity: gate.identity } : undefined,
			failOnRefusal: this.getNodeParameter('refusedCalls', 'keepWaiting') === 'fail',
			expiresAt: generatedExpiry(this),
			checkReadiness: true,
			activate: (item) => {
				item.json.timedOut = false;
				item.json.failed = failUrl;
				item.json.reason = failUrl ? failureReason(item.json.data) : null;
				return [[item]];
			},
		});
	}
}

/**
 * n8n 2.x checked its resume token before calling webhook(): nothing to do. n8n 1.x has none:
 * the call must carry, as `signature`, the secret a Generate Callback URL node targeting this
 * wait node put into this execution's URLs (read from its output in the run data), or be a call
 * forwarded by this node's own stable URL (`forwarded`: signed with its n8n API key, bound to
 * this execution, workflow, node and webhook, 60 s; checked by checkResumeCall). Fails closed.
 */
async function hasValidUrlSecret(ctx: IWebhookFunctions, forwarded: boolean): Promise<boolean> {
	if (hasN8nResumeToken(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string)) return true;
	if (forwarded) return true;
	const given = givenSignature(ctx.getQueryData() as Record<string, unknown>);
	let matched = false;
	// every candidate is compared (no early exit), each in constant time
	for (const secret of generatedSecrets(ctx)) matched = urlSecretMatches(given, secret) || matched;
	return matched;
}

/**
 * On timeout n8n passes the waiting node's input items through unchanged (neither execute()
 * nor webhook() runs). These are the items of the execution stack entry that n8n persists with
 * the waiting execution, so marking them here is what a timed-out continuation carries.
 */
function markForTimeout(items: INodeExecutionData[]) {
	for (let i = 0; i < items.length; i++) {
		items[i] = { ...items[i], json: { ...items[i].json, timedOut: true } };
	}
}

/** The caller's reason on a fail URL: `reason`, `message` or `error` of the data, if any. */
function failureReason(data: unknown): string | null {
	if (data && typeof data === 'object' && !Array.isArray(data)) {
		const d = data as Record<string, unknown>;
		for (const key of ['reason', 'message', 'error']) {
			if (typeof d[key] === 'string' && d[key]) return d[key] as string;
		}
	}
	return null;
}
