/**
 * JWKS: fetched keys for RS/PS/ES/EdDSA tokens, chosen by kid and algorithm.
 *
 * This cache only holds PUBLIC keys (never secrets or tokens) and lives per process: several n8n
 * processes (main + workers, queue mode) each keep their own copy and each fetch the JWKS on
 * their own, which is safe — the worst case is one extra fetch per process.
 */
import type * as crypto from 'node:crypto';
import { createPublicKey } from 'node:crypto';

import { internalError, invalidCredential, providerUnavailable } from '../../pipeline/errors';
import type { HttpFetch, HttpResponse } from '../types';
import { ALG_SPECS, jwkAlgAllows, type JwtAlgorithm } from './algorithms';
import { keyMatchesAlg } from './keys';
import { isPlainObject } from './token';

const JWKS_TIMEOUT_MS = 5000;
const JWKS_TTL_MS = 10 * 60 * 1000;
const JWKS_REFETCH_INTERVAL_MS = 30 * 1000;

interface JwksKey {
	kid?: string;
	alg?: string;
	key: crypto.KeyObject;
}

interface JwksEntry {
	/** Keys of the last successful fetch (undefined until one succeeded). */
	keys?: JwksKey[];
	/** When `keys` were fetched (ms). */
	fetchedAt: number;
	/** When a fetch was last started, successful or not (ms): rate-limits refetches. */
	lastAttemptAt: number;
}

const jwksCache = new Map<string, JwksEntry>();
const jwksInFlight = new Map<string, Promise<JwksEntry>>();

/** Forget every cached JWKS (for tests). */
export function clearJwksCache(): void {
	jwksCache.clear();
	jwksInFlight.clear();
}

function parseJwksBody(body: unknown): JwksKey[] | undefined {
	let value = body;
	if (typeof value === 'string') {
		// e.g. `application/jwk-set+json` answered as text.
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (!isPlainObject(value) || !Array.isArray(value.keys)) return undefined;
	const keys: JwksKey[] = [];
	for (const jwk of value.keys) {
		if (!isPlainObject(jwk) || typeof jwk.kty !== 'string' || jwk.kty === 'oct') continue;
		if (jwk.use !== undefined && jwk.use !== 'sig') continue;
		if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) continue;
		let key: crypto.KeyObject;
		try {
			key = createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
		} catch {
			continue; // a key we cannot use (unknown kty/curve, bad numbers): skip it, keep the others
		}
		if (key.type !== 'public') continue;
		keys.push({
			kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
			alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
			key,
		});
	}
	return keys;
}

async function fetchJwks(url: string, fetch: HttpFetch, now: number): Promise<JwksEntry> {
	const previous = jwksCache.get(url);
	const entry: JwksEntry = {
		keys: previous?.keys,
		fetchedAt: previous?.fetchedAt ?? 0,
		lastAttemptAt: now,
	};
	jwksCache.set(url, entry);
	const keys = parseJwksBody(await fetchProviderDocument(fetch, url, 'application/jwk-set+json, application/json', JWKS_TIMEOUT_MS, 'JWKS'));
	if (!keys) throw providerUnavailable('JWKS');
	entry.keys = keys;
	entry.fetchedAt = now;
	return entry;
}

/** One fetch per URL at a time: concurrent verifications share it. */
function refreshJwks(url: string, fetch: HttpFetch, now: number): Promise<JwksEntry> {
	return singleFlight(jwksInFlight, url, () => fetchJwks(url, fetch, now));
}

/**
 * An identity provider's public document (a JWKS, an OpenID Connect discovery document): the body
 * of a 200, or 503 (1050, `what` unavailable) for anything else, an unreachable host included.
 */
export async function fetchProviderDocument(fetch: HttpFetch, url: string, accept: string, timeoutMs: number, what: string): Promise<unknown> {
	let response: HttpResponse;
	try {
		response = await fetch({ url, method: 'GET', headers: { accept }, timeoutMs });
	} catch {
		throw providerUnavailable(what);
	}
	if (!response || response.status !== 200) throw providerUnavailable(what);
	return response.body;
}

/** The running `start()` for `key` when there is one, else a new one, forgotten once it settles. */
export function singleFlight<T>(inFlight: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
	const running = inFlight.get(key);
	if (running) return running;
	const promise = start().finally(() => {
		if (inFlight.get(key) === promise) inFlight.delete(key);
	});
	inFlight.set(key, promise);
	return promise;
}

export type Selection =
	| { key: crypto.KeyObject }
	| { failure: 'unknown' | 'incompatible' | 'ambiguous' };

function selectKey(keys: JwksKey[], alg: JwtAlgorithm, kid: string | undefined): Selection {
	const spec = ALG_SPECS[alg];
	const compatible = (k: JwksKey) => jwkAlgAllows(k.alg, alg) && keyMatchesAlg(k.key, spec);
	if (kid !== undefined) {
		const withKid = keys.filter((k) => k.kid === kid);
		if (withKid.length === 0) return { failure: 'unknown' };
		const usable = withKid.find(compatible);
		return usable ? { key: usable.key } : { failure: 'incompatible' };
	}
	const usable = keys.filter(compatible);
	if (usable.length === 0) return { failure: 'unknown' };
	if (usable.length > 1) return { failure: 'ambiguous' };
	return { key: usable[0].key };
}

/**
 * The key for (alg, kid) from the JWKS at `url`, or why there is none. Fetches when nothing is
 * cached or the cache is older than 10 minutes; refetches on an unknown kid at most every 30 s.
 * Throws 503 (1050) when the JWKS cannot be fetched.
 */
export async function lookupJwksKey(
	url: string,
	alg: JwtAlgorithm,
	kid: string | undefined,
	fetch: HttpFetch | undefined,
	now: () => number,
): Promise<Selection> {
	if (!fetch) throw internalError(); // wiring error: a JWKS URL without an HTTP client
	let entry = jwksCache.get(url);
	const t = now();
	if (!entry?.keys || t - entry.fetchedAt >= JWKS_TTL_MS || t < entry.fetchedAt) {
		entry = await refreshJwks(url, fetch, t);
	}
	let selection = selectKey(entry.keys ?? [], alg, kid);
	if ('failure' in selection && selection.failure === 'unknown') {
		// Possibly a rotated key: refetch, but at most once per 30 s per URL (an attacker sending
		// random kids must not turn us into a JWKS hammer).
		const t2 = now();
		const last = entry.lastAttemptAt;
		if (t2 - last >= JWKS_REFETCH_INTERVAL_MS || t2 < last) {
			entry = await refreshJwks(url, fetch, t2);
			selection = selectKey(entry.keys ?? [], alg, kid);
		}
	}
	return selection;
}

/** The refusal (401, 1002) for a key that is not there. */
export function selectionFailure(failure: 'unknown' | 'incompatible' | 'ambiguous'): Error {
	switch (failure) {
		case 'incompatible':
			return invalidCredential('algorithm not allowed');
		case 'ambiguous':
			return invalidCredential('key id (kid) required');
		default:
			return invalidCredential('unknown key id');
	}
}

export async function resolveJwksKey(
	url: string,
	alg: JwtAlgorithm,
	kid: string | undefined,
	fetch: HttpFetch | undefined,
	now: () => number,
): Promise<crypto.KeyObject> {
	const selection = await lookupJwksKey(url, alg, kid, fetch, now);
	if ('key' in selection) return selection.key;
	throw selectionFailure(selection.failure);
}
