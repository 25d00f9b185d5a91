/** Compact JWS parsing (strict base64url, JSON objects) and the registered claims. */
import { invalidCredential } from '../../pipeline/errors';
import type { JwtOptions } from './verify';

const MAX_TOKEN_LENGTH = 64 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface ParsedToken {
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
	signingInput: Buffer;
	signature: Buffer;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasOwn(obj: object, key: string): boolean {
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

export function parseToken(token: unknown): ParsedToken {
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

function numericClaim(payload: Record<string, unknown>, name: string): number | undefined {
	if (!hasOwn(payload, name)) return undefined;
	const value = payload[name];
	if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidCredential(`invalid ${name} claim`);
	return value;
}

/** One value or a list, as the options give them: the non-empty strings. */
export function listOf(value: string | string[] | undefined): string[] {
	const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
	return values.filter((v) => typeof v === 'string' && v.length > 0);
}

/** A claim at a name or dot path ('realm_access.roles'); a claim whose own name is the whole path first. */
export function claimAt(claims: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
	if (hasOwn(claims, path)) return { found: true, value: claims[path] };
	let value: unknown = claims;
	for (const segment of path.split('.')) {
		if (!isPlainObject(value) || !hasOwn(value, segment)) return { found: false };
		value = value[segment];
	}
	return { found: true, value };
}

/** A claim equals an expected text: a string, number or boolean by its text; an array when one element does. */
function claimEquals(value: unknown, expected: string): boolean {
	const scalar = (v: unknown) =>
		(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) && String(v) === expected;
	return Array.isArray(value) ? value.some(scalar) : scalar(value);
}

/**
 * The registered claims (RFC 7519 §4.1) and the required ones. Options are already checked
 * (verify.ts): with `anyAudience` off there is at least one audience.
 */
export function checkClaims(payload: Record<string, unknown>, options: JwtOptions, nowMs: number, defaultIssuer?: string): void {
	const leeway =
		typeof options.leewaySeconds === 'number' && Number.isFinite(options.leewaySeconds) && options.leewaySeconds > 0
			? options.leewaySeconds
			: 0;
	const now = nowMs / 1000;

	const exp = numericClaim(payload, 'exp');
	const nbf = numericClaim(payload, 'nbf');
	const iat = numericClaim(payload, 'iat');
	// RFC 8725 §3.10 / RFC 7519 §4.1.4: a token without an expiry is valid forever; refused
	// unless the credential turns the requirement off.
	if (exp === undefined && options.requireExp !== false) throw invalidCredential('token has no expiry (exp)');
	if (exp !== undefined && !(exp > now - leeway)) throw invalidCredential('token expired');
	if (nbf !== undefined && !(nbf <= now + leeway)) throw invalidCredential('token not yet valid');
	if (iat !== undefined && !(iat <= now + leeway)) throw invalidCredential('token issued in the future');

	const issuers = listOf(options.issuer);
	if (issuers.length === 0 && defaultIssuer !== undefined) issuers.push(defaultIssuer);
	if (issuers.length > 0 && !(typeof payload.iss === 'string' && issuers.includes(payload.iss))) {
		throw invalidCredential('wrong issuer');
	}
	if (!options.anyAudience) {
		// RFC 7519 §4.1.3: the token must name us; a string aud or an array of strings.
		const audiences = listOf(options.audience);
		const aud = payload.aud;
		const ok =
			typeof aud === 'string'
				? audiences.includes(aud)
				: Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audiences.includes(a));
		if (!ok) throw invalidCredential('wrong audience');
	}
	for (const required of options.requiredClaims ?? []) {
		const claim = claimAt(payload, required.name);
		const ok = claim.found && claim.value !== null && (required.value === undefined || claimEquals(claim.value, required.value));
		// The claim's name is the credential's, not the caller's: safe to say which one.
		if (!ok) throw invalidCredential(`required claim ${required.name} missing or wrong`);
	}
}

/**
 * Roles at a dot path of the claims ('realm_access.roles'); colons are part of a key
 * ('cognito:groups'). A claim whose own name is the whole path (namespaced claims such as
 * 'https://example.com/roles') is used first. Array → its strings; string → split on whitespace.
 */
export function extractRoles(claims: Record<string, unknown>, path: string): string[] {
	const { value } = claimAt(claims, path);
	if (Array.isArray(value)) return value.filter((r): r is string => typeof r === 'string' && r.length > 0);
	if (typeof value === 'string') return value.split(/\s+/).filter((r) => r.length > 0);
	return [];
}
