import { invalidCredential, unauthenticated } from '../pipeline/errors';
import { type AuthRequest, headerValue } from './types';

/** Where a caller's token is read from. */
export type TokenSource = 'bearer' | 'header' | 'query';

/**
 * Reads the caller's token. `bearer`: `Authorization: Bearer <token>`; `header`: the named
 * header (e.g. `user-token`); `query`: the named query parameter (given once).
 */
export function extractToken(req: AuthRequest, source: TokenSource, name = ''): string {
	let token: string | undefined;
	if (source === 'bearer') {
		const auth = headerValue(req.headers, 'authorization') ?? '';
		const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
		token = match?.[1];
	} else if (source === 'header') {
		token = headerValue(req.headers, name || 'user-token');
	} else {
		const value = req.query[name || 'token'];
		if (Array.isArray(value)) throw invalidCredential('the token parameter is given more than once');
		token = typeof value === 'string' ? value : undefined;
	}
	token = token?.trim();
	if (!token) throw unauthenticated(source === 'bearer' ? 'bearer token' : `token (${name || source})`);
	return token;
}

/** Reads a value at a dot path (`realm_access.roles`); keys may contain ':' (`cognito:groups`). */
export function atPath(value: unknown, path: string): unknown {
	let current: unknown = value;
	for (const key of path.split('.').filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/** Roles from a claim or field: an array of strings, or a space-separated string. */
export function rolesFrom(value: unknown): string[] {
	if (Array.isArray(value)) return value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
	if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
	return [];
}
