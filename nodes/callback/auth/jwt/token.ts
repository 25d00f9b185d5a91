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

export function checkClaims(payload: Record<string, unknown>, options: JwtOptions, nowMs: number): void {
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
export function extractRoles(claims: Record<string, unknown>, path: string): string[] {
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
