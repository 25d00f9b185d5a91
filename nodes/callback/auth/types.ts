/**
 * Contracts of the authentication stage. Verifiers are pure (or take their I/O as a function),
 * so they are unit-tested without n8n; `nodes/callback/auth/guard.ts` wires them into the pipeline.
 */

/** The parts of the call a verifier may look at. Headers are lower-case and NOT redacted. */
export interface AuthRequest {
	method: string;
	headers: Record<string, string | string[] | undefined>;
	query: Record<string, unknown>;
	/** The exact body bytes as received (signatures are computed over these, never re-serialised). */
	rawBody?: Buffer;
	/** The public URL the caller called (signatures over `{url}`: Twilio, templates), when known. */
	url?: string;
}

/** Who called: `user` goes to the node output as `user`, `roles` as `roles`. */
export interface Identity {
	user: Record<string, unknown>;
	roles: string[];
}

export interface HttpResponse {
	status: number;
	/** Parsed JSON when the reply was JSON, otherwise the text. */
	body: unknown;
}

/**
 * Outbound HTTP for verifiers (JWKS, introspection, lookups). Rejects only when the provider
 * cannot be reached (network error, timeout); any HTTP status resolves.
 */
export type HttpFetch = (request: {
	url: string;
	method: 'GET' | 'POST';
	headers?: Record<string, string>;
	body?: string;
	timeoutMs: number;
}) => Promise<HttpResponse>;

/** First value of a header (Node joins nothing for us: arrays happen for repeated headers). */
export function headerValue(headers: AuthRequest['headers'], name: string): string | undefined {
	const v = headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}
