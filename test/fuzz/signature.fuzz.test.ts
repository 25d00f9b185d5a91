/**
 * Fuzz of webhook signature verification (auth/signature.ts verifySignature) through its public
 * function, with the option shapes of today: random headers and bodies, and near-valid calls
 * (a correct signature, then changed: the body, a byte of the signature, the timestamp, the
 * header repeated or padded). Each ends in an identity (exactly when the signature is right) or
 * a CallbackError 401 code 1001/1002; no message holds the secret or a signature.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';

import type { AuthRequest } from '../../nodes/callback/auth/types';
import { type SignatureOptions, verifySignature } from '../../nodes/callback/auth/signature';
import { ErrorCodes } from '../../nodes/callback/pipeline/errors';
import { TIMEOUT_MS, anyBytes, anyKey, anyString, outcomeOf, params, plantedSecret } from './fuzz';

const CODES = [ErrorCodes.UNAUTHENTICATED, ErrorCodes.INVALID_CREDENTIAL, ErrorCodes.SIGNATURE_EXPIRED];
const SECRET = plantedSecret();
const WHSEC = `whsec_${Buffer.from(SECRET, 'hex').toString('base64')}`;
const NOW_MS = 1_767_225_600_000;
const NOW = Math.floor(NOW_MS / 1000);

type Scheme = SignatureOptions['scheme'];
const SCHEMES: Scheme[] = ['stripe', 'github', 'shopify', 'slack', 'standardWebhooks', 'hmac', 'zoom'];

function optionsFor(scheme: Scheme, generic: Partial<SignatureOptions> = {}): SignatureOptions {
	if (scheme === 'standardWebhooks') return { scheme, secret: WHSEC };
	if (scheme === 'hmac') return { scheme, secret: SECRET, header: 'x-signature', ...generic };
	return { scheme, secret: SECRET };
}

const mac = (alg: string, key: Buffer | string, ...parts: Array<string | Buffer>) => {
	const h = createHmac(alg, key);
	for (const p of parts) h.update(p);
	return h.digest();
};

/** The headers a sender of `scheme` puts on a correctly signed call. */
function signed(scheme: Scheme, body: Buffer, ts: number, generic: Partial<SignatureOptions>): Record<string, string> {
	const t = String(ts);
	switch (scheme) {
		case 'stripe':
			return { 'stripe-signature': `t=${t},v1=${mac('sha256', SECRET, `${t}.`, body).toString('hex')}` };
		case 'github':
			return { 'x-hub-signature-256': `sha256=${mac('sha256', SECRET, body).toString('hex')}` };
		case 'shopify':
			return { 'x-shopify-hmac-sha256': mac('sha256', SECRET, body).toString('base64') };
		case 'slack':
			return { 'x-slack-signature': `v0=${mac('sha256', SECRET, `v0:${t}:`, body).toString('hex')}`, 'x-slack-request-timestamp': t };
		case 'standardWebhooks': {
			const key = Buffer.from(SECRET, 'hex');
			return { 'webhook-id': 'msg_1', 'webhook-timestamp': t, 'webhook-signature': `v1,${mac('sha256', key, `msg_1.${t}.`, body).toString('base64')}` };
		}
		case 'hmac': {
			const digest = mac(generic.algorithm ?? 'sha256', SECRET, body);
			return { 'x-signature': `${generic.prefix ?? ''}${digest.toString(generic.encoding ?? 'hex')}` };
		}
		case 'zoom':
			return { 'x-zm-signature': `v0=${mac('sha256', SECRET, `v0:${t}:`, body).toString('hex')}`, 'x-zm-request-timestamp': t };
		default:
			throw new Error(`no signer for ${scheme} in this fuzz test (Twilio signs the URL: covered by its unit tests)`);
	}
}

/** Every signature-like value of a call: none may appear in a refusal. */
const secretsOf = (headers: Record<string, string>) => [SECRET, WHSEC, ...Object.values(headers).flatMap((v) => v.split(/[,= ]/)).filter((p) => p.length >= 16)];

const generic = fc.record(
	{ algorithm: fc.constantFrom('sha1' as const, 'sha256' as const, 'sha512' as const), encoding: fc.constantFrom('hex' as const, 'base64' as const), prefix: fc.constantFrom(undefined, 'sha256=', 'v1:') },
	{ requiredKeys: [] },
);

