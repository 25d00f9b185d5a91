/** Methods every External Callback Wait node accepts on its resume URL. */
export const CALLBACK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The resume URL of one wait node: n8n's `$execution.resumeUrl`
 * (`<base>/webhook-waiting/<executionId>?signature=<token>` on n8n 2.x) with the wait
 * node's id as path suffix, which is the restart-webhook path of that node.
 */
export function buildResumeUrl(executionResumeUrl: string, waitNodeId: string): string {
	const url = new URL(executionResumeUrl);
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(waitNodeId)}`;
	return url.toString();
}

/**
 * The stable URL of a wait node (`<base>/webhook/<webhookId>/callback`), on the same origin and
 * path prefix as n8n's resume URL (`<base>/webhook-waiting/<id>…`).
 */
export function buildStableUrl(executionResumeUrl: string, waitNodeWebhookId: string): string {
	const url = new URL(executionResumeUrl);
	const prefix = url.pathname.replace(/\/[^/]+\/[^/]+\/?$/, '');
	return `${url.origin}${prefix}/webhook/${encodeURIComponent(waitNodeWebhookId)}/callback`;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|[a-z0-9-]+\.localhost)$/i;

/** Checks a base URL override: https, or http for loopback/dev hosts only; no query or hash. */
export function validateBaseUrl(base: string): URL {
	const url = URL.canParse(base.trim()) ? new URL(base.trim()) : undefined;
	if (!url) throw new Error(`Base URL "${base}" is not a URL`);
	if (url.search || url.hash || url.username || url.password) throw new Error('Base URL must not have a query, fragment or credentials');
	if (url.protocol === 'https:') return url;
	if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url;
	throw new Error('Base URL must start with https:// (http:// only for localhost/loopback)');
}

/**
 * Replaces scheme, host and path prefix of a generated URL (everything before `/webhook…/`)
 * with a base URL, e.g. a reverse proxy or custom domain: `https://hooks.example.com/n8n`.
 */
export function applyBaseUrl(generated: string, base: string): string {
	const target = validateBaseUrl(base);
	const url = new URL(generated);
	const at = url.pathname.search(/\/webhook[^/]*\//);
	const rest = at >= 0 ? url.pathname.slice(at) : url.pathname;
	return `${target.origin}${target.pathname.replace(/\/+$/, '')}${rest}${url.search}`;
}
