/**
 * Webhook signature verification (Stripe, GitHub, Shopify, Slack, Standard Webhooks `v1` and
 * `v1a`, Zoom, Twilio, and a generic HMAC over a signing template).
 *
 * Every HMAC is computed over the exact body bytes as received (`req.rawBody`), never over a
 * re-serialised body; a call without a raw body is verified as an empty body. Signatures are
 * decoded strictly (hex / base64) and compared as bytes with `timingSafeEqual` after an
 * equal-length check. Refusals never carry the signature, the secret or the body.
 *
 * Rotation: a credential holds the current secret and optionally the previous one. Every
 * signature of the call is compared with the MAC of every secret (no early exit); the identity
 * says which secret matched (`signedWith: 'current' | 'previous'`), never the secret.
 *
 * Missing signature (or timestamp, or a header the template signs) → 401 / 1001; a signed
 * timestamp outside the tolerance → 401 / 1006; anything else present but not valid (malformed,
 * truncated, wrong secret) → 401 / 1002. A Standard Webhooks secret is decoded leniently, as its
 * reference libraries do (unpadded, spare bits ignored). A configuration mistake (empty secret,
 * `whsec_`/`whpk_` key that cannot be decoded, generic scheme without a header name, unknown
 * template placeholder) throws a plain Error, which the pipeline answers as a generic 500
 * (details to n8n's log, without secrets).
 */
import { createHash, createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify as verifySignatureBytes } from 'node:crypto';

import { invalidCredential, signatureExpired, unauthenticated } from '../pipeline/errors';
import { withPublicBase } from '../urls/callUrl';
import type { AuthRequest, Identity } from './types';

export type SignatureScheme = 'stripe' | 'github' | 'shopify' | 'slack' | 'standardWebhooks' | 'hmac' | 'zoom' | 'twilio';

export interface SignatureOptions {
	scheme: SignatureScheme;
	/**
	 * Standard Webhooks: 'whsec_<base64>' (the base64 part is the HMAC key, `v1`) or
	 * 'whpk_<base64>' (the sender's Ed25519 public key, `v1a`); others: the secret as UTF-8.
	 */
	secret: string;
	/** Rotation: the secret being replaced, accepted as well until it is removed. Empty: none. */
	previousSecret?: string;
	/** stripe / slack / standardWebhooks / zoom / hmac with a timestamp header: tolerance in seconds, default 300. */
	toleranceSeconds?: number;
	/** Generic 'hmac' only: the header carrying the signature, e.g. 'x-signature'. */
	header?: string;
	/** Generic 'hmac' only, default sha256. */
	algorithm?: 'sha1' | 'sha256' | 'sha512';
	/** Generic 'hmac' only, default hex. */
	encoding?: 'hex' | 'base64';
	/** Generic 'hmac' only: e.g. 'sha256=', stripped before comparing (required when set). */
	prefix?: string;
	/**
	 * Generic 'hmac' only: what is signed, default '{body}'. Placeholders: {body}, {timestamp}
	 * (the timestamp header's value), {url}, {method}, {header:<name>}, {formParams} (the
	 * form-urlencoded body's parameters sorted by name, each name followed by its value).
	 */
	template?: string;
	/** Generic 'hmac' only: a header with the Unix time (seconds) of signing; when set it is required and checked against the tolerance. */
	timestampHeader?: string;
	/**
	 * twilio / hmac with {url}: the public origin and path prefix the sender calls, e.g.
	 * 'https://hooks.example.com/n8n', replacing n8n's own (WEBHOOK_URL). Empty: n8n's.
	 */
	publicBaseUrl?: string;
}

export type SignedWith = 'current' | 'previous';

const DEFAULT_TOLERANCE_SECONDS = 300;
const ALGORITHMS = new Set(['sha1', 'sha256', 'sha512']);
const ENCODINGS = new Set(['hex', 'base64']);
const SCHEMES = new Set<SignatureScheme>(['stripe', 'github', 'shopify', 'slack', 'standardWebhooks', 'hmac', 'zoom', 'twilio']);

