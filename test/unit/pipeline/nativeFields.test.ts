import { ExternalCallbackTrigger } from '../../../nodes/ExternalCallbackTrigger/ExternalCallbackTrigger.node';
import { ExternalCallbackWait } from '../../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import {
	RESPONSE_FIELD_DEFINITIONS,
	WEBHOOK_RESOLVERS,
	type WebhookDescriptionField as NativeField,
} from '../../../nodes/callback/descriptions/webhookFields';

/** What n8n's engine computes for a `={{ … }}` template with only `$parameter` in scope. */
function evaluate(template: string, parameters: Record<string, unknown>): unknown {
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(template)?.[1];
	if (body === undefined) throw new Error(`not a template: ${template}`);
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- evaluates the template as n8n's engine would; test only
	return new Function('$parameter', `return (${body});`)(parameters);
}

const PARAMETER_SETS: Array<Record<string, unknown>> = [
	{},
	{ respond: 'default' },
	{ respond: 'custom' },
	{ respond: 'custom', responseCode: 201 },
	{ respond: 'custom', responseCode: '202' },
	{ respond: 'redirect' },
	{ respond: 'redirect', redirectStatus: 303 },
	{ respond: 'lastNode' },
	{ respond: 'responseNode' },
	{ stableUrl: true },
	{ stableUrl: false },
	{ stableUrl: true, respond: 'custom', responseCode: 404 },
];

function resolverFields(description: object): Array<[string, NativeField, string]> {
	const resolvers = (description as Record<symbol, Record<string, NativeField> | undefined>)[WEBHOOK_RESOLVERS] ?? {};
	return Object.entries(resolvers).map(([name, field]) => [name, field, (description as Record<string, string>)[name]]);
}

test.each(Object.entries(RESPONSE_FIELD_DEFINITIONS))('%s: the native resolver agrees with the expression', (_name, field) => {
	for (const p of PARAMETER_SETS) expect(field.resolve(p)).toEqual(evaluate(field.template, p));
});

test.each([
	['External Callback Wait', new ExternalCallbackWait().getNodeType(1).description.webhooks!],
	['External Callback Trigger', new ExternalCallbackTrigger().description.webhooks!],
])('%s: every declared resolver matches its field and agrees with it', (_node, webhooks) => {
	let declared = 0;
	for (const hook of webhooks) {
		for (const [name, field, value] of resolverFields(hook)) {
			declared++;
			// n8n uses a resolver only while the field holds exactly its template
			expect(value).toBe(field.template);
			for (const p of PARAMETER_SETS) expect(field.resolve(p)).toEqual(evaluate(field.template, p));
			expect(name).toMatch(/^(httpMethod|responseMode|responseCode|responseData)$/);
		}
	}
	expect(declared).toBeGreaterThanOrEqual(3);
});

test('the wait node: one restart description per path, every method in one comma-separated list', () => {
	const wait = new ExternalCallbackWait().getNodeType(1).description.webhooks!;
	const restart = wait.filter((w) => w.restartWebhook);
	expect(restart.map((w) => [w.name, w.path, w.httpMethod])).toEqual([
		['default', '={{ $nodeId }}', 'GET,POST,PUT,PATCH,DELETE'],
		['fail', '={{ $nodeId + "-fail" }}', 'GET,POST,PUT,PATCH,DELETE'],
	]);
	// the stable URL: GET and POST, each listed on its own in the editor, only while it is on
	const stable = wait.filter((w) => !w.restartWebhook);
	expect(stable.map((w) => [w.name, w.path, w.httpMethod])).toEqual([
		['stable', 'callback', '={{ $parameter["stableUrl"] ? "GET" : "" }}'],
		['stable', 'callback', '={{ $parameter["stableUrl"] ? "POST" : "" }}'],
	]);
	// the trigger keeps one per method: the editor lists each URL with its method
	const trigger = new ExternalCallbackTrigger().description.webhooks!;
	expect(trigger.map((w) => w.httpMethod)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
});

test('the wait node version 2: every field n8n reads before the node runs is static, so no call makes n8n evaluate an expression for them', () => {
	const wait = new ExternalCallbackWait().getNodeType(2).description.webhooks!;
	expect(wait.map((w) => [w.name, w.path, w.httpMethod, w.restartWebhook ?? false])).toEqual([
		['default', '', 'GET,POST,PUT,PATCH,DELETE', true],
		['fail', 'fail', 'GET,POST,PUT,PATCH,DELETE', true],
		['stable', 'callback', 'GET', false],
		['stable', 'callback', 'POST', false],
	]);
	// read for every call by n8n (webhook.service.js getNodeWebhooks): path, isFullPath, restartWebhook, httpMethod
	for (const hook of wait) {
		for (const field of ['path', 'isFullPath', 'restartWebhook', 'httpMethod'] as const) {
			expect(String(hook[field] ?? '')).not.toMatch(/^=/);
		}
	}
	// the stable URL's reply mode is static too; the resume URLs' follow the Respond option (with resolvers)
	expect(wait.filter((w) => !w.restartWebhook).every((w) => w.responseMode === 'onReceived')).toBe(true);
	// the version class carries its version; both share the parameters
	expect(new ExternalCallbackWait().getNodeType(2).description.version).toBe(2);
	expect(new ExternalCallbackWait().getNodeType(2).description.properties).toBe(new ExternalCallbackWait().getNodeType(1).description.properties);
	expect(new ExternalCallbackWait().description.defaultVersion).toBe(2);
});
