import { CallbackError } from './errors';

/** How a node answers an accepted call. `lastNode` and `responseNode` are answered by n8n. */
export type RespondMode = 'default' | 'custom' | 'redirect' | 'lastNode' | 'responseNode';

export interface ResponseOptions {
	respond: RespondMode;
	responseCode?: number;
	responseBody?: string;
	responseHeaders?: Array<{ name: string; value: string }>;
	redirectUrl?: string;
	redirectStatus?: number;
}

/** What an immediate reply consists of. The status itself reaches n8n through the webhook description. */
export interface ResponsePlan {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/**
 * A webhook-description field that n8n can resolve without its expression engine: the
 * expression (what the editor and n8n 1.x evaluate) plus the same logic as a function of the
 * node's parameters. n8n 2.x reads such resolvers under this symbol, and uses one only when the
 * field still holds exactly that expression and the node's parameters hold no expressions;
 * otherwise it evaluates the expression. That saves a sandboxed evaluation per field on every
 * call (measured: the largest part of n8n's per-call cost for a webhook node). The unit tests
 * check that each pair agrees.
 */
export const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

export interface NativeField {
	template: string;
	resolve: (parameters: Record<string, unknown>) => unknown;
}

/** Spreads into a webhook description: each field's expression plus its resolvers. */
export function nativeFields<F extends Record<string, NativeField>>(fields: F): { [K in keyof F]: string } {
	const out: Record<string | symbol, unknown> = {};
	for (const [name, field] of Object.entries(fields)) out[name] = field.template;
	out[WEBHOOK_RESOLVERS] = fields;
	return out as { [K in keyof F]: string };
}

/**
 * n8n evaluates these on the webhook description: it owns the status code and sends the
 * immediate reply only after the resume was accepted (a lost race never gets a false 200).
 */
export const RESPONSE_FIELD_DEFINITIONS: Record<'responseMode' | 'responseCode' | 'responseData', NativeField> = {
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
export const RESPONSE_FIELDS = nativeFields(RESPONSE_FIELD_DEFINITIONS);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * The redirect target as the URL parser normalised it (this drops CR/LF and tabs, which must
 * never reach a header), or undefined when it is not an absolute http(s) URL.
 */
function normalisedRedirect(url: string): string | undefined {
	try {
		const parsed = new URL(url);
		return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
	} catch {
		return undefined;
	}
}

/** Builds the immediate reply for an accepted call (status, headers, body). */
export function planResponse(options: ResponseOptions): ResponsePlan {
	switch (options.respond) {
		case 'custom': {
			const headers: Record<string, string> = {};
			for (const { name, value } of options.responseHeaders ?? []) {
				const key = (name ?? '').trim();
				if (!key) continue;
				if (!HEADER_NAME.test(key) || FORBIDDEN_HEADERS.has(key.toLowerCase())) {
					throw new Error(`Response header name "${key}" is not allowed`);
				}
				headers[key.toLowerCase()] = String(value ?? '').replace(/[\r\n]/g, ' ');
			}
			const body = options.responseBody ?? '';
			if (body && !headers['content-type']) {
				headers['content-type'] = looksLikeJson(body)
					? 'application/json; charset=utf-8'
					: 'text/plain; charset=utf-8';
			}
			const status = Number(options.responseCode ?? 200);
			if (!Number.isInteger(status) || status < 200 || status > 599) {
				throw new Error(`Response code ${options.responseCode} is not a valid HTTP status`);
			}
			return { status, headers, body };
		}
		case 'redirect': {
			const location = normalisedRedirect((options.redirectUrl ?? '').trim());
			if (!location) throw new Error('Redirect URL must be an absolute http(s) URL');
			const status = options.redirectStatus === 303 ? 303 : 302;
			return { status, headers: { location }, body: '' };
		}
		default:
			return { status: 200, headers: {}, body: '' };
	}
}

function looksLikeJson(text: string): boolean {
	const t = text.trim();
	if (!(t.startsWith('{') || t.startsWith('['))) return false;
	try {
		JSON.parse(t);
		return true;
	} catch {
		return false;
	}
}

/** The minimal response surface the pipeline writes to (express's Response satisfies it). */
export interface ResponseLike {
	headersSent?: boolean;
	status(code: number): ResponseLike;
	setHeader(name: string, value: string): unknown;
	json(body: unknown): unknown;
	end(body?: string): unknown;
}

/** Answers a call that activates nothing (ignored by policy or condition). */
export function sendReply(res: ResponseLike, status: number, body: string): void {
	if (res.headersSent) return;
	res.status(status);
	res.setHeader('cache-control', 'no-store');
	if (body) {
		res.setHeader('content-type', body.trim().startsWith('{') || body.trim().startsWith('[') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
	}
	res.end(body);
}

/** Answers a refused call with its documented status and JSON body. */
export function sendError(res: ResponseLike, error: CallbackError): void {
	if (res.headersSent) return;
	res.status(error.status);
	res.setHeader('cache-control', 'no-store');
	res.json(error.toBody());
}