type Algorithm = NonNullable<SignatureOptions['algorithm']>;
type Encoding = NonNullable<SignatureOptions['encoding']>;

/** One configured secret, decoded, and which one it is. */
interface Key<T = Buffer> {
	key: T;
	which: SignedWith;
}

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
		case 'zoom':
		case 'twilio':
			return verifyTemplate(req, options, body, now);
	}
}

// ---------------------------------------------------------------------------------------------
// Schemes

function verifyStripe(req: AuthRequest, options: SignatureOptions, body: Buffer, nowMs: number): Identity {
	const keys = utf8Keys(options);
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
	const which = matchKey(
		macs(keys, (key) => hmac('sha256', key, [`${timestampText}.`, body])),
		candidates.map((c) => decodeHex(c)),
	);
	return identity('stripe', which, { timestamp });
}

function verifyGithub(req: AuthRequest, options: SignatureOptions, body: Buffer): Identity {
	const keys = utf8Keys(options);
	const header = readHeader(req, 'x-hub-signature-256');
	if (header === undefined) throw unauthenticated('signature');
	if (!header.startsWith('sha256=')) throw invalidCredential('malformed signature');
	const which = matchKey(
		macs(keys, (key) => hmac('sha256', key, [body])),
		[decodeHex(header.slice('sha256='.length))],
	);
	return identity('github', which);
}

function verifyShopify(req: AuthRequest, options: SignatureOptions, body: Buffer): Identity {
	const keys = utf8Keys(options);
	const header = readHeader(req, 'x-shopify-hmac-sha256');
	if (header === undefined) throw unauthenticated('signature');
	const which = matchKey(
		macs(keys, (key) => hmac('sha256', key, [body])),
		[decodeBase64(header)],
	);
	return identity('shopify', which);
}

function verifySlack(req: AuthRequest, options: SignatureOptions, body: Buffer, nowMs: number): Identity {
	const keys = utf8Keys(options);
	const signature = readHeader(req, 'x-slack-signature');
	const timestampText = readHeader(req, 'x-slack-request-timestamp');
	if (signature === undefined || timestampText === undefined) throw unauthenticated('signature');
	if (!signature.startsWith('v0=')) throw invalidCredential('malformed signature');

	const timestamp = parseTimestamp(timestampText);
	checkTolerance(timestamp, options, nowMs);
	const which = matchKey(
		macs(keys, (key) => hmac('sha256', key, [`v0:${timestampText}:`, body])),
		[decodeHex(signature.slice('v0='.length))],
	);
	return identity('slack', which, { timestamp });
}

/**
 * Standard Webhooks: `v1` (HMAC-SHA256 with a `whsec_` key) and `v1a` (Ed25519 with the
 * sender's `whpk_` public key), each configured secret being either. Signatures of a version no
 * configured key can check are ignored, as the spec's libraries do.
 */
