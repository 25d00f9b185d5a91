/**
 * Static API keys, in a header (e.g. `x-api-key`) or a query parameter (e.g. `api_key`).
 *
 * The presented key is compared in constant time against EVERY configured key (no early exit),
 * both sides hashed with SHA-256 first so the compared buffers always have the same length.
 * The identity names the matching key by its position (`key#1` is the first configured key),
 * never by its value. Empty configured keys are ignored; with none left every call is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import { invalidCredential, unauthenticated } from '../pipeline/errors';
import type { AuthRequest, Identity } from './types';

export interface ApiKeyOptions {
	keys: string[];
	location: 'header' | 'query';
	/** Header name (case-insensitive) or query parameter name (exact), e.g. 'x-api-key' / 'api_key'. */
	name: string;
}

/** Verifies the call's API key; throws a CallbackError (401) when it is missing or not valid. */
export function verifyApiKey(req: AuthRequest, options: ApiKeyOptions): Identity {
	const presented = readPresentedKey(req, options);
	if (presented === undefined) throw unauthenticated('API key');

	const presentedHash = sha256(presented);
	let matchIndex = -1;
	const keys = Array.isArray(options.keys) ? options.keys : [];
	for (let i = 0; i < keys.length; i++) {
		const key = keys[i];
		if (typeof key !== 'string' || key.trim() === '') continue;
		const equal = timingSafeEqual(sha256(key), presentedHash);
		if (equal && matchIndex < 0) matchIndex = i;
	}
	if (matchIndex < 0) throw invalidCredential('invalid API key');
	return { user: { apiKey: `key#${matchIndex + 1}` }, roles: [] };
}

function sha256(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

/** The presented key, or undefined when there is none. Ambiguous values are refused. */
function readPresentedKey(req: AuthRequest, options: ApiKeyOptions): string | undefined {
	const name = typeof options.name === 'string' ? options.name.trim() : '';
	if (!name) throw new Error('API key verification: no header or query parameter name is configured');

	let value: unknown;
	if (options.location === 'header') {
		value = req.headers?.[name.toLowerCase()];
		if (Array.isArray(value)) {
			const present = value.filter((v) => typeof v === 'string' && v !== '');
			if (present.length > 1) throw invalidCredential('the API key is given more than once');
			value = present[0];
		}
	} else if (options.location === 'query') {
		value = req.query?.[name];
		if (Array.isArray(value)) throw invalidCredential('the API key is given more than once');
	} else {
		throw new Error(`API key verification: unknown location "${String(options.location)}"`);
	}

	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') throw invalidCredential('malformed API key');
	return value;
}