describe('fuzz: verifySignature', () => {
	test(
		'random headers and bodies: a documented 401 (1001, 1002 or 1006), never anything else',
		() => {
			const headerNames = fc.constantFrom('x-zm-signature', 'x-zm-request-timestamp', 'stripe-signature', 'x-hub-signature-256', 'x-shopify-hmac-sha256', 'x-slack-signature', 'x-slack-request-timestamp', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-signature');
			const headerValue = fc.oneof(
				anyString,
				fc.array(anyString, { maxLength: 3 }),
				fc.constant(undefined),
				fc.constantFrom('t=,v1=', 't=1,t=2,v1=00', 'sha256=', 'v0=zz', 'v1,', ',', 'v1,====', 'v1a,abc v1,abc', `t=${NOW},v1=${'0'.repeat(64)}`, String(NOW), '9'.repeat(13)),
				fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF=,tv '), maxLength: 80 }),
			);
			fc.assert(
				fc.property(
					fc.constantFrom(...SCHEMES),
					generic,
					fc.dictionary(fc.oneof(headerNames, anyKey), headerValue, { maxKeys: 5 }),
					fc.option(anyBytes, { nil: undefined }),
					(scheme, g, headers, rawBody) => {
						const req: AuthRequest = { method: 'POST', headers, query: {}, rawBody };
						outcomeOf(() => verifySignature(req, optionsFor(scheme, g), NOW_MS), CODES, [SECRET, WHSEC]);
					},
				),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'near-valid calls: accepted exactly when signature, body and timestamp are right',
		() => {
			const change = fc.constantFrom('none', 'body', 'flipChar', 'truncate', 'stale', 'future', 'duplicate', 'pad', 'upper', 'drop');
			fc.assert(
				fc.property(fc.constantFrom(...SCHEMES), generic, anyBytes, change, fc.nat(), fc.integer({ min: 301, max: 100_000 }), (scheme, g, body, how, at, skew) => {
					const stamped = ['stripe', 'slack', 'standardWebhooks', 'zoom'].includes(scheme);
					const ts = how === 'stale' ? NOW - skew : how === 'future' ? NOW + skew : NOW;
					const headers: Record<string, string | string[]> = signed(scheme, body, ts, g);
					const sigName = Object.keys(headers).find((n) => /signature|hmac/.test(n))!;
					const sig = headers[sigName] as string;
					let sentBody = body;
					let changed = how !== 'none';
					if (how === 'body') sentBody = Buffer.concat([body, Buffer.from('x')]);
					if (how === 'flipChar' || how === 'upper') {
						// one character of the MAC itself (its encoding's last part, before any padding)
						const macText = sig.split(/[=,:]/).filter(Boolean).pop() ?? '';
						const start = sig.lastIndexOf(macText);
						const i = start + (at % Math.max(1, macText.length));
						const alphabet = '0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZ+/';
						const c = how === 'upper' ? sig[i].toUpperCase() : alphabet[(alphabet.indexOf(sig[i]) + 1 + (at % 7)) % alphabet.length];
						headers[sigName] = sig.slice(0, i) + c + sig.slice(i + 1);
						// hex is case-insensitive: an upper-cased hex MAC is the same MAC
						const now = headers[sigName] as string;
						changed = isHexMac(scheme, g) ? now.toLowerCase() !== sig.toLowerCase() : now !== sig;
					}
					// (base64's = padding is optional: cut into the MAC itself)
					if (how === 'truncate') headers[sigName] = sig.replace(/=+$/, '').slice(0, -1 - (at % 8));
					if (how === 'stale' || how === 'future') changed = stamped;
					if (how === 'duplicate') headers[sigName] = [sig, sig];
					if (how === 'pad') {
						headers[sigName] = `  ${sig}\t`;
						changed = false;
					}
					if (how === 'drop') delete headers[sigName];
					const req: AuthRequest = { method: 'POST', headers, query: {}, rawBody: sentBody };
					const result = outcomeOf(() => verifySignature(req, optionsFor(scheme, g), NOW_MS), CODES, secretsOf(signed(scheme, body, ts, g)));
					expect(result.ok).toBe(!changed);
					if (result.ok) expect(result.value.user.signatureScheme).toBe(scheme);
					if (!result.ok && how === 'drop') expect(result.error.code).toBe(ErrorCodes.UNAUTHENTICATED);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);
});

function isHexMac(scheme: Scheme, g: Partial<SignatureOptions>): boolean {
	return ['stripe', 'github', 'slack', 'zoom'].includes(scheme) || (scheme === 'hmac' && (g.encoding ?? 'hex') === 'hex');
}