function verifyStandardWebhooks(
	req: AuthRequest,
	options: SignatureOptions,
	body: Buffer,
	nowMs: number,
): Identity {
	if (typeof options.secret !== 'string' || options.secret.trim() === '') standardWebhooksKey(''); // throws, saying why
	const keys = configuredSecrets(options).map(({ key, which }) => ({ key: standardWebhooksKey(key), which }));
	const id = readHeader(req, 'webhook-id');
	const timestampText = readHeader(req, 'webhook-timestamp');
	const signatures = readHeader(req, 'webhook-signature');
	if (id === undefined || timestampText === undefined || signatures === undefined) {
		throw unauthenticated('signature');
	}

	const symmetric: string[] = [];
	const asymmetric: string[] = [];
	for (const entry of signatures.split(/\s+/)) {
		if (!entry) continue;
		const comma = entry.indexOf(',');
		if (comma <= 0) throw invalidCredential('malformed signature header');
		const version = entry.slice(0, comma);
		if (version === 'v1') symmetric.push(entry.slice(comma + 1));
		else if (version === 'v1a') asymmetric.push(entry.slice(comma + 1));
	}
	const hmacKeys = keys.filter((k) => k.key.kind === 'hmac');
	const publicKeys = keys.filter((k) => k.key.kind === 'ed25519');
	const usable = (hmacKeys.length ? symmetric.length : 0) + (publicKeys.length ? asymmetric.length : 0);
	if (usable === 0) {
		const wanted = [hmacKeys.length ? 'v1' : '', publicKeys.length ? 'v1a' : ''].filter(Boolean).join(' or ');
		throw invalidCredential(`no ${wanted} signature`);
	}

	const timestamp = parseTimestamp(timestampText);
	checkTolerance(timestamp, options, nowMs);
	const signed = Buffer.concat([Buffer.from(`${id}.${timestampText}.`, 'utf8'), body]);

	// Every signature against every key of its kind, no early exit.
	let matched: SignedWith | undefined;
	let decodable = false;
	const v1 = symmetric.map((c) => decodeBase64(c));
	for (const { key, which } of hmacKeys) {
		if (key.kind !== 'hmac') continue;
		const expected = hmac('sha256', key.bytes, [signed]);
		for (const candidate of v1) {
			if (!candidate) continue;
			decodable = true;
			const equal = candidate.length === expected.length && timingSafeEqual(candidate, expected);
			if (equal && (matched === undefined || which === 'current')) matched = which;
		}
	}
	const v1a = asymmetric.map((c) => decodeBase64(c));
	for (const { key, which } of publicKeys) {
		if (key.kind !== 'ed25519') continue;
		for (const candidate of v1a) {
			if (!candidate) continue;
			decodable = true;
			const valid = candidate.length === ED25519_SIGNATURE_BYTES && verifySignatureBytes(null, signed, key.publicKey, candidate);
			if (valid && (matched === undefined || which === 'current')) matched = which;
		}
	}
	if (matched === undefined) throw invalidCredential(decodable ? 'signature mismatch' : 'malformed signature');
	return identity('standardWebhooks', matched, { webhookId: id, timestamp });
}

// ---- signing templates (generic HMAC, Zoom, Twilio) ------------------------------------------

/** How a template scheme signs: the generic scheme's settings, or a vendor preset built on them. */
export interface TemplateSpec {
	header: string;
	prefix: string;
	algorithm: Algorithm;
	encoding: Encoding;
	template: string;
	timestampHeader?: string;
	/** Twilio: the URL is also tried with and without its default port, and `bodySHA256` is checked. */
	twilio?: boolean;
}

/** Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of "v0:{x-zm-request-timestamp}:{body}">`. */
export const ZOOM_PRESET: TemplateSpec = {
	header: 'x-zm-signature',
	prefix: 'v0=',
	algorithm: 'sha256',
	encoding: 'hex',
	template: 'v0:{timestamp}:{body}',
	timestampHeader: 'x-zm-request-timestamp',
};

/** Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1 of the full URL + sorted POST parameters>`. */
export const TWILIO_PRESET: TemplateSpec = {
	header: 'x-twilio-signature',
	prefix: '',
	algorithm: 'sha1',
	encoding: 'base64',
	template: '{url}{formParams}',
	twilio: true,
};

const TWILIO_SETTINGS_HEADER = 'x-twilio-webhooks-signature-settings';

