/**
 * JWT (compact JWS) verification for the "JWT" authentication mode.
 *
 * Security rules, in the order they are applied:
 *  1. The token is three strict base64url parts; header and payload are JSON objects.
 *  2. `alg: none` (any case) is always refused; the alg must be one we implement AND be in the
 *     configured allowlist.
 *  3. Key confusion is impossible by construction: HS* only ever uses `secret`, RS/PS/ES/EdDSA only
 *     ever use `publicKey` or the JWKS, and the asymmetric key's type (and curve) must match the alg.
 *     Header parameters that point at keys (`jwk`, `jku`, `x5u`, `x5c`) are ignored: keys only ever
 *     come from the configuration.
 *  4. The signature is checked before any claim is looked at; then exp / nbf / iat / iss / aud.
 *
 * Error messages are fixed reasons: they never contain the token, the secret or a key.
 */
import * as crypto from 'node:crypto';

import { internalError, invalidCredential, providerUnavailable } from '../pipeline/errors';
import type { HttpFetch, HttpResponse, Identity } from './types';

export const JWT_ALGORITHMS = [
	'HS256',
	'HS384',
	'HS512',
	'RS256',
	'RS384',
	'RS512',
	'PS256',
	'ES256',
	'ES384',
	'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtOptions {
	/** Allowlist; the token's alg must be in it. */
	algorithms: JwtAlgorithm[];
	/** Shared secret for HS*. */
	secret?: string;
	/** PEM (SPKI or certificate) for RS/PS/ES/EdDSA. Takes precedence over `jwksUrl` when both are set. */
	publicKey?: string;
	/** Alternative to `publicKey`. */
	jwksUrl?: string;
	/** When set, `iss` must equal it. */
	issuer?: string;
	/** When set, `aud` (string or array) must contain it. */
	audience?: string;
	/** Default 0; applies to exp, nbf and iat-in-the-future. */
	leewaySeconds?: number;
	/**
	 * Dot path, default 'roles'; the value may be an array or a space-separated string, e.g.
	 * 'realm_access.roles', 'cognito:groups' (dots split paths, colons do not).
	 */
	rolesClaim?: string;
}

export interface JwtDeps {
	fetch?: HttpFetch;
	/** Milliseconds since the epoch. */
	now?: () => number;
}

const MAX_TOKEN_LENGTH = 64 * 1024;
const MIN_RSA_BITS = 2048;
const JWKS_TIMEOUT_MS = 5000;
const JWKS_TTL_MS = 10 * 60 * 1000;
const JWKS_REFETCH_INTERVAL_MS = 30 * 1000;

type Family = 'HS' | 'RS' | 'PS' | 'ES' | 'EdDSA';

interface AlgSpec {
	family: Family;
	/** Digest for HMAC / RSA / ECDSA; null for EdDSA. */
	hash: 'sha256' | 'sha384' | 'sha512' | null;
	/** Node's name of the required curve (ES only). */
	curve?: string;
	/** Length of an IEEE P1363 ECDSA signature (ES only). */
	signatureLength?: number;
}

const ALG_SPECS: Record<JwtAlgorithm, AlgSpec> = {
	HS256: { family: 'HS', hash: 'sha256' },
	HS384: { family: 'HS', hash: 'sha384' },
	HS512: { family: 'HS', hash: 'sha512' },
	RS256: { family: 'RS', hash: 'sha256' },
	RS384: { family: 'RS', hash: 'sha384' },
	RS512: { family: 'RS', hash: 'sha512' },
	PS256: { family: 'PS', hash: 'sha256' },
	ES256: { family: 'ES', hash: 'sha256', curve: 'prime256v1', signatureLength: 64 },
	ES384: { family: 'ES', hash: 'sha384', curve: 'secp384r1', signatureLength: 96 },
	EdDSA: { family: 'EdDSA', hash: null },
};

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/* ------------------------------------------------------------------------------------------------
 * Parsing
 * ---------------------------------------------------------------------------------------------- */

