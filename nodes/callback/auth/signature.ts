/**
 * Webhook signature verification (Stripe, GitHub, Shopify, Slack, Standard Webhooks, generic HMAC).
 *
 * Every HMAC is computed over the exact body bytes as received (`req.rawBody`), never over a
 * re-serialised body; a call without a raw body is verified as an empty body. Signatures are
 * decoded strictly (hex / base64) and compared as bytes with `timingSafeEqual` after an
 * equal-length check. Refusals never carry the signature, the secret or the body.
 *
 * Missing signature (or timestamp) header → 401 / 1001; anything present but not valid
 * (malformed, truncated, wrong secret, stale timestamp) → 401 / 1002. A Standard Webhooks secret is
 * decoded leniently, as its reference libraries do (unpadded, spare bits ignored). A configuration
 * mistake (empty secret, `whsec_` secret that cannot be base64, generic scheme without a header
 * name) throws a plain Error, which the pipeline answers as a generic 500 (details to n8n's log, without secrets).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { invalidCredential, unauthenticated } from '../pipeline/errors';
import type { AuthRequest, Identity } from './types';

export type SignatureScheme = 'stripe' | 'github' | 'shopify' | 'slack' | 'standardWebhooks' | 'hmac';

export interface SignatureOptions {
	scheme: SignatureScheme;
	/** Standard Webhooks: 'whsec_<base64>' (the base64 part is the key); others: the secret as UTF-8. */
	secret: string;
	/** stripe / slack / standardWebhooks timestamp tolerance in seconds, default 300. */
	toleranceSeconds?: number;
	/** Generic 'hmac' only: the header carrying the signature, e.g. 'x-signature'. */
	header?: string;
	/** Generic 'hmac' only, default sha256. */
	algorithm?: 'sha1' | 'sha256' | 'sha512';
	/** Generic 'hmac' only, default hex. */
	encoding?: 'hex' | 'base64';
	/** Generic 'hmac' only: e.g. 'sha256=', stripped before comparing (required when set). */
	prefix?: string;
}

const DEFAULT_TOLERANCE_SECONDS = 300;
const ALGORITHMS = new Set(['sha1', 'sha256', 'sha512']);
const ENCODINGS = new Set(['hex', 'base64']);
const SCHEMES = new Set<SignatureScheme>(['stripe', 'github', 'shopify', 'slack', 'standardWebhooks', 'hmac']);

type Algorithm = NonNullable<SignatureOptions['algorithm']>;
type Encoding = NonNullable<SignatureOptions['encoding']>;

/** Verifies the call's signature; throws a CallbackError (401) when it is missing or not valid. */
export function verifySignature(req: AuthRequest, options: SignatureOptions, nowMs?: number): Identity {
	const scheme = options?.scheme;
	if (!SCHEMES.has(scheme)) throw new Error(`Signature verification: unknown scheme "${String(scheme)}"`);
	const body = req.rawBody ?? Buffer.alloc(0);
	const now = nowMs ?? Date.now();
	switch (scheme) {
		case 'stripe':
			return verifyStripe(req, options, body, now);
		case 'github':
			return verifyGithub(req, options, body);
		case 'shopify':
			return verifyShopify(req, options, body);
		case 'slack':
			return verifySlack(req, options, body, now);
		case 'standardWebhooks':
			return verifyStandardWebhooks(req, options, body, now);
		case 'hmac':
			return verifyGenericHmac(req, options, body);
	}
}

// ---------------------------------------------------------------------------------------------
// Schemes

function verifyStripe(req: AuthRequest, options: SignatureOptions, body: Buffer, nowMs: number): Identity {
	const key = utf8Secret(options);
	const header = readHeader(req, 'stripe-signature');
	if (header === undefined) throw unauthenticated('signature');

	let timestampText: string | undefined;
	const candidates: string[] = [];
	for (const part of header.split(',')) {
		const item = part.trim();
		if (!item) continue;
		const eq = item.indexOf('=');
		if (eq <= 0) throw invalidCredential('malformed signature header');
		const name = item.slice(0, eq);
		const value = item.slice(eq + 1);
		if (name === 't') {
			if (timestampText !== undefined) throw invalidCredential('malformed signature header');
			timestampText = value;
		} else if (name === 'v1') {
			candidates.push(value);
		}
		// v0 and unknown schemes are ignored (Stripe's own libraries do the same).
	}
	if (timestampText === undefined) throw invalidCredential('malformed signature header');
	if (candidates.length === 0) throw invalidCredential('no v1 signature');

	const timestamp = parseTimestamp(timestampText);
	checkTolerance(timestamp, options, nowMs);
	const expected = hmac('sha256', key, [`${timestampText}.`, body]);
	requireAnyMatch(expected, candidates.map((c) => decodeHex(c)));
	return identity('stripe', { timestamp });
}