/** The signing template of a template scheme ('hmac', 'zoom', 'twilio'); throws on a set-up mistake. */
export function templateSpec(options: SignatureOptions, req?: AuthRequest): TemplateSpec {
	if (options.scheme === 'zoom') return ZOOM_PRESET;
	if (options.scheme === 'twilio') {
		// A Twilio Webhooks Rule signs with its SharedKey and names the algorithm in this header.
		const settings = req ? readHeader(req, TWILIO_SETTINGS_HEADER) : undefined;
		const algorithm = settings ? twilioAlgorithm(settings) : 'sha1';
		return { ...TWILIO_PRESET, algorithm };
	}
	const header = typeof options.header === 'string' ? options.header.trim().toLowerCase() : '';
	if (!header) throw new Error('Signature verification: no signature header is configured');
	const algorithm: Algorithm = options.algorithm ?? 'sha256';
	if (!ALGORITHMS.has(algorithm)) throw new Error(`Signature verification: unsupported algorithm "${algorithm}"`);
	const encoding: Encoding = options.encoding ?? 'hex';
	if (!ENCODINGS.has(encoding)) throw new Error(`Signature verification: unsupported encoding "${encoding}"`);
	const timestampHeader = typeof options.timestampHeader === 'string' ? options.timestampHeader.trim().toLowerCase() : '';
	return {
		header,
		prefix: options.prefix ?? '',
		algorithm,
		encoding,
		template: typeof options.template === 'string' && options.template !== '' ? options.template : '{body}',
		timestampHeader: timestampHeader || undefined,
	};
}

function twilioAlgorithm(settings: string): Algorithm {
	for (const part of settings.split(',')) {
		const eq = part.indexOf('=');
		if (eq < 0 || part.slice(0, eq).trim() !== 'algorithm') continue;
		const name = part.slice(eq + 1).trim().toUpperCase();
		if (name === 'HMAC_SHA1' || name === '') return 'sha1';
		if (name === 'HMAC_SHA256') return 'sha256';
		throw invalidCredential('unsupported Twilio signature algorithm');
	}
	return 'sha1';
}

type TemplatePart =
	| { kind: 'literal'; text: string }
	| { kind: 'body' | 'timestamp' | 'url' | 'method' | 'formParams' }
	| { kind: 'header'; name: string };

const PLACEHOLDERS = '{body}, {timestamp}, {url}, {method}, {header:<name>}, {formParams}';

/** The template's parts; throws (a set-up mistake) on an unknown placeholder. */
export function parseTemplate(template: string, timestampHeader?: string): TemplatePart[] {
	const parts: TemplatePart[] = [];
	let at = 0;
	for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
		if (match.index > at) parts.push({ kind: 'literal', text: template.slice(at, match.index) });
		at = match.index + match[0].length;
		const name = match[1].trim();
		if (name === 'body' || name === 'url' || name === 'method' || name === 'formParams') {
			parts.push({ kind: name });
		} else if (name === 'timestamp') {
			if (!timestampHeader) throw new Error('Signature verification: the template uses {timestamp} but no timestamp header is configured');
			parts.push({ kind: 'timestamp' });
		} else if (/^header:[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
			parts.push({ kind: 'header', name: name.slice('header:'.length).toLowerCase() });
		} else {
			throw new Error(`Signature verification: unknown placeholder "{${name}}" in the template; known: ${PLACEHOLDERS}`);
		}
	}
	if (at < template.length) parts.push({ kind: 'literal', text: template.slice(at) });
	return parts;
}

/** What the call contributes to a template. */
interface TemplateInput {
	body: Buffer;
	method: string;
	timestamp?: string;
	url?: string;
	headers: AuthRequest['headers'];
	formParams: string;
}

/**
 * The bytes a sender signs for `parts`. A header the template names but the call lacks is a
 * missing credential (1001); {url} without a known URL is a set-up mistake.
 */
function render(parts: TemplatePart[], input: TemplateInput, req: AuthRequest): Buffer {
	const out: Buffer[] = [];
	for (const part of parts) {
		switch (part.kind) {
			case 'literal':
				out.push(Buffer.from(part.text, 'utf8'));
				break;
			case 'body':
				out.push(input.body);
				break;
			case 'method':
				out.push(Buffer.from(input.method.toUpperCase(), 'utf8'));
				break;
			case 'timestamp':
				out.push(Buffer.from(input.timestamp ?? '', 'utf8'));
				break;
			case 'url':
				if (input.url === undefined) throw new Error('Signature verification: the template uses {url} but the URL of the call is not known');
				out.push(Buffer.from(input.url, 'utf8'));
				break;
			case 'formParams':
				out.push(Buffer.from(input.formParams, 'utf8'));
				break;
			case 'header': {
				const value = readHeader(req, part.name);
				if (value === undefined) throw unauthenticated(`${part.name} header`);
				out.push(Buffer.from(value, 'utf8'));
				break;
			}
		}
	}
	return Buffer.concat(out);
}