interface ParsedToken {
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
	signingInput: Buffer;
	signature: Buffer;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(obj: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Strict base64url: only the URL alphabet, no padding, canonical (re-encodes to itself). */
function decodeBase64Url(part: string): Buffer | undefined {
	if (!BASE64URL.test(part) || part.length % 4 === 1) return undefined;
	const bytes = Buffer.from(part, 'base64url');
	return bytes.toString('base64url') === part ? bytes : undefined;
}

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
	if (part.length === 0) return undefined;
	const bytes = decodeBase64Url(part);
	if (!bytes) return undefined;
	let value: unknown;
	try {
		value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
	} catch {
		return undefined;
	}
	return isPlainObject(value) ? value : undefined;
}

function parseToken(token: unknown): ParsedToken {
	const malformed = () => invalidCredential('malformed token');
	if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw malformed();
	const parts = token.split('.');
	if (parts.length !== 3) throw malformed();
	const [headerPart, payloadPart, signaturePart] = parts;
	const header = decodeJsonObject(headerPart);
	const payload = decodeJsonObject(payloadPart);
	const signature = decodeBase64Url(signaturePart);
	if (!header || !payload || !signature) throw malformed();
	if (typeof header.alg !== 'string') throw malformed();
	if (hasOwn(header, 'kid') && typeof header.kid !== 'string') throw malformed();
	return {
		header,
		payload,
		signingInput: Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'),
		signature,
	};
}

/* ------------------------------------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------------------------------- */

/** Does this public key have the type (and curve / size) the algorithm requires? */
function keyMatchesAlg(key: crypto.KeyObject, spec: AlgSpec): boolean {
	if (key.type !== 'public') return false;
	const type = key.asymmetricKeyType;
	const details = key.asymmetricKeyDetails ?? {};
	switch (spec.family) {
		case 'RS':
			return type === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
		case 'PS':
			return (type === 'rsa' || type === 'rsa-pss') && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
		case 'ES':
			return type === 'ec' && details.namedCurve === spec.curve;
		case 'EdDSA':
			return type === 'ed25519';
		default:
			return false;
	}
}

/** A secret that is really a PEM public key or certificate is refused for HMAC (key confusion). */
function looksLikePem(secret: string): boolean {
	return /-----BEGIN [A-Z0-9 ]+-----/.test(secret);
}

function parsePublicKeyPem(pem: string): crypto.KeyObject {
	try {
		return crypto.createPublicKey(pem);
	} catch {
		// A configuration problem, not the caller's: answer 500 without echoing the key.
		throw internalError();
	}
}

/* ------------------------------------------------------------------------------------------------
 * JWKS
 *
 * This cache only holds PUBLIC keys (never secrets or tokens) and lives per process: several n8n
 * processes (main + workers, queue mode) each keep their own copy and each fetch the JWKS on
 * their own, which is safe — the worst case is one extra fetch per process.
 * ---------------------------------------------------------------------------------------------- */

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
			key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
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
	let response: HttpResponse;
	try {
		response = await fetch({
			url,
			method: 'GET',
			headers: { accept: 'application/jwk-set+json, application/json' },
			timeoutMs: JWKS_TIMEOUT_MS,
		});
	} catch {
		throw providerUnavailable('JWKS');
	}
	if (!response || response.status !== 200) throw providerUnavailable('JWKS');
	const keys = parseJwksBody(response.body);
	if (!keys) throw providerUnavailable('JWKS');
	entry.keys = keys;
	entry.fetchedAt = now;
	return entry;
}

/** One fetch per URL at a time: concurrent verifications share it. */
function refreshJwks(url: string, fetch: HttpFetch, now: number): Promise<JwksEntry> {
	const running = jwksInFlight.get(url);
	if (running) return running;
	const promise = fetchJwks(url, fetch, now).finally(() => {
		if (jwksInFlight.get(url) === promise) jwksInFlight.delete(url);
	});
	jwksInFlight.set(url, promise);
	return promise;
}

function jwkAlgMatches(jwkAlg: string | undefined, alg: JwtAlgorithm): boolean {
	if (jwkAlg === undefined) return true;
	return jwkAlg === alg || (alg === 'EdDSA' && jwkAlg === 'Ed25519');
}

type Selection =
	| { key: crypto.KeyObject }
	| { failure: 'unknown' | 'incompatible' | 'ambiguous' };

