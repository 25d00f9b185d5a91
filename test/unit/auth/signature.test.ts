import { createHmac, randomBytes } from 'node:crypto';

import { type CallbackError, ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import { type SignatureOptions, verifySignature } from '../../../nodes/callback/auth/signature';
import type { AuthRequest } from '../../../nodes/callback/auth/types';
import { expectConfigurationError, expectRejection } from '../helpers';

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const SECRET = 'sk_test_s3cr3t-value-for-hmac';
const OTHER_SECRET = 'sk_test_another-secret-value';
const BODY = '{"id":"evt_1","type":"payment.succeeded","amount":4200}';
const RESERIALISED = '{ "id": "evt_1", "type": "payment.succeeded", "amount": 4200 }';

function req(headers: Record<string, string | string[] | undefined>, body: string | Buffer = BODY): AuthRequest {
	return {
		method: 'POST',
		headers,
		query: {},
		rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
	};
}

function hmacOf(
	algorithm: 'sha1' | 'sha256' | 'sha512',
	key: string | Buffer,
	payload: string | Buffer,
	encoding: 'hex' | 'base64' = 'hex',
): string {
	return createHmac(algorithm, key).update(payload).digest(encoding);
}

/** Flips one bit of the byte at `index` (one-byte tamper). */
function tamper(body: string, index = 10): Buffer {
	const bytes = Buffer.from(body, 'utf8');
	bytes[index] ^= 0x01;
	return bytes;
}

/** Runs `fn`, expects a CallbackError with that status and code, checks the message leaks nothing. */
function rejection(fn: () => unknown, code: number, secrets: string[] = []): CallbackError {
	const err = expectRejection(fn, 401, code, [SECRET, OTHER_SECRET, BODY, ...secrets].filter(Boolean));
	expect(JSON.stringify(err.toBody())).not.toContain(SECRET);
	return err;
}

const invalid = (fn: () => unknown, secrets: string[] = []) => rejection(fn, ErrorCodes.INVALID_CREDENTIAL, secrets);
/** A signed timestamp outside the tolerance: 1006. */
const stale = (fn: () => unknown, secrets: string[] = []) => rejection(fn, ErrorCodes.SIGNATURE_EXPIRED, secrets);
const missing = (fn: () => unknown) => rejection(fn, ErrorCodes.UNAUTHENTICATED);
/** What the verifier returns for a good signature of a scheme that reports nothing else. */
const accepted = (signatureScheme: string) => ({ user: { signatureScheme, signedWith: 'current' }, roles: [] });
/** The rejections every scheme that signs the body with the secret starts with (`sign(body, secret)`). */
const tamperings = (sign: (body?: string | Buffer, secret?: string) => string, cut: number): Array<[string, () => string, string | Buffer]> => [
	['wrong secret', () => sign(BODY, OTHER_SECRET), BODY],
	['tampered body', () => sign(), tamper(BODY)],
	['re-serialised body', () => sign(), RESERIALISED],
	['truncated signature', () => sign().slice(0, -cut), BODY],
];

// -------------------------------------------------------------------------------------------------

describe('stripe', () => {
	const options: SignatureOptions = { scheme: 'stripe', secret: SECRET };
	const sign = (t: number, body: string | Buffer = BODY, secret = SECRET) =>
		hmacOf('sha256', secret, Buffer.concat([Buffer.from(`${t}.`), Buffer.from(body)]));
	const header = (t: number, ...v1: string[]) => [`t=${t}`, ...v1.map((s) => `v1=${s}`)].join(',');

	it('accepts a real signature and returns the timestamp', () => {
		const sig = sign(NOW);
		const id = verifySignature(req({ 'stripe-signature': header(NOW, sig) }), options, NOW_MS);
		expect(id).toEqual({ user: { signatureScheme: 'stripe', signedWith: 'current', timestamp: NOW }, roles: [] });
	});

	it('accepts when the second of several v1 signatures matches (secret rotation), ignoring v0', () => {
		const good = sign(NOW);
		const stale = sign(NOW, BODY, OTHER_SECRET);
		const h = `t=${NOW},v1=${stale},v1=${good},v0=${'ab'.repeat(32)}`;
		expect(verifySignature(req({ 'stripe-signature': h }), options, NOW_MS).user.signatureScheme).toBe('stripe');
	});

	it('accepts an upper-case hex signature and spaces after commas', () => {
		const sig = sign(NOW).toUpperCase();
		expect(() => verifySignature(req({ 'stripe-signature': `t=${NOW}, v1=${sig}` }), options, NOW_MS)).not.toThrow();
	});

	it('accepts a timestamp inside the tolerance (both directions, and exactly at the edge)', () => {
		for (const t of [NOW - 299, NOW + 299, NOW - 300, NOW + 300]) {
			expect(() => verifySignature(req({ 'stripe-signature': header(t, sign(t)) }), options, NOW_MS)).not.toThrow();
		}
	});

	it('rejects a timestamp outside the tolerance even when correctly signed', () => {
		for (const t of [NOW - 301, NOW + 301, NOW - 86400]) {
			const sig = sign(t);
			const err = stale(() => verifySignature(req({ 'stripe-signature': header(t, sig) }), options, NOW_MS), [sig]);
			expect(err.message).toContain('the signed timestamp is more than');
		}
	});

	it('honours a custom tolerance', () => {
		const t = NOW - 1000;
		const h = header(t, sign(t));
		expect(() =>
			verifySignature(req({ 'stripe-signature': h }), { ...options, toleranceSeconds: 1200 }, NOW_MS),
		).not.toThrow();
		stale(() => verifySignature(req({ 'stripe-signature': h }), { ...options, toleranceSeconds: 10 }, NOW_MS));
	});

	it('uses the current time when nowMs is not given', () => {
		const t = Math.floor(Date.now() / 1000);
		expect(() => verifySignature(req({ 'stripe-signature': header(t, sign(t)) }), options)).not.toThrow();
	});

	it('rejects a wrong secret', () => {
		const sig = sign(NOW, BODY, OTHER_SECRET);
		const err = invalid(() => verifySignature(req({ 'stripe-signature': header(NOW, sig) }), options, NOW_MS), [sig]);
		expect(err.message).toBe('Authentication failed: signature mismatch');
	});

	it('rejects a tampered body (one byte)', () => {
		const sig = sign(NOW);
		invalid(() => verifySignature(req({ 'stripe-signature': header(NOW, sig) }, tamper(BODY)), options, NOW_MS), [sig]);
	});

	it('rejects a re-serialised body (whitespace changed)', () => {
		const sig = sign(NOW);
		invalid(() => verifySignature(req({ 'stripe-signature': header(NOW, sig) }, RESERIALISED), options, NOW_MS), [sig]);
	});

	it('rejects a truncated signature', () => {
		const sig = sign(NOW);
		for (const cut of [sig.slice(0, -2), sig.slice(0, -1), sig.slice(0, 32), sig.slice(2)]) {
			invalid(() => verifySignature(req({ 'stripe-signature': header(NOW, cut) }), options, NOW_MS), [cut]);
		}
	});

	it('rejects the signature of another timestamp', () => {
		const sig = sign(NOW - 10);
		invalid(() => verifySignature(req({ 'stripe-signature': header(NOW, sig) }), options, NOW_MS), [sig]);
	});

	it('rejects non-hex garbage and a malformed header', () => {
		const garbage = 'zz'.repeat(32);
		invalid(() => verifySignature(req({ 'stripe-signature': header(NOW, garbage) }), options, NOW_MS), [garbage]);
		const sig = sign(NOW);
		for (const h of [
			sig,
			`v1=${sig}`,
			`t=${NOW}`,
			`t=${NOW},v0=${sig}`,
			`t=abc,v1=${sig}`,
			`t=${NOW}.5,v1=${sig}`,
			`t=-${NOW},v1=${sig}`,
			`t=${NOW},t=${NOW - 1000},v1=${sig}`,
			`t=${NOW},garbage,v1=${sig}`,
			'garbage',
		]) {
			invalid(() => verifySignature(req({ 'stripe-signature': h }), options, NOW_MS), [sig]);
		}
	});

	it('rejects a missing or empty header with 1001', () => {
		const err = missing(() => verifySignature(req({}), options, NOW_MS));
		expect(err.message).toBe('Authentication required: no signature in the request');
		missing(() => verifySignature(req({ 'stripe-signature': '' }), options, NOW_MS));
		missing(() => verifySignature(req({ 'stripe-signature': '   ' }), options, NOW_MS));
	});

	it('refuses the same header given twice', () => {
		const sig = sign(NOW);
		invalid(
			() => verifySignature(req({ 'stripe-signature': [header(NOW, sig), header(NOW, sig)] }), options, NOW_MS),
			[sig],
		);
	});

	it('verifies a missing raw body as an empty body', () => {
		const noBody = (h: string): AuthRequest => ({ method: 'POST', headers: { 'stripe-signature': h }, query: {} });
		expect(() => verifySignature(noBody(header(NOW, sign(NOW, ''))), options, NOW_MS)).not.toThrow();
		invalid(() => verifySignature(noBody(header(NOW, sign(NOW))), options, NOW_MS));
	});
});

// -------------------------------------------------------------------------------------------------

describe('github', () => {
	const options: SignatureOptions = { scheme: 'github', secret: SECRET };
	const sign = (body: string | Buffer = BODY, secret = SECRET) => `sha256=${hmacOf('sha256', secret, body)}`;

	it('accepts a real signature', () => {
		expect(verifySignature(req({ 'x-hub-signature-256': sign() }), options, NOW_MS)).toEqual(accepted('github'));
	});

	it('verifies the exact raw bytes (not valid UTF-8 too)', () => {
		const bytes = Buffer.concat([Buffer.from(BODY), Buffer.from([0xff, 0xfe, 0x00, 0xc3])]);
		expect(() => verifySignature(req({ 'x-hub-signature-256': sign(bytes) }, bytes), options, NOW_MS)).not.toThrow();
	});

	it.each([
		...tamperings(sign, 2),
		['truncated by one hex digit', () => sign().slice(0, -1), BODY],
		['non-hex garbage', () => `sha256=${'g'.repeat(64)}`, BODY],
		['no sha256= prefix', () => sign().slice('sha256='.length), BODY],
		['sha1 prefix', () => `sha1=${hmacOf('sha1', SECRET, BODY)}`, BODY],
		['signature of the empty body', () => sign(''), BODY],
	])('rejects %s', (_name, signature, body) => {
		const sig = signature();
		invalid(() => verifySignature(req({ 'x-hub-signature-256': sig }, body), options, NOW_MS), [
			sig,
			sig.replace('sha256=', ''),
		]);
	});

	it('rejects a missing header with 1001 (the legacy sha1 header is not enough)', () => {
		missing(() => verifySignature(req({}), options, NOW_MS));
		missing(() =>
			verifySignature(req({ 'x-hub-signature': `sha1=${hmacOf('sha1', SECRET, BODY)}` }), options, NOW_MS),
		);
	});
});

// -------------------------------------------------------------------------------------------------

describe('shopify', () => {
	const options: SignatureOptions = { scheme: 'shopify', secret: SECRET };
	const sign = (body: string | Buffer = BODY, secret = SECRET) => hmacOf('sha256', secret, body, 'base64');

	it('accepts a real signature', () => {
		expect(verifySignature(req({ 'x-shopify-hmac-sha256': sign() }), options, NOW_MS)).toEqual(accepted('shopify'));
	});

	it.each([
		...tamperings(sign, 4),
		['truncated by one character', () => sign().slice(0, -2), BODY],
		['hex instead of base64', () => hmacOf('sha256', SECRET, BODY, 'hex'), BODY],
		['base64 garbage', () => '!!!not*base64!!!', BODY],
		['base64 with junk appended', () => `${sign()}AAAA`, BODY],
		['base64url alphabet', () => sign().replace(/\+/g, '-').replace(/\//g, '_') + '-', BODY],
	])('rejects %s', (_name, signature, body) => {
		const sig = signature();
		invalid(() => verifySignature(req({ 'x-shopify-hmac-sha256': sig }, body), options, NOW_MS), [sig]);
	});

	it('accepts the signature without its = padding', () => {
		expect(() => verifySignature(req({ 'x-shopify-hmac-sha256': sign().replace(/=+$/, '') }), options, NOW_MS)).not.toThrow();
	});

	it('refuses a non-canonical base64 spelling of the right bytes (spare bits set)', () => {
		const sig = sign(); // 32 bytes: 43 characters + '=', the last character carries 2 spare bits
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
		const last = alphabet.indexOf(sig[42]);
		const variant = `${sig.slice(0, 42)}${alphabet[last ^ 0x01]}=`;
		expect(Buffer.from(variant, 'base64').equals(Buffer.from(sig, 'base64'))).toBe(true);
		invalid(() => verifySignature(req({ 'x-shopify-hmac-sha256': variant }), options, NOW_MS), [sig, variant]);
	});

	it('rejects a missing header with 1001', () => {
		missing(() => verifySignature(req({}), options, NOW_MS));
	});
});

// -------------------------------------------------------------------------------------------------

describe('slack', () => {
	const options: SignatureOptions = { scheme: 'slack', secret: SECRET };
	const sign = (ts: number, body: string | Buffer = BODY, secret = SECRET) =>
		`v0=${hmacOf('sha256', secret, Buffer.concat([Buffer.from(`v0:${ts}:`), Buffer.from(body)]))}`;
	const headers = (ts: number | string, sig: string) => ({
		'x-slack-request-timestamp': String(ts),
		'x-slack-signature': sig,
	});

	it('accepts a real signature and returns the timestamp', () => {
		expect(verifySignature(req(headers(NOW, sign(NOW))), options, NOW_MS)).toEqual({
			user: { signatureScheme: 'slack', signedWith: 'current', timestamp: NOW },
			roles: [],
		});
	});

	it('accepts inside the tolerance, rejects a replay outside it', () => {
		const inside = NOW - 250;
		expect(() => verifySignature(req(headers(inside, sign(inside))), options, NOW_MS)).not.toThrow();
		const replay = NOW - 301;
		const sig = sign(replay);
		const err = stale(() => verifySignature(req(headers(replay, sig)), options, NOW_MS), [sig]);
		expect(err.message).toContain('the signed timestamp is more than');
		// the same captured request replayed an hour later
		const captured = req(headers(NOW, sign(NOW)));
		stale(() => verifySignature(captured, options, NOW_MS + 3600_000));
	});

	it.each([
		...tamperings((body, secret) => sign(NOW, body, secret), 2),
		['signature of another timestamp', () => sign(NOW - 1), BODY],
		['non-hex garbage', () => `v0=${'x'.repeat(64)}`, BODY],
		['wrong version', () => sign(NOW).replace('v0=', 'v1='), BODY],
		['no version', () => sign(NOW).slice(3), BODY],
	])('rejects %s', (_name, signature, body) => {
		const sig = signature();
		invalid(() => verifySignature(req(headers(NOW, sig), body), options, NOW_MS), [sig, sig.slice(3)]);
	});

	it('rejects a malformed timestamp', () => {
		const sig = sign(NOW);
		for (const ts of ['abc', `${NOW}.0`, `${NOW}x`, '-1']) {
			invalid(() => verifySignature(req(headers(ts, sig)), options, NOW_MS), [sig]);
		}
	});

	it('rejects a missing signature or timestamp header with 1001', () => {
		missing(() => verifySignature(req({}), options, NOW_MS));
		missing(() => verifySignature(req({ 'x-slack-signature': sign(NOW) }), options, NOW_MS));
		missing(() => verifySignature(req({ 'x-slack-request-timestamp': String(NOW) }), options, NOW_MS));
	});
});

// -------------------------------------------------------------------------------------------------

describe('standardWebhooks', () => {
	const key = randomBytes(24);
	const otherKey = randomBytes(24);
	const secret = `whsec_${key.toString('base64')}`;
	const options: SignatureOptions = { scheme: 'standardWebhooks', secret };
	const ID = 'msg_2Lx0Yv4mQ3n8';
	const sign = (id: string, ts: number, body: string | Buffer = BODY, k: Buffer = key) =>
		hmacOf('sha256', k, Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.from(body)]), 'base64');
	const headers = (signatures: string, id = ID, ts: number | string = NOW) => ({
		'webhook-id': id,
		'webhook-timestamp': String(ts),
		'webhook-signature': signatures,
	});

	it('accepts a real signature with a whsec_ secret and returns the id and timestamp', () => {
		expect(verifySignature(req(headers(`v1,${sign(ID, NOW)}`)), options, NOW_MS)).toEqual({
			user: { signatureScheme: 'standardWebhooks', signedWith: 'current', webhookId: ID, timestamp: NOW },
			roles: [],
		});
	});

	it('uses the decoded key, not the secret text', () => {
		const sig = hmacOf('sha256', secret, `${ID}.${NOW}.${BODY}`, 'base64');
		invalid(() => verifySignature(req(headers(`v1,${sig}`)), options, NOW_MS), [sig, secret]);
	});

	it('accepts when any of several signatures matches, ignoring other versions', () => {
		const good = sign(ID, NOW);
		const old = sign(ID, NOW, BODY, otherKey);
		const list = `v1,${old} v1a,${'A'.repeat(86)}== v1,${good}`;
		expect(() => verifySignature(req(headers(list)), options, NOW_MS)).not.toThrow();
	});

	it('rejects several signatures when none matches', () => {
		const list = `v1,${sign(ID, NOW, BODY, otherKey)} v1,${sign('msg_other', NOW)} v1,${sign(ID, NOW - 1)}`;
		invalid(() => verifySignature(req(headers(list)), options, NOW_MS), [secret, key.toString('base64')]);
	});

	it('accepts inside the tolerance, rejects outside', () => {
		const inside = NOW + 120;
		expect(() => verifySignature(req(headers(`v1,${sign(ID, inside)}`, ID, inside)), options, NOW_MS)).not.toThrow();
		const outside = NOW - 600;
		const err = stale(() =>
			verifySignature(req(headers(`v1,${sign(ID, outside)}`, ID, outside)), options, NOW_MS),
		);
		expect(err.message).toContain('the signed timestamp is more than');
	});

	it.each([
		['wrong key', () => `v1,${sign(ID, NOW, BODY, otherKey)}`, BODY],
		['tampered body', () => `v1,${sign(ID, NOW)}`, tamper(BODY)],
		['re-serialised body', () => `v1,${sign(ID, NOW)}`, RESERIALISED],
		['truncated signature', () => `v1,${sign(ID, NOW).slice(0, -4)}`, BODY],
		['signature of another timestamp', () => `v1,${sign(ID, NOW - 5)}`, BODY],
		['signature of another message id', () => `v1,${sign('msg_other', NOW)}`, BODY],
		['base64 garbage', () => 'v1,@@@@not-base64@@@@', BODY],
		['hex instead of base64', () => `v1,${hmacOf('sha256', key, `${ID}.${NOW}.${BODY}`, 'hex')}`, BODY],
		['no version', () => sign(ID, NOW), BODY],
		['only an unknown version', () => `v2,${sign(ID, NOW)}`, BODY],
	])('rejects %s', (_name, signatures, body) => {
		const s = signatures();
		invalid(() => verifySignature(req(headers(s), body), options, NOW_MS), [
			s,
			s.replace(/^v\d,/, ''),
			secret,
			key.toString('base64'),
		]);
	});

	it('rejects a missing id, timestamp or signature header with 1001', () => {
		const all = headers(`v1,${sign(ID, NOW)}`);
		for (const drop of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
			const h: Record<string, string> = { ...all };
			delete h[drop];
			missing(() => verifySignature(req(h), options, NOW_MS));
		}
	});

	it('accepts a secret without the whsec_ prefix; refuses a secret that is not base64 (configuration error)', () => {
		const h = headers(`v1,${sign(ID, NOW)}`);
		expect(() =>
			verifySignature(req(h), { scheme: 'standardWebhooks', secret: key.toString('base64') }, NOW_MS),
		).not.toThrow();
		for (const bad of ['whsec_', 'whsec_***', '']) {
			expectConfigurationError(() => verifySignature(req(h), { scheme: 'standardWebhooks', secret: bad }, NOW_MS));
		}
	});
});

// -------------------------------------------------------------------------------------------------

/**
 * The Standard Webhooks spec repository's own vectors (standard-webhooks/standard-webhooks,
 * libraries/python/tests/test_webhooks.py: `test_sign_function`, `test_invalid_signature_raises_error`,
 * `test_multi_sig_payload_is_valid`, `test_signature_verification_with_unpadded_secret`). The Python
 * test signs the unpadded cases with the key `base64.b64decode(secret + "=")` / `+ "=="`; those
 * signatures (computed with the reference Python library's decoding, equal to @stablelib/base64's
 * used by the JavaScript library) are written out here.
 */
describe('standardWebhooks: the spec repository vectors', () => {
	const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
	const TIMESTAMP = 1614265330;
	const PAYLOAD = '{"test": 2432232314}';
	const at = TIMESTAMP * 1000;
	const call = (signature: string) =>
		req({ 'webhook-id': MSG_ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': signature }, PAYLOAD);
	const verify = (secret: string, signature: string) =>
		verifySignature(call(signature), { scheme: 'standardWebhooks', secret }, at);
	const verified = { user: { signatureScheme: 'standardWebhooks', signedWith: 'current', webhookId: MSG_ID, timestamp: TIMESTAMP }, roles: [] };

	it('test_sign_function: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw signs to g0hM9SsE…1OE=', () => {
		expect(verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')).toEqual(verified);
		expect(verify('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')).toEqual(verified);
	});

	it('test_invalid_signature_raises_error: the last character changed (…1OA=) is refused', () => {
		invalid(() => verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='));
	});

	it('test_multi_sig_payload_is_valid: stale v1 and unknown v2 entries around the right one', () => {
		const stale = 'Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
		const list = [`v1,${stale}`, `v2,${stale}`, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', `v1,${stale}`].join(' ');
		expect(verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', list)).toEqual(verified);
		invalid(() => verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `v1,${stale} v2,${stale}`));
	});

	it.each([
		['needs no padding', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='],
		['needs one padding (spare bits set in the last character)', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'LVOXivKoo4FWasi/IaHvzhE/u+7/cu2AME+zS/nXqzk='],
		['needs two padding (spare bits set in the last character)', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr', 'yK2tMbA6BHPrMEJ1lLv7UlJJbgFoqGenJkiajZ29evg='],
	])('test_signature_verification_with_unpadded_secret: %s', (_, secret, signature) => {
		// The vector is what the Python test computes: HMAC with the key base64-decoded after padding.
		const padded = secret.padEnd(Math.ceil(secret.length / 4) * 4, '=');
		const key = Buffer.from(padded, 'base64');
		expect(hmacOf('sha256', key, `${MSG_ID}.${TIMESTAMP}.${PAYLOAD}`, 'base64')).toBe(signature);
		for (const spelling of [secret, `whsec_${secret}`, padded, `whsec_${padded}`, ` whsec_${secret}\n`]) {
			expect(verify(spelling, `v1,${signature}`)).toEqual(verified);
		}
		// Signatures stay strict: the same bytes with spare bits set are not this signature.
		const sloppy = signature.replace(/E=$|k=$|g=$/, (m) => `${String.fromCharCode(m.charCodeAt(0) + 1)}=`);
		invalid(() => verify(secret, `v1,${sloppy}`));
	});

	it.each([
		['whsec_', /nothing follows whsec_/],
		['', /nothing follows whsec_/],
		['whsec_====', /only = padding/],
		['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS===', /more than two = padding/],
		['whsec_MfKQ9r8GKYqrTwjUPD8I LPZIo2LaLaSw', /whitespace/],
		['whsec_MfKQ9r8GKYqrTwjU=PD8ILPZIo2LaLaSw', /padding in the middle/],
		['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-aS_', /URL-safe base64/],
		['whsec_***secret-material***', /not base64 \(only A-Z, a-z, 0-9, \+ and \/ are\)/],
		['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwB', /33 base64 characters cannot be whole bytes/],
	])('a secret that cannot be base64 (%j) is a configuration error saying why', (secret, reason) => {
		const { message } = expectConfigurationError(() => verify(secret, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='));
		expect(message).toMatch(/^Signature verification: the Standard Webhooks secret must be whsec_ followed by base64; /);
		expect(message).toMatch(reason);
		const body = secret.replace(/^whsec_/, '');
		if (body.length > 4) expect(message).not.toContain(body.slice(0, 8));
	});
});

// -------------------------------------------------------------------------------------------------

describe('generic hmac', () => {
	const cases: Array<{ algorithm: 'sha1' | 'sha256' | 'sha512'; encoding: 'hex' | 'base64'; prefix?: string }> = [
		{ algorithm: 'sha1', encoding: 'hex' },
		{ algorithm: 'sha1', encoding: 'base64', prefix: 'sha1=' },
		{ algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
		{ algorithm: 'sha256', encoding: 'base64' },
		{ algorithm: 'sha512', encoding: 'hex' },
		{ algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' },
	];

	describe.each(cases.map((c) => ({ ...c, label: c.prefix ?? '(none)' })))(
		'$algorithm / $encoding / prefix $label',
		({ algorithm, encoding, prefix }) => {
			const options: SignatureOptions = { scheme: 'hmac', secret: SECRET, header: 'X-Signature', algorithm, encoding, prefix };
			const sign = (body: string | Buffer = BODY, secret = SECRET) =>
				`${prefix ?? ''}${hmacOf(algorithm, secret, body, encoding)}`;

			it('accepts a real signature', () => {
				expect(verifySignature(req({ 'x-signature': sign() }), options, NOW_MS)).toEqual(accepted('hmac'));
			});

			it.each([
				...tamperings(sign, 4),
				['non-hex / non-base64 garbage', () => `${prefix ?? ''}~~~~garbage~~~~`, BODY],
			])('rejects %s', (_name, signature, body) => {
				const sig = signature();
				invalid(() => verifySignature(req({ 'x-signature': sig }, body), options, NOW_MS), [
					sig,
					sig.slice((prefix ?? '').length),
				]);
			});

			it('rejects a missing header with 1001', () => {
				missing(() => verifySignature(req({ 'x-other': sign() }), options, NOW_MS));
			});
		},
	);

	it('defaults to sha256 / hex without a prefix', () => {
		const sig = hmacOf('sha256', SECRET, BODY);
		expect(() => verifySignature(req({ 'x-sig': sig }), { scheme: 'hmac', secret: SECRET, header: 'x-sig' }, NOW_MS)).not.toThrow();
		invalid(() =>
			verifySignature(req({ 'x-sig': hmacOf('sha512', SECRET, BODY) }), { scheme: 'hmac', secret: SECRET, header: 'x-sig' }, NOW_MS),
		);
	});

	it('requires the configured prefix', () => {
		const sig = hmacOf('sha256', SECRET, BODY);
		invalid(
			() =>
				verifySignature(req({ 'x-sig': sig }), { scheme: 'hmac', secret: SECRET, header: 'x-sig', prefix: 'sha256=' }, NOW_MS),
			[sig],
		);
	});

	it('rejects a signature for another algorithm of the same encoding', () => {
		const sig = hmacOf('sha1', SECRET, BODY);
		invalid(
			() =>
				verifySignature(req({ 'x-sig': sig }), { scheme: 'hmac', secret: SECRET, header: 'x-sig', algorithm: 'sha256' }, NOW_MS),
			[sig],
		);
	});

	it('throws a plain configuration error without a header name', () => {
		expectConfigurationError(() => verifySignature(req({}), { scheme: 'hmac', secret: SECRET }, NOW_MS));
	});
});

// -------------------------------------------------------------------------------------------------

describe('configuration', () => {
	it('never accepts with an empty secret (configuration error, not a pass)', () => {
		const sig = `sha256=${hmacOf('sha256', '', BODY)}`;
		expect(() => verifySignature(req({ 'x-hub-signature-256': sig }), { scheme: 'github', secret: '' }, NOW_MS)).toThrow(
			/secret is empty/,
		);
	});

	it('refuses an unknown scheme', () => {
		expect(() =>
			verifySignature(req({}), { scheme: 'nope' as unknown as SignatureOptions['scheme'], secret: SECRET }, NOW_MS),
		).toThrow(/unknown scheme/);
	});

	it('configuration errors do not contain the secret', () => {
		const run = (secret: string) => () =>
			verifySignature(req({ 'webhook-id': 'a', 'webhook-timestamp': String(NOW), 'webhook-signature': 'v1,AAAA' }), {
				scheme: 'standardWebhooks',
				secret,
			});
		expect(run('whsec_***secret-material***')).toThrow(/Standard Webhooks secret/);
		expect(run('whsec_***secret-material***')).not.toThrow(/secret-material/);
	});
});
