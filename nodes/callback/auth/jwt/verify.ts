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
import type * as crypto from 'node:crypto';

import { invalidCredential } from '../../pipeline/errors';
import type { HttpFetch, Identity } from '../types';
import { ALG_SPECS, type JwtAlgorithm, isJwtAlgorithm } from './algorithms';
import { resolveJwksKey } from './jwks';
import { keyMatchesAlg, looksLikePem, parsePublicKeyPem, verifyAsymmetric, verifyHmac } from './keys';
import { checkClaims, extractRoles, hasOwn, parseToken } from './token';

export { JWT_ALGORITHMS, type JwtAlgorithm } from './algorithms';
export { clearJwksCache } from './jwks';

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
			key = await resolveJwksKey(options.jwksUrl, alg, kid, deps.fetch, now);
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
