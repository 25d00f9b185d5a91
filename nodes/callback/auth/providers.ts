import { invalidCredential, providerUnavailable } from '../pipeline/errors';
import { atPath, extractToken, rolesFrom, type TokenSource } from './token';
import type { AuthRequest, HttpFetch, HttpResponse, Identity } from './types';

const TIMEOUT_MS = 5000;

/** Calls a provider; unreachable or 5xx is an outage (503), never "not authenticated". */
async function call(fetch: HttpFetch, what: string, request: Parameters<HttpFetch>[0]): Promise<HttpResponse> {
	let response: HttpResponse;
	try {
		response = await fetch(request);
	} catch {
		throw providerUnavailable(what);
	}
	if (response.status >= 500) throw providerUnavailable(what);
	return response;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---- Backendless user token -----------------------------------------------------------------

export interface BackendlessOptions {
	/** `https://xxxx.backendless.app/api` or `https://api.backendless.com/<APP_ID>/<REST_API_KEY>` */
	baseUrl: string;
	/** Optional: a URL (e.g. a Backendless API service) that returns the user object for the token. */
	userLookupUrl?: string;
}

/**
 * Backendless: the `user-token` header is valid when `GET {base}/users/isvalidusertoken/{token}`
 * answers `true`; roles from `GET {base}/users/userroles` with the token.
 */
export async function verifyBackendless(req: AuthRequest, options: BackendlessOptions, fetch: HttpFetch): Promise<Identity> {
	const token = extractToken(req, 'header', 'user-token');
	const base = options.baseUrl.replace(/\/+$/, '');
	const valid = await call(fetch, 'Backendless', {
		url: `${base}/users/isvalidusertoken/${encodeURIComponent(token)}`,
		method: 'GET',
		headers: { accept: 'application/json' },
		timeoutMs: TIMEOUT_MS,
	});
	if (valid.status !== 200 || (valid.body !== true && valid.body !== 'true')) {
		throw invalidCredential('invalid or expired user token');
	}
	const rolesRes = await call(fetch, 'Backendless', {
		url: `${base}/users/userroles`,
		method: 'GET',
		headers: { 'user-token': token, accept: 'application/json' },
		timeoutMs: TIMEOUT_MS,
	});
	if (rolesRes.status !== 200) throw invalidCredential('invalid or expired user token');
	const roles = rolesFrom(rolesRes.body);
	let user: Record<string, unknown> = { userRoles: roles };
	if (options.userLookupUrl) {
		const lookup = await call(fetch, 'Backendless user lookup', {
			url: options.userLookupUrl,
			method: 'GET',
			headers: { 'user-token': token, accept: 'application/json' },
			timeoutMs: TIMEOUT_MS,
		});
		if (lookup.status < 200 || lookup.status >= 300 || !isObject(lookup.body)) {
			throw invalidCredential('the user lookup did not return a user');
		}
		user = { ...lookup.body, userRoles: roles };
		delete user['user-token'];
	}
	return { user, roles };
}

// ---- OAuth 2.0 token introspection (RFC 7662) -----------------------------------------------

export interface IntrospectionOptions {
	endpoint: string;
	clientAuth: 'basic' | 'bearer';
	clientId?: string;
	clientSecret?: string;
	bearerToken?: string;
	tokenSource: TokenSource;
	tokenName?: string;
	/** Dot path of the roles in the introspection answer; default `scope`. */
	rolesPath?: string;
}

/** The token is valid when the introspection endpoint answers `active: true`. */
export async function verifyIntrospection(req: AuthRequest, options: IntrospectionOptions, fetch: HttpFetch): Promise<Identity> {
	const token = extractToken(req, options.tokenSource, options.tokenName);
	const authorization =
		options.clientAuth === 'bearer'
			? `Bearer ${options.bearerToken ?? ''}`
			: `Basic ${Buffer.from(
					`${encodeURIComponent(options.clientId ?? '')}:${encodeURIComponent(options.clientSecret ?? '')}`,
				).toString('base64')}`;
	const res = await call(fetch, 'token introspection', {
		url: options.endpoint,
		method: 'POST',
		headers: {
			authorization,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'application/json',
		},
		body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
		timeoutMs: TIMEOUT_MS,
	});
	// RFC 7662 answers 200 for any token; anything else means our own client set-up is wrong.
	if (res.status !== 200 || !isObject(res.body)) throw providerUnavailable('token introspection');
	if (res.body.active !== true) throw invalidCredential('inactive or unknown token');
	const user = { ...res.body };
	return { user, roles: rolesFrom(atPath(user, options.rolesPath || 'scope')) };
}

// ---- User lookup endpoint --------------------------------------------------------------------

export interface UserLookupOptions {
	url: string;
	tokenSource: TokenSource;
	tokenName?: string;
	/** Header the token is sent in; default `authorization`. */
	sendHeader?: string;
	/** Put before the token in that header; default `Bearer ` for authorization, else nothing. */
	sendPrefix?: string;
	/** Dot path of the roles in the returned user; default `roles`. */
	rolesPath?: string;
}

/** A 2xx JSON answer is the user; any other 4xx means not authenticated. */
export async function verifyUserLookup(req: AuthRequest, options: UserLookupOptions, fetch: HttpFetch): Promise<Identity> {
	const token = extractToken(req, options.tokenSource, options.tokenName);
	const header = (options.sendHeader || 'authorization').toLowerCase();
	const prefix = options.sendPrefix ?? (header === 'authorization' ? 'Bearer ' : '');
	const res = await call(fetch, 'user lookup', {
		url: options.url,
		method: 'GET',
		headers: { [header]: `${prefix}${token}`, accept: 'application/json' },
		timeoutMs: TIMEOUT_MS,
	});
	if (res.status < 200 || res.status >= 300) throw invalidCredential('the user lookup rejected the token');
	if (!isObject(res.body)) throw providerUnavailable('user lookup (the answer is not a JSON object)');
	return { user: { ...res.body }, roles: rolesFrom(atPath(res.body, options.rolesPath || 'roles')) };
}
