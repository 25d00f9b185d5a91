/**
 * A copy of n8n-workflow's `webhookDescriptionFields` (n8n 2.x, `webhook-description-fields`),
 * kept here because the n8n 1.x line (1.123) that this package also supports does not export
 * it: importing it would break the nodes there. Drop the copy with 1.x support and import
 * n8n's own (`webhookDescriptionFields`, `WebhookDescriptionField`, `WEBHOOK_RESOLVERS`).
 *
 * A webhook-description field that n8n can resolve without its expression engine: the
 * expression (what the editor and n8n 1.x evaluate) plus the same logic as a function of the
 * node's parameters. n8n 2.x reads such resolvers under this symbol, and uses one only when the
 * field still holds exactly that expression and the node's parameters hold no expressions;
 * otherwise it evaluates the expression. That saves a sandboxed evaluation per field on every
 * call (measured: the largest part of n8n's per-call cost for a webhook node). The unit tests
 * (test/unit/pipeline/nativeFields.test.ts) check that each pair agrees, as n8n's own parity
 * test does for its Webhook node.
 */
export const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

/** n8n's `WebhookDescriptionField`: the template and its native resolver. */
export interface WebhookDescriptionField {
	template: string;
	resolve: (parameters: Record<string, unknown>) => unknown;
}

/** Spreads into a webhook description: each field's expression plus its resolvers. */
export function webhookDescriptionFields<F extends Record<string, WebhookDescriptionField>>(fields: F): { [K in keyof F]: string } {
	const out: Record<string | symbol, unknown> = {};
	for (const [name, field] of Object.entries(fields)) out[name] = field.template;
	out[WEBHOOK_RESOLVERS] = fields;
	return out as { [K in keyof F]: string };
}

/**
 * n8n evaluates these on the webhook description: it owns the status code and sends the
 * immediate reply only after the resume was accepted (a lost race never gets a false 200).
 */
export const RESPONSE_FIELD_DEFINITIONS: Record<'responseMode' | 'responseCode' | 'responseData', WebhookDescriptionField> = {
	responseMode: {
		template:
			'={{ $parameter["respond"] === "lastNode" ? "lastNode" : ($parameter["respond"] === "responseNode" ? "responseNode" : "onReceived") }}',
		resolve: (p) => (p.respond === 'lastNode' ? 'lastNode' : p.respond === 'responseNode' ? 'responseNode' : 'onReceived'),
	},
	responseCode: {
		template:
			'={{ $parameter["respond"] === "custom" ? Number($parameter["responseCode"] ?? 200) : ($parameter["respond"] === "redirect" ? Number($parameter["redirectStatus"] ?? 302) : 200) }}',
		resolve: (p) =>
			p.respond === 'custom' ? Number(p.responseCode ?? 200) : p.respond === 'redirect' ? Number(p.redirectStatus ?? 302) : 200,
	},
	responseData: {
		template: '={{ $parameter["respond"] === "lastNode" ? "firstEntryJson" : "" }}',
		resolve: (p) => (p.respond === 'lastNode' ? 'firstEntryJson' : ''),
	},
};

/** The reply fields of every callback webhook description (resume URLs and the trigger). */
export const RESPONSE_FIELDS = webhookDescriptionFields(RESPONSE_FIELD_DEFINITIONS);
