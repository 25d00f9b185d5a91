/**
 * OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): an issuer URL →
 * `<issuer>/.well-known/openid-configuration` → its `jwks_uri`, whose keys verify the tokens.
 *
 * Like the JWKS cache (jwks.ts), this per-process cache holds only public data (the issuer and
 * the JWKS URL), is at most 10 minutes old, and correctness never depends on it: a process
 * without it fetches the document again. An unknown `kid` refetches the JWKS and, when that does
 * not find it either, the document (at most every 30 s per issuer): a provider that moved its
 * JWKS is followed. An unreachable provider is an outage (503, 1050), never "not authenticated".
 */
import type * as crypto from 'node:crypto';

import { internalError, providerUnavailable } from '../../pipeline/errors';
import type { HttpFetch } from '../types';
import type { JwtAlgorithm } from './algorithms';
import { fetchProviderDocument, lookupJwksKey, selectionFailure, singleFlight } from './jwks';
import { isPlainObject } from './token';

const DISCOVERY_TIMEOUT_MS = 5000;
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const DISCOVERY_REFETCH_INTERVAL_MS = 30 * 1000;
const WELL_KNOWN = '/.well-known/openid-configuration';
const WHAT = 'OpenID Connect discovery';

export interface DiscoveryDocument {
	/** The provider's issuer, exactly as its document spells it (the tokens' `iss`). */
	issuer: string;
	jwksUri: string;
}

interface DiscoveryEntry {
	doc?: DiscoveryDocument;
	fetchedAt: number;
	lastAttemptAt: number;
}

const discoveryCache = new Map<string, DiscoveryEntry>();
const discoveryInFlight = new Map<string, Promise<DiscoveryEntry>>();

/** Forget every cached discovery document (for tests). */
export function clearDiscoveryCache(): void {
	discoveryCache.clear();
	discoveryInFlight.clear();
}

const withoutTrailingSlashes = (url: string) => url.replace(/\/+$/, '');

/** The issuer the user configured, whether typed with or without the well-known suffix. */
export function issuerOf(issuerUrl: string): string {
	const trimmed = withoutTrailingSlashes(issuerUrl.trim());
	return trimmed.endsWith(WELL_KNOWN) ? trimmed.slice(0, -WELL_KNOWN.length) : trimmed;
}

/** Where the discovery document of an issuer is (§4: the issuer, its trailing slash removed, + the suffix). */
export function discoveryDocumentUrl(issuerUrl: string): string {
	return `${issuerOf(issuerUrl)}${WELL_KNOWN}`;
}

const isHttpUrl = (value: string): boolean => {
	try {
		const url = new URL(value);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
};

/**
 * The document's issuer and jwks_uri, or undefined when it is not a discovery document of this
 * issuer (§4.3: the issuer in the document must be the one it was fetched for; trailing slashes
 * aside, since users type issuers either way).
 */
export function parseDiscoveryDocument(body: unknown, issuerUrl: string): DiscoveryDocument | undefined {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (!isPlainObject(value)) return undefined;
	const { issuer, jwks_uri: jwksUri } = value;
	if (typeof issuer !== 'string' || typeof jwksUri !== 'string' || !isHttpUrl(jwksUri)) return undefined;
	if (withoutTrailingSlashes(issuer) !== issuerOf(issuerUrl)) return undefined;
	return { issuer, jwksUri };
}

async function fetchDiscovery(issuerUrl: string, fetch: HttpFetch, now: number): Promise<DiscoveryEntry> {
	const previous = discoveryCache.get(issuerUrl);
	const entry: DiscoveryEntry = { doc: previous?.doc, fetchedAt: previous?.fetchedAt ?? 0, lastAttemptAt: now };
	discoveryCache.set(issuerUrl, entry);
	const body = await fetchProviderDocument(fetch, discoveryDocumentUrl(issuerUrl), 'application/json', DISCOVERY_TIMEOUT_MS, WHAT);
	const doc = parseDiscoveryDocument(body, issuerUrl);
	if (!doc) throw providerUnavailable(WHAT);
	entry.doc = doc;
	entry.fetchedAt = now;
	return entry;
}

/** One fetch per issuer at a time: concurrent verifications share it. */
function refreshDiscovery(issuerUrl: string, fetch: HttpFetch, now: number): Promise<DiscoveryEntry> {
	return singleFlight(discoveryInFlight, issuerUrl, () => fetchDiscovery(issuerUrl, fetch, now));
}

/** The issuer's document: cached up to 10 minutes. Throws 503 (1050) when it cannot be fetched. */
export async function discover(issuerUrl: string, fetch: HttpFetch, now: () => number): Promise<DiscoveryDocument> {
	let entry = discoveryCache.get(issuerUrl);
	const t = now();
	if (!entry?.doc || t - entry.fetchedAt >= DISCOVERY_TTL_MS || t < entry.fetchedAt) {
		entry = await refreshDiscovery(issuerUrl, fetch, t);
	}
	return entry.doc as DiscoveryDocument;
}

/** The key for (alg, kid) of the discovered issuer, and that issuer (what `iss` must be by default). */
export async function resolveDiscoveredKey(
	issuerUrl: string,
	alg: JwtAlgorithm,
	kid: string | undefined,
	fetch: HttpFetch | undefined,
	now: () => number,
): Promise<{ key: crypto.KeyObject; issuer: string }> {
	if (!fetch) throw internalError(); // wiring error: discovery without an HTTP client
	let doc = await discover(issuerUrl, fetch, now);
	let selection = await lookupJwksKey(doc.jwksUri, alg, kid, fetch, now);
	if ('failure' in selection && selection.failure === 'unknown') {
		// The JWKS (refetched already when allowed) does not have it: the provider may have moved
		// its keys to another jwks_uri. Ask the document again, at most every 30 s.
		const entry = discoveryCache.get(issuerUrl);
		const t = now();
		const last = entry?.lastAttemptAt ?? 0;
		if (t - last >= DISCOVERY_REFETCH_INTERVAL_MS || t < last) {
			const fresh = (await refreshDiscovery(issuerUrl, fetch, t)).doc as DiscoveryDocument;
			if (fresh.jwksUri !== doc.jwksUri) selection = await lookupJwksKey(fresh.jwksUri, alg, kid, fetch, now);
			doc = fresh;
		}
	}
	if ('key' in selection) return { key: selection.key, issuer: doc.issuer };
	throw selectionFailure(selection.failure);
}
