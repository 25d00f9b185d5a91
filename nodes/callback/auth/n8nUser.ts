/**
 * Authentication "n8n User": the caller is signed in to this n8n. n8n checks the session cookie
 * (`validateCookieAuth`, through CallIO.n8nUser); n8n hands the webhook context no role (2.41.1
 * returns id, email and names; 1.123 returns nothing), so the user's global role is read from n8n's
 * public API (`GET /api/v1/users/<id>?includeRole=true`, an API key with scope user:read).
 */
import { n8nSignInRequired, n8nUserLookupFailed, n8nUserNotAllowed } from '../pipeline/errors';
import { headerValue, type AuthRequest, type HttpFetch, type HttpResponse, type Identity } from './types';

/** Who n8n says the session belongs to (on n8n 1.x only the id: n8n returns nothing there). */
export interface N8nSessionUser {
	id: string;
	email?: string;
	firstName?: string;
	lastName?: string;
}

/** The caller's validated n8n session, or undefined when there is none (or it is not valid). */
export type N8nSession = () => Promise<N8nSessionUser | undefined>;

export interface N8nUserOptions {
	/** n8n's base URL (the n8n User credential), without /api/v1. */
	baseUrl: string;
	apiKey: string;
	/** Lower-cased; empty: every signed-in user. */
	allowedEmails: string[];
}

/** `owner` and `global:owner` name the same role; n8n's slug is `global:<role>`. Case-insensitive. */
export function n8nRoleName(role: string): string {
	const r = role.trim().toLowerCase();
	return r.includes(':') ? r : `global:${r}`;
}

/** A browser opening the link (GET for an HTML page) is sent to n8n's sign-in and back, as n8n's Form node does. */
export function signInLocation(req: AuthRequest): string | undefined {
	if (req.method !== 'GET' || !req.url) return undefined;
	if (!/text\/html/i.test(headerValue(req.headers, 'accept') ?? '')) return undefined;
	return `/signin?redirect=${encodeURIComponent(req.url)}`;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export async function verifyN8nUser(
	req: AuthRequest,
	options: N8nUserOptions,
	session: N8nSession,
	fetch: HttpFetch,
): Promise<Identity> {
	const signedIn = await session();
	if (!signedIn?.id) throw n8nSignInRequired(signInLocation(req));
	let res: HttpResponse;
	try {
		res = await fetch({
			url: `${options.baseUrl.replace(/\/+$/, '')}/api/v1/users/${encodeURIComponent(signedIn.id)}?includeRole=true`,
			method: 'GET',
			headers: { 'X-N8N-API-KEY': options.apiKey, accept: 'application/json' },
			timeoutMs: 10_000,
		});
	} catch {
		throw n8nUserLookupFailed('the n8n API cannot be reached');
	}
	if (res.status === 401 || res.status === 403) throw n8nUserLookupFailed('the API key was refused; it needs the scope user:read');
	const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
	const role = text(body.role);
	if (res.status !== 200 || String(body.id) !== signedIn.id || !role) {
		throw n8nUserLookupFailed(`the n8n API answered ${res.status}`);
	}
	const user = {
		id: signedIn.id,
		email: text(body.email) || signedIn.email || '',
		firstName: text(body.firstName) || signedIn.firstName || '',
		lastName: text(body.lastName) || signedIn.lastName || '',
		role,
	};
	if (options.allowedEmails.length && !options.allowedEmails.includes(user.email.toLowerCase())) throw n8nUserNotAllowed();
	return { user, roles: [role] };
}