/**
 * A form-urlencoded body's parameters as Twilio signs them: sorted by name, each name followed
 * by its value; a repeated name gives each distinct value once, sorted (as `twilio`'s
 * `getExpectedTwilioSignature`). Any other body: nothing.
 */
export function formParamsOf(req: AuthRequest, body: Buffer): string {
	const contentType = String(readHeaderRaw(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (contentType !== 'application/x-www-form-urlencoded') return '';
	const byName = new Map<string, string[]>();
	for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
		const values = byName.get(name) ?? [];
		values.push(value);
		byName.set(name, values);
	}
	let out = '';
	for (const name of [...byName.keys()].sort()) {
		const values = [...new Set(byName.get(name))].sort();
		for (const value of values) out += name + value;
	}
	return out;
}

/** The URL variants Twilio's own validator accepts: as built, without and with the default port. */
function twilioUrlVariants(url: string): string[] {
	const match = /^(https?:\/\/)([^/?#]*)(.*)$/i.exec(url);
	if (!match) return [url];
	const [, scheme, authority, rest] = match;
	const portAt = authority.indexOf(':', authority.lastIndexOf(']') + 1);
	const host = portAt === -1 ? authority : authority.slice(0, portAt);
	const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
	return [...new Set([url, scheme + host + rest, portAt === -1 ? scheme + host + defaultPort + rest : url])];
}

/** The public URL the sender called (n8n's, or with the configured public base). */
function signedUrl(req: AuthRequest, options: SignatureOptions): string | undefined {
	if (req.url === undefined) return undefined;
	const base = typeof options.publicBaseUrl === 'string' ? options.publicBaseUrl.trim() : '';
	return base ? withPublicBase(req.url, base) : req.url;
}

function verifyTemplate(req: AuthRequest, options: SignatureOptions, body: Buffer, nowMs: number): Identity {
	const keys = utf8Keys(options);
	const spec = templateSpec(options, req);
	const parts = parseTemplate(spec.template, spec.timestampHeader);

	const usesUrl = parts.some((p) => p.kind === 'url');
	const url = usesUrl ? signedUrl(req, options) : undefined;

	let value = readHeader(req, spec.header);
	if (value === undefined) throw unauthenticated('signature');
	let timestamp: string | undefined;
	if (spec.timestampHeader) {
		timestamp = readHeader(req, spec.timestampHeader);
		if (timestamp === undefined) throw unauthenticated('signature timestamp');
	}
	if (spec.prefix) {
		if (!value.startsWith(spec.prefix)) throw invalidCredential('malformed signature');
		value = value.slice(spec.prefix.length);
	}
	const candidate = spec.encoding === 'hex' ? decodeHex(value) : decodeBase64(value);
	if (timestamp !== undefined) checkTolerance(parseTimestamp(timestamp), options, nowMs);

	const urls = url !== undefined && spec.twilio ? twilioUrlVariants(url) : [url];
	const formParams = parts.some((p) => p.kind === 'formParams') ? formParamsOf(req, body) : '';
	const expected = urls.flatMap((u) => {
		const content = render(parts, { body, method: req.method, timestamp, url: u, headers: req.headers, formParams }, req);
		return macs(keys, (key) => hmac(spec.algorithm, key, [content]));
	});
	const which = matchKey(expected, [candidate]);

	// Twilio signs a JSON body through the URL's bodySHA256 parameter: the body must match it.
	if (spec.twilio && url !== undefined) {
		const bodyHash = new URL(url).searchParams.get('bodySHA256');
		if (bodyHash !== null) {
			const actual = createHash('sha256').update(body).digest();
			const claimed = decodeHex(bodyHash);
			if (!claimed || claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) {
				throw invalidCredential('the body does not match its bodySHA256');
			}
		}
	}
	return identity(options.scheme, which, timestamp !== undefined ? { timestamp: Number(timestamp) } : {});
}

/** What Zoom's endpoint URL validation expects back. */
export interface ZoomValidationReply {
	plainToken: string;
	encryptedToken: string;
}

/** Zoom's plainToken: a short random string. Anything else (e.g. `v0:…`) could make the reply a signing oracle. */
const ZOOM_PLAIN_TOKEN = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * Zoom's endpoint URL validation (sent when the endpoint URL is saved in the Zoom app and every
 * 72 hours): a call ALREADY VERIFIED as signed by Zoom with the event `endpoint.url_validation`
 * is answered `{ plainToken, encryptedToken: hex HMAC-SHA256(secret, plainToken) }` with the
 * secret that signed it, and resumes nothing. Undefined for every other call.
 */
export function zoomValidationReply(options: SignatureOptions, signedWith: unknown, body: unknown): ZoomValidationReply | undefined {
	if (options.scheme !== 'zoom' || typeof body !== 'object' || body === null) return undefined;
	const event = body as { event?: unknown; payload?: { plainToken?: unknown } };
	if (event.event !== 'endpoint.url_validation') return undefined;
	const plainToken = event.payload?.plainToken;
	if (typeof plainToken !== 'string' || !ZOOM_PLAIN_TOKEN.test(plainToken)) throw invalidCredential('malformed endpoint.url_validation plainToken');
	const secret = configuredSecrets(options).find((k) => k.which === signedWith)?.key;
	if (secret === undefined) return undefined;
	return { plainToken, encryptedToken: hmac('sha256', Buffer.from(secret, 'utf8'), [plainToken]).toString('hex') };
}

/**
 * The headers a sender holding `secret` puts on a call to a template scheme (the credential
 * test signs its probe with them). `req` gives the URL, method, content type and headers.
 */
export function templateSignatureHeaders(
	options: SignatureOptions,
	req: AuthRequest,
	secret: string,
	nowMs: number,
): Record<string, string> {
	const spec = templateSpec(options, req);
	const parts = parseTemplate(spec.template, spec.timestampHeader);
	const body = req.rawBody ?? Buffer.alloc(0);
	const timestamp = spec.timestampHeader ? String(Math.floor(nowMs / 1000)) : undefined;
	const withTimestamp: AuthRequest = timestamp && spec.timestampHeader
		? { ...req, headers: { ...req.headers, [spec.timestampHeader]: timestamp } }
		: req;
	const content = render(
		parts,
		{ body, method: req.method, timestamp, url: signedUrl(req, options), headers: withTimestamp.headers, formParams: formParamsOf(req, body) },
		withTimestamp,
	);
	const digest = hmac(spec.algorithm, Buffer.from(secret, 'utf8'), [content]);
	return {
		...(timestamp && spec.timestampHeader ? { [spec.timestampHeader]: timestamp } : {}),
		[spec.header]: `${spec.prefix}${digest.toString(spec.encoding)}`,
	};
}

// ---------------------------------------------------------------------------------------------
// Helpers

function identity(scheme: SignatureScheme, signedWith: SignedWith, extra: Record<string, unknown> = {}): Identity {
	return { user: { signatureScheme: scheme, signedWith, ...extra }, roles: [] };
}

function readHeaderRaw(req: AuthRequest, name: string): string | undefined {
	const raw = req.headers?.[name];
	return Array.isArray(raw) ? raw[0] : raw;
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

/** The current secret (required) and the previous one (when set), as configured. */
export function configuredSecrets(options: SignatureOptions): Array<Key<string>> {
	if (typeof options.secret !== 'string' || options.secret === '') {
		throw new Error('Signature verification: the secret is empty');
	}
	const keys: Array<Key<string>> = [{ key: options.secret, which: 'current' }];
	if (typeof options.previousSecret === 'string' && options.previousSecret !== '') {
		keys.push({ key: options.previousSecret, which: 'previous' });
	}
	return keys;
}

function utf8Keys(options: SignatureOptions): Key[] {
	return configuredSecrets(options).map(({ key, which }) => ({ key: Buffer.from(key, 'utf8'), which }));
}

/** The MAC each key gives, tagged with the key. */
function macs(keys: Key[], mac: (key: Buffer) => Buffer): Array<{ mac: Buffer; which: SignedWith }> {
	return keys.map(({ key, which }) => ({ mac: mac(key), which }));
}

/**
 * Which key's MAC one of the candidates equals. Every candidate is compared with every MAC (no
 * early exit); undecodable candidates count as non-matching.
 */
function matchKey(expected: Array<{ mac: Buffer; which: SignedWith }>, candidates: Array<Buffer | undefined>): SignedWith {
	let matched: SignedWith | undefined;
	let decodable = false;
	for (const candidate of candidates) {
		if (!candidate) continue;
		decodable = true;
		for (const { mac, which } of expected) {
			const equal = candidate.length === mac.length && timingSafeEqual(candidate, mac);
			if (equal && (matched === undefined || which === 'current')) matched = which;
		}
	}
	if (matched !== undefined) return matched;
	throw invalidCredential(decodable ? 'signature mismatch' : 'malformed signature');
}

const ED25519_SIGNATURE_BYTES = 64;
const ED25519_KEY_BYTES = 32;

type StandardWebhooksKey = { kind: 'hmac'; bytes: Buffer } | { kind: 'ed25519'; publicKey: KeyObject };

/**
 * A Standard Webhooks secret: 'whpk_<base64>' is the sender's Ed25519 public key (32 bytes,
 * `v1a`); 'whsec_<base64>' (the prefix is optional) the HMAC key (`v1`), decoded as the
 * reference libraries decode it: padding is optional and the spare bits of the last character
 * are ignored (the spec repository's own test `test_signature_verification_with_unpadded_secret`
 * signs with `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS`). Only what cannot be decoded is refused,
 * with the reason. A 'whsk_' secret key is the sender's, not the receiver's: refused.
 */
function standardWebhooksKey(secret: string): StandardWebhooksKey {
	const text = secret.trim();
	if (text.startsWith('whsk_')) {
		throw new Error("Signature verification: whsk_ is the sender's Ed25519 secret key; configure its public key (whpk_…) instead");
	}
	if (text.startsWith('whpk_')) {
		const encoded = text.slice('whpk_'.length);
		const problem = standardWebhooksSecretProblem(encoded, 'whpk_');
		if (problem) throw new Error(`Signature verification: the Standard Webhooks public key must be whpk_ followed by base64; ${problem}`);
		const raw = Buffer.from(encoded.replace(/=+$/, ''), 'base64');
		if (raw.length !== ED25519_KEY_BYTES) {
			throw new Error(`Signature verification: a whpk_ key is ${ED25519_KEY_BYTES} bytes (an Ed25519 public key); this one is ${raw.length}`);
		}
		return { kind: 'ed25519', publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }) };
	}
	const encoded = text.startsWith('whsec_') ? text.slice('whsec_'.length) : text;
	const problem = standardWebhooksSecretProblem(encoded);
	if (problem) throw new Error(`Signature verification: the Standard Webhooks secret must be whsec_ followed by base64; ${problem}`);
	return { kind: 'hmac', bytes: Buffer.from(encoded.replace(/=+$/, ''), 'base64') };
}

/** The HMAC key of a whsec_ secret (the credential test signs with it). */
export function standardWebhooksHmacKey(secret: string): Buffer | undefined {
	const key = standardWebhooksKey(secret);
	return key.kind === 'hmac' ? key.bytes : undefined;
}

/** Why `encoded` (the part after whsec_) is not a usable key, or undefined when it is; never quotes it. */
function standardWebhooksSecretProblem(encoded: string, prefix = 'whsec_'): string | undefined {
	const data = encoded.replace(/=+$/, '');
	if (!data) return encoded ? 'it is only = padding' : `nothing follows ${prefix} (the secret is empty)`;
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
	if (Math.abs(nowSeconds - timestamp) > tolerance) throw signatureExpired(tolerance);
}
