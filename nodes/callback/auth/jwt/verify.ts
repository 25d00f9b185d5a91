/**
 * JWT (compact JWS) verification for the "JWT" authentication mode.
 *
 * Security rules, in the order they are applied:
 *  1. The token is three strict base64url parts; header and payload are JSON objects.
 *  2. `alg: none` (any case) is always refused; the alg must be one we implement AND be in the
 *     configured allowlist.
 *  3. Key confusion is impossible by construction: HS* only ever uses the secrets, RS/PS/ES/EdDSA
 *     only ever use `publicKey`, the JWKS or the discovered JWKS, and the asymmetric key's type (and
 *     curve) must match the alg.
 *     Header parameters that point at keys (`jwk`, `jku`, `x5u`, `x5c`) are ignored: keys only ever
 *     come from the configuration.
 *  4. The signature is checked before any claim is looked at; then exp (required unless turned
 *     off) / nbf / iat / iss / aud (required unless "any audience" is chosen) / required claims.
 *
 * Error messages are fixed reasons: they never contain the token, the secret or a key.
 */
import type * as crypto from 'node:crypto';

import { invalidCredential, jwtNoAudience } from '../../pipeline/errors';
import type { HttpFetch, Identity } from '../types';
import { ALG_SPECS, type JwtAlgorithm, isJwtAlgorithm } from './algorithms';
import { resolveDiscoveredKey } from './discovery';
import { resolveJwksKey } from './jwks';
import { keyMatchesAlg, looksLikePem, parsePublicKeyPem, verifyAsymmetric, verifyHmacAny } from './keys';
import { checkClaims, extractRoles, hasOwn, listOf, parseToken } from './token';

export { JWT_ALGORITHMS, type JwtAlgorithm } from './algorithms';
export { clearJwksCache } from './jwks';
export { clearDiscoveryCache } from './discovery';

export interface JwtOptions {
	/** Allowlist; the token's alg must be in it. */
	algorithms: JwtAlgorithm[];
	/** Shared secret for HS*. */
	secret?: string;
	/** Rotation: earlier shared secrets still accepted for HS* (the current one is `secret`). */
	previousSecrets?: string[];
	/** PEM (SPKI or certificate) for RS/PS/ES/EdDSA. Takes precedence over the JWKS / discovery. */
	publicKey?: string;
	/** Alternative to `publicKey`. */
	jwksUrl?: string;
	/** OpenID Connect issuer URL: its discovery document names the JWKS. After `jwksUrl`. */
	discoveryUrl?: string;
	/**
	 * When set, `iss` must equal one of them. Unset with discovery: `iss` must be the discovered
	 * issuer.
	 */
	issuer?: string | string[];
	/** `aud` (string or array) must contain one of them, unless `anyAudience`. */
	audience?: string | string[];
	/** Accept a token whatever its `aud` (RFC 8725 §3.9 advises against it). Default false. */
	anyAudience?: boolean;
	/** A token without `exp` is refused unless this is false. Default true. */
	requireExp?: boolean;
	/** Claims (name or dot path) that must be present, and equal `value` when it is given. */
	requiredClaims?: Array<{ name: string; value?: string }>;
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


/**
 * Verify a compact JWS and return the identity: `user` = the claims, `roles` = from `rolesClaim`.
 * Throws a CallbackError: 401/1002 for any invalid token, 503/1050 when the JWKS or the discovery
 * document is unreachable, 500/1008 when the options require an audience but name none.
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
	// A set-up that refuses every token says so (500, 1008) rather than blame each caller.
	if (!options.anyAudience && listOf(options.audience).length === 0) throw jwtNoAudience();

	let valid: boolean;
	let discoveredIssuer: string | undefined;
	if (spec.family === 'HS') {
		// HMAC only with the configured secrets — never with a public key.
		const secrets = listOf([options.secret ?? '', ...(options.previousSecrets ?? [])]);
		if (secrets.length === 0 || !options.secret || secrets.some(looksLikePem)) {
			throw invalidCredential('algorithm not allowed');
		}
		valid = verifyHmacAny(spec, secrets, parsed.signingInput, parsed.signature);
	} else {
		// Asymmetric only with the configured public key or JWKS — never with the secret.
		let key: crypto.KeyObject;
		if (options.publicKey) {
			key = parsePublicKeyPem(options.publicKey);
			if (!keyMatchesAlg(key, spec)) throw invalidCredential('algorithm not allowed');
		} else if (options.jwksUrl) {
			const kid = typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined;
			key = await resolveJwksKey(options.jwksUrl, alg, kid, deps.fetch, now);
		} else if (options.discoveryUrl) {
			const kid = typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined;
			({ key, issuer: discoveredIssuer } = await resolveDiscoveredKey(options.discoveryUrl, alg, kid, deps.fetch, now));
		} else {
			throw invalidCredential('algorithm not allowed');
		}
		valid = verifyAsymmetric(spec, key, parsed.signingInput, parsed.signature);
	}
	if (!valid) throw invalidCredential('signature invalid');

	checkClaims(parsed.payload, options, now(), discoveredIssuer);

	const rolesClaim = options.rolesClaim || 'roles';
	return { user: parsed.payload, roles: extractRoles(parsed.payload, rolesClaim) };
}