function verifyGithub(req: AuthRequest, options: SignatureOptions, body: Buffer): Identity {
	const key = utf8Secret(options);
	const header = readHeader(req, 'x-hub-signature-256');
	if (header === undefined) throw unauthenticated('signature');
	if (!header.startsWith('sha256=')) throw invalidCredential('malformed signature');
	const expected = hmac('sha256', key, [body]);
	requireAnyMatch(expected, [decodeHex(header.slice('sha256='.length))]);
	return identity('github');
}

function verifyShopify(req: AuthRequest, options: SignatureOptions, body: Buffer): Identity {
	const key = utf8Secret(options);
	const header = readHeader(req, 'x-shopify-hmac-sha256');
	if (header === undefined) throw unauthenticated('signature');
	const expected = hmac('sha256', key, [body]);
	requireAnyMatch(expected, [decodeBase64(header)]);
	return identity('shopify');
}

function verifySlack(req: AuthRequest, options: SignatureOptions, body: Buffer, nowMs: number): Identity {
	const key = utf8Secret(options);
	const signature = readHeader(req, 'x-slack-signature');
	const timestampText = readHeader(req, 'x-slack-request-timestamp');
	if (signature === undefined || timestampText === undefined) throw unauthenticated('signature');
	if (!signature.startsWith('v0=')) throw invalidCredential('malformed signature');

	const timestamp = parseTimestamp(timestampText);
	checkTolerance(timestamp, options, nowMs);
	const expected = hmac('sha256', key, [`v0:${timestampText}:`, body]);
	requireAnyMatch(expected, [decodeHex(signature.slice('v0='.length))]);
	return identity('slack', { timestamp });
}

function verifyStandardWebhooks(
	req: AuthRequest,
	options: SignatureOptions,
	body: Buffer,
	nowMs: number,
): Identity {
	const key = standardWebhooksKey(options);
	const id = readHeader(req, 'webhook-id');
	const timestampText = readHeader(req, 'webhook-timestamp');
	const signatures = readHeader(req, 'webhook-signature');
	if (id === undefined || timestampText === undefined || signatures === undefined) {
		throw unauthenticated('signature');
	}

	const candidates: string[] = [];
	for (const entry of signatures.split(/\s+/)) {
		if (!entry) continue;
		const comma = entry.indexOf(',');
		if (comma <= 0) throw invalidCredential('malformed signature header');
		// Other versions (e.g. asymmetric 'v1a') are not ours to check: they are ignored.
		if (entry.slice(0, comma) === 'v1') candidates.push(entry.slice(comma + 1));
	}
	if (candidates.length === 0) throw invalidCredential('no v1 signature');

	const timestamp = parseTimestamp(timestampText);
	checkTolerance(timestamp, options, nowMs);
	const expected = hmac('sha256', key, [`${id}.${timestampText}.`, body]);
	requireAnyMatch(expected, candidates.map((c) => decodeBase64(c)));
	return identity('standardWebhooks', { webhookId: id, timestamp });
}