function selectKey(keys: JwksKey[], alg: JwtAlgorithm, kid: string | undefined): Selection {
	const spec = ALG_SPECS[alg];
	const compatible = (k: JwksKey) => jwkAlgMatches(k.alg, alg) && keyMatchesAlg(k.key, spec);
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

async function resolveJwksKey(
	url: string,
	alg: JwtAlgorithm,
	kid: string | undefined,
	deps: JwtDeps,
	now: () => number,
): Promise<crypto.KeyObject> {
	const fetch = deps.fetch;
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
	if ('key' in selection) return selection.key;
	switch (selection.failure) {
		case 'incompatible':
			throw invalidCredential('algorithm not allowed');
		case 'ambiguous':
			throw invalidCredential('key id (kid) required');
		default:
			throw invalidCredential('unknown key id');
	}
}

/* ------------------------------------------------------------------------------------------------
 * Signatures
 * ---------------------------------------------------------------------------------------------- */

function verifyHmac(spec: AlgSpec, secret: string, input: Buffer, signature: Buffer): boolean {
	const expected = crypto.createHmac(spec.hash as string, secret).update(input).digest();
	if (signature.length !== expected.length) return false;
	return crypto.timingSafeEqual(signature, expected);
}

function verifyAsymmetric(spec: AlgSpec, key: crypto.KeyObject, input: Buffer, signature: Buffer): boolean {
	try {
		switch (spec.family) {
			case 'RS':
				return crypto.verify(spec.hash, input, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
			case 'PS':
				return crypto.verify(
					spec.hash,
					input,
					{
						key,
						padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
						saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
					},
					signature,
				);
			case 'ES':
				if (signature.length !== spec.signatureLength) return false;
				return crypto.verify(spec.hash, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
			case 'EdDSA':
				return crypto.verify(null, input, key, signature);
			default:
				return false;
		}
	} catch {
		return false; // malformed signature bytes: simply not valid
	}
}

/* ------------------------------------------------------------------------------------------------
 * Claims and roles
 * ---------------------------------------------------------------------------------------------- */

function numericClaim(payload: Record<string, unknown>, name: string): number | undefined {
	if (!hasOwn(payload, name)) return undefined;
	const value = payload[name];
	if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidCredential(`invalid ${name} claim`);
	return value;
}

function checkClaims(payload: Record<string, unknown>, options: JwtOptions, nowMs: number): void {
	const leeway =
		typeof options.leewaySeconds === 'number' && Number.isFinite(options.leewaySeconds) && options.leewaySeconds > 0
			? options.leewaySeconds
			: 0;
	const now = nowMs / 1000;

	const exp = numericClaim(payload, 'exp');
	const nbf = numericClaim(payload, 'nbf');
	const iat = numericClaim(payload, 'iat');
	if (exp !== undefined && !(exp > now - leeway)) throw invalidCredential('token expired');
	if (nbf !== undefined && !(nbf <= now + leeway)) throw invalidCredential('token not yet valid');
	if (iat !== undefined && !(iat <= now + leeway)) throw invalidCredential('token issued in the future');

	if (options.issuer) {
		if (payload.iss !== options.issuer) throw invalidCredential('wrong issuer');
	}
	if (options.audience) {
		const aud = payload.aud;
		const ok =
			typeof aud === 'string'
				? aud === options.audience
				: Array.isArray(aud) && aud.some((a) => typeof a === 'string' && a === options.audience);
		if (!ok) throw invalidCredential('wrong audience');
	}
}

/**
 * Roles at a dot path of the claims ('realm_access.roles'); colons are part of a key
 * ('cognito:groups'). A claim whose own name is the whole path (namespaced claims such as
 * 'https://example.com/roles') is used first. Array → its strings; string → split on whitespace.
 */
function extractRoles(claims: Record<string, unknown>, path: string): string[] {
	let value: unknown;
	if (hasOwn(claims, path)) {
		value = claims[path];
	} else {
		value = claims;
		for (const segment of path.split('.')) {
			if (!isPlainObject(value) || !hasOwn(value, segment)) return [];
			value = value[segment];
		}
	}
	if (Array.isArray(value)) return value.filter((r): r is string => typeof r === 'string' && r.length > 0);
	if (typeof value === 'string') return value.split(/\s+/).filter((r) => r.length > 0);
	return [];
}

/* ------------------------------------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------------------------------- */

function isJwtAlgorithm(alg: string): alg is JwtAlgorithm {
	return (JWT_ALGORITHMS as readonly string[]).includes(alg);
}

/**
 * Verify a compact JWS and return the identity: `user` = the claims, `roles` = from `rolesClaim`.
 * Throws a CallbackError: 401/1002 for any invalid token, 503/1050 when the JWKS is unreachable.
 */
export async function verifyJwt(token: string, options: JwtOptions, deps: JwtDeps = {}): Promise<Identity> {
	const now = () => (deps.now ? deps.now() : Date.now());
	const parsed = parseToken(token);
	const alg = parsed.header.alg as string;

	// `none` is never accepted, whatever the configuration says.
	if (alg.toLowerCase() === 'none') throw invalidCredential('algorithm not allowed');
	const allowed = Array.isArray(options.algorithms) ? options.algorithms : [];
	if (!isJwtAlgorithm(alg) || !allowed.includes(alg)) throw invalidCredential('algorithm not allowed');
	const spec = ALG_SPECS[alg];
	// We implement no JWS extension, so any critical header parameter must be refused (RFC 7515 4.1.11).
	if (hasOwn(parsed.header, 'crit')) throw invalidCredential('unsupported critical header');

	let valid: boolean;
	if (spec.family === 'HS') {
		// HMAC only with the configured secret — never with a public key.
		const secret = options.secret;
		if (typeof secret !== 'string' || secret.length === 0 || looksLikePem(secret)) {
			throw invalidCredential('algorithm not allowed');
		}
		valid = verifyHmac(spec, secret, parsed.signingInput, parsed.signature);
	} else {
		// Asymmetric only with the configured public key or JWKS — never with the secret.
		let key: crypto.KeyObject;
		if (options.publicKey) {
			key = parsePublicKeyPem(options.publicKey);
			if (!keyMatchesAlg(key, spec)) throw invalidCredential('algorithm not allowed');
		} else if (options.jwksUrl) {
			const kid = typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined;
			key = await resolveJwksKey(options.jwksUrl, alg, kid, deps, now);
		} else {
			throw invalidCredential('algorithm not allowed');
		}
		valid = verifyAsymmetric(spec, key, parsed.signingInput, parsed.signature);
	}
	if (!valid) throw invalidCredential('signature invalid');

	checkClaims(parsed.payload, options, now());

	const rolesClaim = options.rolesClaim || 'roles';
	return { user: parsed.payload, roles: extractRoles(parsed.payload, rolesClaim) };
}
