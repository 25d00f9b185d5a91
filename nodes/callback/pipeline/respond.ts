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

/**
 * Answers a call the node answers itself (ignored, refused by policy, or the stable URL's
 * reply): the status, the headers (a reply plan's), never cached, a content type for a body.
 */
export function sendReply(res: ResponseLike, status: number, body: string, headers: Record<string, string> = {}): void {
	if (res.headersSent) return;
	res.status(status);
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.setHeader('cache-control', 'no-store');
	if (body && !headers['content-type']) {
		res.setHeader('content-type', body.trim().startsWith('{') || body.trim().startsWith('[') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
	}
	res.end(body);
}

/** Answers a refused call with its documented status and JSON body. */
export function sendError(res: ResponseLike, error: CallbackError): void {
	if (res.headersSent) return;
	res.status(error.status);
	res.setHeader('cache-control', 'no-store');
	if (error.retryAfterS !== undefined) res.setHeader('retry-after', String(error.retryAfterS));
	res.json(error.toBody());
}
