import { CALLBACK_METHODS, FAIL_PATH_SUFFIX, FAIL_PATH_V2, NODE_QUERY_PARAM, hasStaticWebhooks } from '../constants';
import { SetupError } from './setupError';

/**
 * The resume (or fail) URL of one wait node, from n8n's `$execution.resumeUrl`
 * (`<base>/webhook-waiting/<executionId>?signature=<token>` on n8n 2.x):
 * - version 1: the wait node's id (plus `-fail`) as path suffix, the node's restart-webhook path;
 * - version 2: no suffix (`fail` for the fail URL) and the node's id as `?node=`, which the node
 *   checks (n8n routes a resume to the node the execution waits at, whatever the path).
 */
export function buildResumeUrl(executionResumeUrl: string, waitNodeId: string, typeVersion = 1, fail = false): string {
	const url = new URL(executionResumeUrl);
	const base = url.pathname.replace(/\/+$/, '');
	if (hasStaticWebhooks(typeVersion)) {
		url.pathname = fail ? `${base}/${FAIL_PATH_V2}` : base;
		url.searchParams.set(NODE_QUERY_PARAM, waitNodeId);
	} else {
		url.pathname = `${base}/${encodeURIComponent(fail ? `${waitNodeId}${FAIL_PATH_SUFFIX}` : waitNodeId)}`;
	}
	return url.toString();
}

/** Path form: the resume URL of the wait node, its fail URL (failed: true) and their methods. */
export function pathUrlFields(
	executionResumeUrl: string,
	waitNodeId: string,
	typeVersion = 1,
): { callbackUrl: string; failUrl: string; methods: string[] } {
	return {
		callbackUrl: buildResumeUrl(executionResumeUrl, waitNodeId, typeVersion),
		// Resumes the same wait with failed: true and the caller's reason.
		failUrl: buildResumeUrl(executionResumeUrl, waitNodeId, typeVersion, true),
		methods: [...CALLBACK_METHODS],
	};
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

const BASE_URL_HINT = 'Set "Base URL Override" to the public origin and path prefix of n8n, e.g. https://hooks.example.com/n8n, or leave it empty';
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|[a-z0-9-]+\.localhost)$/i;

/** Checks a base URL override: https, or http for loopback/dev hosts only; no query or hash. */
export function validateBaseUrl(base: string): URL {
	const url = URL.canParse(base.trim()) ? new URL(base.trim()) : undefined;
	if (!url) throw new SetupError(`Base URL "${base}" is not a URL`, BASE_URL_HINT);
	if (url.search || url.hash || url.username || url.password) {
		throw new SetupError('Base URL must not have a query, fragment or credentials', BASE_URL_HINT);
	}
	if (url.protocol === 'https:') return url;
	if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url;
	throw new SetupError('Base URL must start with https:// (http:// only for localhost/loopback)', BASE_URL_HINT);
}

/** Sets one query parameter on a URL (the API key of a wait node that reads it from the query). */
export function withQueryParam(url: string, name: string, value: string): string {
	const out = new URL(url);
	out.searchParams.set(name, value);
	return out.toString();
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