function verifyGenericHmac(req: AuthRequest, options: SignatureOptions, body: Buffer): Identity {
	const key = utf8Secret(options);
	const headerName = typeof options.header === 'string' ? options.header.trim().toLowerCase() : '';
	if (!headerName) throw new Error('Signature verification: no signature header is configured');
	const algorithm: Algorithm = options.algorithm ?? 'sha256';
	if (!ALGORITHMS.has(algorithm)) throw new Error(`Signature verification: unsupported algorithm "${algorithm}"`);
	const encoding: Encoding = options.encoding ?? 'hex';
	if (!ENCODINGS.has(encoding)) throw new Error(`Signature verification: unsupported encoding "${encoding}"`);
	const prefix = options.prefix ?? '';

	let value = readHeader(req, headerName);
	if (value === undefined) throw unauthenticated('signature');
	if (prefix) {
		if (!value.startsWith(prefix)) throw invalidCredential('malformed signature');
		value = value.slice(prefix.length);
	}
	const expected = hmac(algorithm, key, [body]);
	requireAnyMatch(expected, [encoding === 'hex' ? decodeHex(value) : decodeBase64(value)]);
	return identity('hmac');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function identity(scheme: SignatureScheme, extra: Record<string, unknown> = {}): Identity {
	return { user: { signatureScheme: scheme, ...extra }, roles: [] };
}

/**
 * A header's trimmed value; undefined when absent or empty. The same header given several
 * times is ambiguous and refused.
 */
function readHeader(req: AuthRequest, name: string): string | undefined {
	const raw = req.headers?.[name];
	let value: string | undefined;
	if (Array.isArray(raw)) {
		const present = raw.filter((v) => typeof v === 'string' && v.trim() !== '');
		if (present.length > 1) throw invalidCredential(`the ${name} header is given more than once`);
		value = present[0];
	} else if (typeof raw === 'string') {
		value = raw;
	}
	const trimmed = value?.trim();
	return trimmed ? trimmed : undefined;
}

function utf8Secret(options: SignatureOptions): Buffer {
	if (typeof options.secret !== 'string' || options.secret === '') {
		throw new Error('Signature verification: the secret is empty');
	}
	return Buffer.from(options.secret, 'utf8');
}

/**
 * 'whsec_<base64>' (the prefix is optional), decoded as the Standard Webhooks reference libraries
 * decode it: padding is optional and the spare bits of the last character are ignored (the spec
 * repository's own test `test_signature_verification_with_unpadded_secret` signs with
 * `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS`). Only what cannot be base64 is refused, with the reason.
 */
function standardWebhooksKey(options: SignatureOptions): Buffer {
	const secret = typeof options.secret === 'string' ? options.secret.trim() : '';
	const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
	const problem = standardWebhooksSecretProblem(encoded);
	if (problem) throw new Error(`Signature verification: the Standard Webhooks secret must be whsec_ followed by base64; ${problem}`);
	return Buffer.from(encoded.replace(/=+$/, ''), 'base64');
}

/** Why `encoded` (the part after whsec_) is not a usable key, or undefined when it is; never quotes it. */
function standardWebhooksSecretProblem(encoded: string): string | undefined {
	const data = encoded.replace(/=+$/, '');
	if (!data) return encoded ? 'it is only = padding' : 'nothing follows whsec_ (the secret is empty)';
	if (encoded.length - data.length > 2) return 'it ends in more than two = padding characters';
	if (/\s/.test(data)) return 'it contains whitespace (copy the secret without line breaks or spaces)';
	if (data.includes('=')) return 'it has = padding in the middle (only its end may be padded)';
	if (/^[A-Za-z0-9+/_-]+$/.test(data) && /[-_]/.test(data)) return "it contains '-' or '_' (URL-safe base64); the secret is standard base64 (+ and /)";
	if (!BASE64.test(data)) return 'it contains characters that are not base64 (only A-Z, a-z, 0-9, + and / are)';
	if (data.length % 4 === 1) {
		return `its ${data.length} base64 characters cannot be whole bytes (one character too many or missing: was it cut off?)`;
	}
	return undefined;
}

function hmac(algorithm: Algorithm, key: Buffer, parts: Array<string | Buffer>): Buffer {
	const mac = createHmac(algorithm, key);
	for (const part of parts) {
		if (typeof part === 'string') mac.update(part, 'utf8');
		else mac.update(part);
	}
	return mac.digest();
}

/**
 * Accepts when any candidate equals the expected MAC. Every candidate is compared (no early
 * exit); undecodable candidates count as non-matching.
 */
function requireAnyMatch(expected: Buffer, candidates: Array<Buffer | undefined>): void {
	let matched = false;
	let decodable = false;
	for (const candidate of candidates) {
		if (!candidate) continue;
		decodable = true;
		const equal = candidate.length === expected.length && timingSafeEqual(candidate, expected);
		matched = matched || equal;
	}
	if (matched) return;
	throw invalidCredential(decodable ? 'signature mismatch' : 'malformed signature');
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+$/;

function decodeHex(value: string): Buffer | undefined {
	if (!value || value.length % 2 !== 0 || !HEX.test(value)) return undefined;
	return Buffer.from(value, 'hex');
}

/** Strict standard base64, padded or not; non-canonical encodings are refused. */
function decodeBase64(value: string): Buffer | undefined {
	const unpadded = value.replace(/={1,2}$/, '');
	if (!unpadded || !BASE64.test(unpadded)) return undefined;
	if (unpadded.length % 4 === 1) return undefined;
	if (unpadded !== value && value.length % 4 !== 0) return undefined;
	const bytes = Buffer.from(unpadded, 'base64');
	if (bytes.toString('base64').replace(/=+$/, '') !== unpadded) return undefined;
	return bytes;
}

/** Unix seconds, digits only. */
function parseTimestamp(text: string): number {
	if (!/^\d{1,12}$/.test(text)) throw invalidCredential('malformed timestamp');
	return Number(text);
}

function checkTolerance(timestamp: number, options: SignatureOptions, nowMs: number): void {
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
		throw new Error('Signature verification: the timestamp tolerance must be a number of seconds >= 0');
	}
	if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
		throw new Error('Signature verification: the current time is not a number');
	}
	const nowSeconds = Math.floor(nowMs / 1000);
	if (Math.abs(nowSeconds - timestamp) > tolerance) throw invalidCredential('timestamp outside tolerance');
}
