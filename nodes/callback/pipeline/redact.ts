/**
 * What never leaves the request: headers and query parameters that carry credentials.
 * Used to build the node output (`headers`, `query`, GET `data`).
 */
import { INTERNAL_HEADERS } from '../constants';

/** Query parameters that only address the target (never payload). */
export const TARGETING_QUERY_PARAMS = ['execution', 'executionId'] as const;

const SECRET_HEADERS = new Set([
	'authorization',
	'proxy-authorization',
	'cookie',
	'set-cookie',
	'user-token',
	'x-n8n-api-key',
	'x-api-key',
	'api-key',
	'apikey',
	'x-auth-token',
	'x-access-token',
	'x-csrf-token',
	'stripe-signature',
	'x-hub-signature',
	'x-hub-signature-256',
	'x-shopify-hmac-sha256',
	'x-slack-signature',
	'webhook-signature',
	'svix-signature',
	// this package's own headers between the stable URL and the resume URL (forward.ts)
	...INTERNAL_HEADERS,
]);

/** Words that mark a header or query name as a secret wherever they stand in it. */
const SECRET_WORDS =
	/(token|secret|signature|password|passwd|api[-_]?key|credential|authoriz|authentic|(^|[-_])auth([-_]|$))/i;

export function isSecretHeader(name: string): boolean {
	const lower = name.toLowerCase();
	return SECRET_HEADERS.has(lower) || SECRET_WORDS.test(lower);
}

/** `signature` (n8n's resume token) and other credential-like names, plus the configured ones. */
export function isSecretQueryParam(name: string, extra: readonly string[] = []): boolean {
	const lower = name.toLowerCase();
	if (extra.some((e) => e.toLowerCase() === lower)) return true;
	return SECRET_WORDS.test(lower);
}

/**
 * Sets an own property, whatever its name: a plain assignment of `__proto__` (a caller's
 * `?__proto__=a&__proto__=b`) would replace the object's prototype and lose the value.
 */
function setOwn<T>(out: Record<string, T>, name: string, value: T): void {
	Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Headers without secrets: the known ones, credential-like names, and the configured `extra` ones. */
export function redactHeaders(
	headers: Record<string, string | string[] | undefined>,
	extra: readonly string[] = [],
): Record<string, string | string[]> {
	const configured = new Set(extra.map((e) => e.toLowerCase()));
	const out: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined || isSecretHeader(name) || configured.has(name.toLowerCase())) continue;
		setOwn(out, name.toLowerCase(), value);
	}
	return out;
}

/** Query without secrets (and, when `dropTargeting`, without `execution`/`executionId`). */
export function redactQuery(
	query: Record<string, unknown>,
	options: { dropTargeting: boolean; extraSecretParams?: readonly string[] },
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(query ?? {})) {
		if (isSecretQueryParam(name, options.extraSecretParams)) continue;
		if (options.dropTargeting && (TARGETING_QUERY_PARAMS as readonly string[]).includes(name)) continue;
		setOwn(out, name, value);
	}
	return out;
}
