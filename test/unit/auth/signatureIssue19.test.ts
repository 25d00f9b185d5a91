import { createHash, createHmac, createPrivateKey, generateKeyPairSync, sign as edSign } from 'node:crypto';

import Stripe from 'stripe';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';

import { testSignatureCredential } from '../../../nodes/callback/auth/credentialTests';
import { challengeReply, signatureOptions } from '../../../nodes/callback/auth/guard';
import { type SignatureOptions, type SignatureScheme, verifySignature, zoomValidationReply } from '../../../nodes/callback/auth/signature';
import type { AuthRequest } from '../../../nodes/callback/auth/types';
import { ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import { publicCallUrl, withPublicBase } from '../../../nodes/callback/urls/callUrl';
import { expectConfigurationError, expectRejection } from '../helpers';

/*
 * Issue 19 (signatures): rotation for every scheme, signing templates (generic HMAC, Zoom and
 * Twilio presets), Standard Webhooks v1a. Signatures come from the vendors' documented examples
 * and their own libraries (stripe, standardwebhooks, twilio) where they exist.
 */

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const CURRENT = 'current-secret-0123456789';
const PREVIOUS = 'previous-secret-9876543210';
const STRANGER = 'nobody-configured-this-one';
const BODY = '{"id":"evt_19","type":"rotation.test"}';

function call(headers: AuthRequest['headers'], body: string | Buffer = BODY, extra: Partial<AuthRequest> = {}): AuthRequest {
	return { method: 'POST', headers, query: {}, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), ...extra };
}
const hex = (alg: string, key: string | Buffer, data: string | Buffer) => createHmac(alg, key).update(data).digest('hex');
const b64 = (alg: string, key: string | Buffer, data: string | Buffer) => createHmac(alg, key).update(data).digest('base64');
const reject = (fn: () => unknown, code: number) => expectRejection(fn, 401, code, [CURRENT, PREVIOUS, STRANGER]);

// ---- rotation ------------------------------------------------------------------------------------

const whsec = (s: string) => `whsec_${Buffer.from(s).toString('base64')}`;
const stripe = new Stripe('sk_test_issue19');

/** For each scheme: the headers a sender holding `secret` sends with BODY at NOW. */
const signers: Record<Exclude<SignatureScheme, 'hmac' | 'zoom' | 'twilio'>, (secret: string) => AuthRequest['headers']> = {
	// Stripe's own library makes the header.
	stripe: (secret) => ({ 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: BODY, secret, timestamp: NOW }) }),
	github: (secret) => ({ 'x-hub-signature-256': `sha256=${hex('sha256', secret, BODY)}` }),
	shopify: (secret) => ({ 'x-shopify-hmac-sha256': b64('sha256', secret, BODY) }),
	slack: (secret) => ({ 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': `v0=${hex('sha256', secret, `v0:${NOW}:${BODY}`)}` }),
	// The standardwebhooks library signs.
	standardWebhooks: (secret) => {
		const signature = new StandardWebhook(whsec(secret)).sign('msg_19', new Date(NOW_MS), BODY);
		return { 'webhook-id': 'msg_19', 'webhook-timestamp': String(NOW), 'webhook-signature': signature };
	},
};
const secretOf = (scheme: string, s: string) => (scheme === 'standardWebhooks' ? whsec(s) : s);

describe('rotation: a current and a previous secret, for every scheme', () => {
	describe.each(Object.keys(signers) as Array<keyof typeof signers>)('%s', (scheme) => {
		const options: SignatureOptions = { scheme, secret: secretOf(scheme, CURRENT), previousSecret: secretOf(scheme, PREVIOUS) };
		const sign = signers[scheme];

		it('accepts the current and the previous secret, and says which one signed', () => {
			expect(verifySignature(call(sign(CURRENT)), options, NOW_MS).user.signedWith).toBe('current');
			expect(verifySignature(call(sign(PREVIOUS)), options, NOW_MS).user.signedWith).toBe('previous');
		});

		it('refuses a secret that is neither (1002), and the previous one once it is removed', () => {
			reject(() => verifySignature(call(sign(STRANGER)), options, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
			reject(() => verifySignature(call(sign(PREVIOUS)), { ...options, previousSecret: '' }, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
		});

		it('compares with every secret even when the first matches (no early exit)', () => {
			// The module object signature.ts calls through (named imports compile to property reads).
			const spy = jest.spyOn(jest.requireActual<typeof import('node:crypto')>('node:crypto'), 'timingSafeEqual');
			try {
				verifySignature(call(sign(CURRENT)), options, NOW_MS);
				const withBoth = spy.mock.calls.length;
				spy.mockClear();
				verifySignature(call(sign(CURRENT)), { ...options, previousSecret: undefined }, NOW_MS);
				expect(withBoth).toBe(2 * spy.mock.calls.length);
			} finally {
				spy.mockRestore();
			}
		});
	});

	it('GitHub: the documented example signature verifies as the previous secret', () => {
		// docs.github.com, "Validating webhook deliveries": secret, payload and signature as documented.
		const documented = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
		const options: SignatureOptions = { scheme: 'github', secret: CURRENT, previousSecret: "It's a Secret to Everybody" };
		expect(verifySignature(call(documented, 'Hello, World!'), options).user.signedWith).toBe('previous');
	});

	it('the templates (generic, Zoom, Twilio) rotate too', () => {
		const generic: SignatureOptions = { scheme: 'hmac', header: 'x-sig', secret: CURRENT, previousSecret: PREVIOUS };
		expect(verifySignature(call({ 'x-sig': hex('sha256', PREVIOUS, BODY) }), generic, NOW_MS).user.signedWith).toBe('previous');
		const zoom: SignatureOptions = { scheme: 'zoom', secret: CURRENT, previousSecret: PREVIOUS };
		const zoomHeaders = { 'x-zm-request-timestamp': String(NOW), 'x-zm-signature': `v0=${hex('sha256', PREVIOUS, `v0:${NOW}:${BODY}`)}` };
		expect(verifySignature(call(zoomHeaders), zoom, NOW_MS).user.signedWith).toBe('previous');
		const url = 'https://hooks.example.com/webhook/abc/callback';
		const twilio: SignatureOptions = { scheme: 'twilio', secret: CURRENT, previousSecret: PREVIOUS };
		const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(PREVIOUS, url, { A: '1' }) };
		expect(verifySignature(call(form, 'A=1', { url }), twilio, NOW_MS).user.signedWith).toBe('previous');
	});

	it('guard.ts reads the previous secret from the credential; an empty one is no secret', () => {
		expect(signatureOptions({ scheme: 'github', secret: 'a', previousSecret: 'b' }).previousSecret).toBe('b');
		expect(signatureOptions({ scheme: 'github', secret: 'a', previousSecret: '' }).previousSecret).toBeUndefined();
	});
});

// ---- Zoom ----------------------------------------------------------------------------------------

describe('Zoom preset', () => {
	// Zoom's "Verify webhook events" documents the algorithm with an example request (timestamp
	// 1658940994, event session.started) but no secret, so the signature is made here the way
	// Zoom's own sample code (zoom/webhook-sample) makes it.
	const ZOOM_TS = 1658940994;
	const ZOOM_BODY = '{"event":"session.started","payload":{"account_id":"{ACCOUNT_ID}","object":{"start_time":"2022-07-27T16:56:34Z","id":"{SESSION_ID}"}},"event_ts":1658940994914}';
	const zoomSign = (secret: string, ts = ZOOM_TS, body = ZOOM_BODY) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
	const options: SignatureOptions = { scheme: 'zoom', secret: CURRENT };
	const at = ZOOM_TS * 1000 + 5000;

	it("accepts Zoom's documented request signed as Zoom signs it, with the timestamp", () => {
		const identity = verifySignature(call({ 'x-zm-request-timestamp': String(ZOOM_TS), 'x-zm-signature': zoomSign(CURRENT) }, ZOOM_BODY), options, at);
		expect(identity.user).toEqual({ signatureScheme: 'zoom', signedWith: 'current', timestamp: ZOOM_TS });
	});

	it('refuses a replay outside the tolerance (1006), a missing timestamp (1001), another secret and a tampered body (1002)', () => {
		const headers = { 'x-zm-request-timestamp': String(ZOOM_TS), 'x-zm-signature': zoomSign(CURRENT) };
		reject(() => verifySignature(call(headers, ZOOM_BODY), options, at + 301_000), ErrorCodes.SIGNATURE_EXPIRED);
		reject(() => verifySignature(call({ 'x-zm-signature': zoomSign(CURRENT) }, ZOOM_BODY), options, at), ErrorCodes.UNAUTHENTICATED);
		reject(() => verifySignature(call({ ...headers, 'x-zm-signature': zoomSign(STRANGER) }, ZOOM_BODY), options, at), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(headers, ZOOM_BODY.replace('started', 'ended')), options, at), ErrorCodes.INVALID_CREDENTIAL);
		// The timestamp is signed: moving it into the window breaks the signature.
		reject(() => verifySignature(call({ ...headers, 'x-zm-request-timestamp': String(ZOOM_TS + 300) }, ZOOM_BODY), options, at + 301_000), ErrorCodes.INVALID_CREDENTIAL);
		// Without the v0= prefix.
		reject(() => verifySignature(call({ ...headers, 'x-zm-signature': zoomSign(CURRENT).slice(3) }, ZOOM_BODY), options, at), ErrorCodes.INVALID_CREDENTIAL);
	});
});

describe("Zoom's endpoint URL validation", () => {
	// Zoom's documented challenge body (Using webhooks, "Validate your webhook endpoint").
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- Zoom's published example value, not a secret
	const TOKEN = 'qgg8vlvZRS6UYooatFL8Aw';
	const CHALLENGE = { payload: { plainToken: TOKEN }, event_ts: 1654503849680, event: 'endpoint.url_validation' };
	const options: SignatureOptions = { scheme: 'zoom', secret: CURRENT, previousSecret: PREVIOUS };

	it('answers plainToken and its hex HMAC-SHA256 with the secret that signed the challenge', () => {
		expect(zoomValidationReply(options, 'current', CHALLENGE)).toEqual({ plainToken: TOKEN, encryptedToken: hex('sha256', CURRENT, TOKEN) });
		expect(zoomValidationReply(options, 'previous', CHALLENGE)?.encryptedToken).toBe(hex('sha256', PREVIOUS, TOKEN));
	});

	it('other events, other schemes and unauthenticated calls get no reply', () => {
		expect(zoomValidationReply(options, 'current', { event: 'meeting.started' })).toBeUndefined();
		expect(zoomValidationReply({ ...options, scheme: 'slack' }, 'current', CHALLENGE)).toBeUndefined();
		expect(zoomValidationReply(options, 'current', 'text')).toBeUndefined();
		const settings = { authentication: 'signature' as const, credential: { scheme: 'zoom', secret: CURRENT }, requiredRoles: [], rolesMatch: 'any' as const, onFail: 'error' as const };
		expect(challengeReply(settings, undefined, CHALLENGE)).toBeUndefined();
		expect(challengeReply({ ...settings, authentication: 'none' }, { user: { signedWith: 'current' }, roles: [] }, CHALLENGE)).toBeUndefined();
		expect(challengeReply(settings, { user: { signedWith: 'current' }, roles: [] }, CHALLENGE)?.encryptedToken).toBe(hex('sha256', CURRENT, TOKEN));
	});

	it('a plainToken shaped like signed content is refused (the reply would be a signing oracle)', () => {
		for (const plainToken of [`v0:${NOW}:{"event":"meeting.started"}`, '', 'short', 42]) {
			reject(() => zoomValidationReply(options, 'current', { ...CHALLENGE, payload: { plainToken } }), ErrorCodes.INVALID_CREDENTIAL);
		}
	});
});

// ---- Twilio --------------------------------------------------------------------------------------

describe('Twilio preset', () => {
	// Twilio's documented example (Webhooks security; the validator tests of its libraries).
	const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
	const DOC_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
	const DOC_SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
	const formBody = (params: Record<string, string | string[]>) => {
		const out = new URLSearchParams();
		for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) out.append(k, one);
		return out.toString();
	};
	const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
	const options: SignatureOptions = { scheme: 'twilio', secret: '12345' };

	it("accepts Twilio's documented example, whatever the order of the form fields", () => {
		const reversed = Object.fromEntries(Object.entries(DOC_PARAMS).reverse());
		for (const params of [DOC_PARAMS, reversed]) {
			const req = call({ ...FORM, 'x-twilio-signature': DOC_SIGNATURE }, formBody(params), { url: DOC_URL });
			expect(verifySignature(req, options).user).toEqual({ signatureScheme: 'twilio', signedWith: 'current' });
		}
		expect(getExpectedTwilioSignature('12345', DOC_URL, DOC_PARAMS)).toBe(DOC_SIGNATURE);
	});

	it('refuses the documented signature for another URL, another field value or another token', () => {
		const sig = { ...FORM, 'x-twilio-signature': DOC_SIGNATURE };
		reject(() => verifySignature(call(sig, formBody(DOC_PARAMS), { url: DOC_URL.replace('bar=2', 'bar=3') }), options), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(sig, formBody({ ...DOC_PARAMS, Digits: '9999' }), { url: DOC_URL }), options), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(sig, formBody(DOC_PARAMS), { url: DOC_URL }), { ...options, secret: '54321' }), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(FORM, formBody(DOC_PARAMS), { url: DOC_URL }), options), ErrorCodes.UNAUTHENTICATED);
	});

	it("agrees with twilio's validateRequest on signatures its library makes (repeated fields, unicode, +, spaces, ports)", () => {
		const cases: Array<{ url: string; params: Record<string, string | string[]> }> = [
			{ url: 'https://hooks.example.com/webhook-waiting/42/node-1?signature=tok', params: { Body: 'Hello wörld + 1 & more', From: '+15550100', MessageSid: 'SM1' } },
			{ url: 'https://hooks.example.com:8443/n8n/webhook/abc/callback', params: { x: ['2', '1', '1'], a: '' } },
			{ url: 'http://127.0.0.1:5678/webhook/abc', params: {} },
		];
		for (const { url, params } of cases) {
			const signature = getExpectedTwilioSignature('tw-token', url, params);
			expect(validateRequest('tw-token', signature, url, params)).toBe(true);
			const req = call({ ...FORM, 'x-twilio-signature': signature }, formBody(params), { url });
			expect(verifySignature(req, { scheme: 'twilio', secret: 'tw-token' }).user.signatureScheme).toBe('twilio');
		}
	});

	it('accepts a signature made over the URL with its default port (as twilio’s validator does)', () => {
		const url = 'https://hooks.example.com/webhook/abc';
		const signature = getExpectedTwilioSignature('tw-token', 'https://hooks.example.com:443/webhook/abc', { A: '1' });
		expect(validateRequest('tw-token', signature, url, { A: '1' })).toBe(true);
		expect(verifySignature(call({ ...FORM, 'x-twilio-signature': signature }, 'A=1', { url }), { scheme: 'twilio', secret: 'tw-token' }).user.signedWith).toBe('current');
	});

	it('JSON bodies: the URL with bodySHA256 is signed and the body must match the hash', () => {
		const body = '{"event":"call.state"}';
		const hash = createHash('sha256').update(body).digest('hex');
		const url = `https://hooks.example.com/webhook/abc?bodySHA256=${hash}`;
		const signature = getExpectedTwilioSignature('tw-token', url, {});
		const json = { 'content-type': 'application/json', 'x-twilio-signature': signature };
		expect(verifySignature(call(json, body, { url }), { scheme: 'twilio', secret: 'tw-token' }).user.signatureScheme).toBe('twilio');
		const err = reject(() => verifySignature(call(json, '{"event":"call.other"}', { url }), { scheme: 'twilio', secret: 'tw-token' }), ErrorCodes.INVALID_CREDENTIAL);
		expect(err.message).toContain('bodySHA256');
	});

	it('a Webhooks Rule signing with HMAC-SHA256 (X-Twilio-Webhooks-Signature-Settings) is verified with SHA-256', () => {
		const url = 'https://hooks.example.com/webhook/abc';
		const signature = getExpectedTwilioSignature('shared-key', url, { A: '1' }, 'HMAC_SHA256');
		const headers = { ...FORM, 'x-twilio-signature': signature, 'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256' };
		expect(verifySignature(call(headers, 'A=1', { url }), { scheme: 'twilio', secret: 'shared-key' }).user.signedWith).toBe('current');
		reject(() => verifySignature(call({ ...headers, 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_MD5' }, 'A=1', { url }), { scheme: 'twilio', secret: 'shared-key' }), ErrorCodes.INVALID_CREDENTIAL);
	});

	it('behind a proxy: the configured public base URL replaces the origin and prefix n8n knows', () => {
		const seen = 'http://127.0.0.1:5678/webhook-waiting/7/node-1?signature=tok';
		const called = 'https://hooks.example.com/n8n/webhook-waiting/7/node-1?signature=tok';
		const signature = getExpectedTwilioSignature('tw-token', called, { A: '1' });
		const req = call({ ...FORM, 'x-twilio-signature': signature }, 'A=1', { url: seen });
		reject(() => verifySignature(req, { scheme: 'twilio', secret: 'tw-token' }), ErrorCodes.INVALID_CREDENTIAL);
		expect(verifySignature(req, { scheme: 'twilio', secret: 'tw-token', publicBaseUrl: 'https://hooks.example.com/n8n/' }).user.signatureScheme).toBe('twilio');
	});

	it('without a known URL it is a set-up error (500), not a refusal', () => {
		expectConfigurationError(() => verifySignature(call({ ...FORM, 'x-twilio-signature': DOC_SIGNATURE }, formBody(DOC_PARAMS)), options));
	});
});

// ---- generic template ----------------------------------------------------------------------------

describe('generic HMAC signing template', () => {
	const base: SignatureOptions = {
		scheme: 'hmac',
		secret: CURRENT,
		header: 'x-vendor-signature',
		prefix: 'v1=',
		template: 'v1:{timestamp}:{method}:{header:X-Vendor-Id}:{body}',
		timestampHeader: 'X-Vendor-Timestamp',
		encoding: 'base64',
		algorithm: 'sha512',
	};
	const signed = (overrides: Record<string, string> = {}, ts = NOW) => ({
		'x-vendor-timestamp': String(ts),
		'x-vendor-id': 'acct_7',
		'x-vendor-signature': `v1=${b64('sha512', CURRENT, `v1:${ts}:POST:acct_7:${BODY}`)}`,
		...overrides,
	});

	it('signs the parts the template names, with the digest and encoding chosen', () => {
		expect(verifySignature(call(signed()), base, NOW_MS).user).toEqual({ signatureScheme: 'hmac', signedWith: 'current', timestamp: NOW });
		// A Slack-like vendor: the default-free parts of the Slack scheme, as a template.
		const slackLike: SignatureOptions = { scheme: 'hmac', secret: CURRENT, header: 'x-sig', prefix: 'v0=', template: 'v0:{timestamp}:{body}', timestampHeader: 'x-ts' };
		expect(verifySignature(call({ 'x-ts': String(NOW), 'x-sig': `v0=${hex('sha256', CURRENT, `v0:${NOW}:${BODY}`)}` }), slackLike, NOW_MS).user.signatureScheme).toBe('hmac');
		// {url} and SHA-1 hex.
		const withUrl: SignatureOptions = { scheme: 'hmac', secret: CURRENT, header: 'x-sig', template: '{url}|{body}', algorithm: 'sha1' };
		const url = 'https://hooks.example.com/webhook/abc?x=1';
		expect(verifySignature(call({ 'x-sig': hex('sha1', CURRENT, `${url}|${BODY}`) }, BODY, { url }), withUrl, NOW_MS).user.signatureScheme).toBe('hmac');
	});

	it('the default template is the body alone (as before)', () => {
		const plain: SignatureOptions = { scheme: 'hmac', secret: CURRENT, header: 'x-sig' };
		expect(verifySignature(call({ 'x-sig': hex('sha256', CURRENT, BODY) }), plain, NOW_MS).user.signatureScheme).toBe('hmac');
	});

	it('a missing header the template names, or a missing timestamp, is 1001', () => {
		const noId = signed();
		delete (noId as Record<string, string>)['x-vendor-id'];
		const err = reject(() => verifySignature(call(noId), base, NOW_MS), ErrorCodes.UNAUTHENTICATED);
		expect(err.message).toBe('Authentication required: no x-vendor-id header in the request');
		const noTs = signed();
		delete (noTs as Record<string, string>)['x-vendor-timestamp'];
		expect(reject(() => verifySignature(call(noTs), base, NOW_MS), ErrorCodes.UNAUTHENTICATED).message).toContain('signature timestamp');
	});

	it('a stale or future timestamp outside the tolerance is 1006; inside it is accepted; a malformed one 1002', () => {
		const err = reject(() => verifySignature(call(signed({}, NOW - 301)), base, NOW_MS), ErrorCodes.SIGNATURE_EXPIRED);
		expect(err.message).toContain('more than 300 s');
		reject(() => verifySignature(call(signed({}, NOW + 400)), base, NOW_MS), ErrorCodes.SIGNATURE_EXPIRED);
		expect(verifySignature(call(signed({}, NOW - 299)), base, NOW_MS).user.timestamp).toBe(NOW - 299);
		expect(verifySignature(call(signed({}, NOW - 1000)), { ...base, toleranceSeconds: 1200 }, NOW_MS).user.signedWith).toBe('current');
		reject(() => verifySignature(call(signed({ 'x-vendor-timestamp': '2023-11-14T22:13:20Z' })), base, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
	});

	it('the wrong encoding (hex where base64 is configured and back) is 1002', () => {
		const hexSig = `v1=${createHmac('sha512', CURRENT).update(`v1:${NOW}:POST:acct_7:${BODY}`).digest('hex')}`;
		reject(() => verifySignature(call(signed({ 'x-vendor-signature': hexSig })), base, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(signed()), { ...base, encoding: 'hex' }, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
		// The right signature under another digest.
		reject(() => verifySignature(call(signed()), { ...base, algorithm: 'sha256' }, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
	});

	it('the method and the named header are signed: changing either breaks the signature', () => {
		reject(() => verifySignature({ ...call(signed()), method: 'PUT' }, base, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(signed({ 'x-vendor-id': 'acct_8' })), base, NOW_MS), ErrorCodes.INVALID_CREDENTIAL);
	});

	it.each([
		['an unknown placeholder', { template: '{body}{nonce}' }, /unknown placeholder "\{nonce\}"/],
		['{timestamp} without a timestamp header', { template: '{timestamp}.{body}', timestampHeader: '' }, /no timestamp header/],
		['{url} when the URL is not known', { template: '{url}{body}', timestampHeader: '' }, /URL of the call is not known/],
	])('set-up mistakes are configuration errors (500): %s', (_what, overrides, message) => {
		const headers = { 'x-vendor-signature': 'v1=AAAA', 'x-vendor-timestamp': String(NOW) };
		expect(expectConfigurationError(() => verifySignature(call(headers), { ...base, ...overrides }, NOW_MS)).message).toMatch(message);
	});
});

// ---- Standard Webhooks v1a -----------------------------------------------------------------------

describe('Standard Webhooks v1a (Ed25519, whpk_ keys)', () => {
	// RFC 8032 §7.1 TEST 1 key pair, serialised as the spec serialises keys (whsk_/whpk_ + base64).
	const RFC_SECRET = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
	const RFC_PUBLIC = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
	const WHPK = `whpk_${RFC_PUBLIC.toString('base64')}`;
	const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: RFC_SECRET.toString('base64url'), x: RFC_PUBLIC.toString('base64url') }, format: 'jwk' });
	// The spec's example message (spec/standard-webhooks.md, "Signature scheme").
	const ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
	const TS = 1674087231;
	const PAYLOAD = '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}';
	const at = TS * 1000;
	const v1a = (key = privateKey, payload = PAYLOAD) => `v1a,${edSign(null, Buffer.from(`${ID}.${TS}.${payload}`), key).toString('base64')}`;
	const headers = (signature: string) => ({ 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': signature });

	it('RFC 8032 TEST 1: the key pair as node:crypto loads it signs the empty message as the RFC says', () => {
		expect(edSign(null, Buffer.alloc(0), privateKey).toString('hex')).toBe(
			'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
		);
	});

	it("accepts the spec's example message signed v1a with that key, next to a v1 it cannot check", () => {
		// The spec's example header carries a v1 and a v1a signature, space-separated.
		const header = `v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= ${v1a()}`;
		const identity = verifySignature(call(headers(header), PAYLOAD), { scheme: 'standardWebhooks', secret: WHPK }, at);
		expect(identity.user).toEqual({ signatureScheme: 'standardWebhooks', signedWith: 'current', webhookId: ID, timestamp: TS });
	});

	it('refuses another key, a tampered payload, a truncated signature (1002); a replay (1006); only v1 when only whpk_ is set', () => {
		const options: SignatureOptions = { scheme: 'standardWebhooks', secret: WHPK };
		const other = generateKeyPairSync('ed25519').privateKey;
		reject(() => verifySignature(call(headers(v1a(other)), PAYLOAD), options, at), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(headers(v1a()), PAYLOAD.replace('contact', 'account')), options, at), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(headers(v1a().slice(0, -4)), PAYLOAD), options, at), ErrorCodes.INVALID_CREDENTIAL);
		reject(() => verifySignature(call(headers(v1a()), PAYLOAD), options, at + 301_000), ErrorCodes.SIGNATURE_EXPIRED);
		const onlyV1 = reject(() => verifySignature(call(headers('v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='), PAYLOAD), options, at), ErrorCodes.INVALID_CREDENTIAL);
		expect(onlyV1.message).toContain('no v1a signature');
	});

	it('rotating from a symmetric to an asymmetric key: current whpk_, previous whsec_ (signed by the standardwebhooks library)', () => {
		const secret = whsec(PREVIOUS);
		const v1 = new StandardWebhook(secret).sign(ID, new Date(at), PAYLOAD);
		const options: SignatureOptions = { scheme: 'standardWebhooks', secret: WHPK, previousSecret: secret };
		expect(verifySignature(call(headers(v1), PAYLOAD), options, at).user.signedWith).toBe('previous');
		expect(verifySignature(call(headers(`${v1} ${v1a()}`), PAYLOAD), options, at).user.signedWith).toBe('current');
	});

	it.each([
		['a whsk_ secret key', `whsk_${RFC_SECRET.toString('base64')}`, /public key \(whpk_/],
		['a whpk_ key of the wrong length', `whpk_${RFC_PUBLIC.subarray(0, 31).toString('base64')}`, /32 bytes/],
		['a whpk_ key that is not base64', 'whpk_not*base64', /not base64/],
	])('%s is a configuration error saying why', (_what, secret, message) => {
		expect(expectConfigurationError(() => verifySignature(call(headers(v1a()), PAYLOAD), { scheme: 'standardWebhooks', secret }, at)).message).toMatch(message);
	});
});

// ---- the public URL of a call ---------------------------------------------------------------------

describe('urls/callUrl: the URL a sender called', () => {
	it('n8n’s public base (from a node webhook URL) + the path from /webhook… on + the query as received', () => {
		expect(publicCallUrl('/webhook-waiting/7/node-1?signature=a%20b&x=1', 'https://hooks.example.com/n8n/webhook/abc/callback', {})).toBe(
			'https://hooks.example.com/n8n/webhook-waiting/7/node-1?signature=a%20b&x=1',
		);
		// A proxy that keeps its prefix in the path n8n sees: not doubled.
		expect(publicCallUrl('/n8n/webhook/abc/callback', 'https://hooks.example.com/n8n/webhook/abc/callback', {})).toBe('https://hooks.example.com/n8n/webhook/abc/callback');
	});

	it('without a webhook URL: X-Forwarded-Proto/Host, else Host', () => {
		expect(publicCallUrl('/webhook/a', undefined, { 'x-forwarded-host': 'pub.example.com', 'x-forwarded-proto': 'https', host: '10.0.0.5:5678' })).toBe('https://pub.example.com/webhook/a');
		expect(publicCallUrl('/webhook/a', undefined, { host: '127.0.0.1:5678' })).toBe('http://127.0.0.1:5678/webhook/a');
		expect(publicCallUrl('/webhook/a', undefined, {})).toBeUndefined();
	});

	it('withPublicBase replaces origin and prefix; a base with a query is a set-up error', () => {
		expect(withPublicBase('http://127.0.0.1:5678/webhook/x?y=1', 'https://a.example')).toBe('https://a.example/webhook/x?y=1');
		expect(() => withPublicBase('/webhook/x', 'https://a.example/?q=1')).toThrow(/public base URL/);
		expect(() => withPublicBase('/webhook/x', 'ftp://a.example')).toThrow(/public base URL/);
	});
});

// ---- credential tests ------------------------------------------------------------------------------

describe('credential test (issue 19 schemes)', () => {
	const NOW_REAL = Date.now();
	it.each([
		['zoom', { scheme: 'zoom', secret: CURRENT }],
		['twilio', { scheme: 'twilio', secret: CURRENT, publicBaseUrl: 'https://hooks.example.com/n8n' }],
		['generic template', { scheme: 'hmac', secret: CURRENT, header: 'x-sig', template: 'v1:{timestamp}:{header:x-acct}:{url}:{body}', timestampHeader: 'x-ts' }],
	])('%s: a signed call is accepted and a tampered one refused', (_what, data) => {
		const result = testSignatureCredential(data, NOW_REAL);
		expect(result).toEqual({ status: 'OK', message: expect.stringContaining('a call signed with this secret is accepted and a tampered one refused') });
		expect(result.message).not.toContain(CURRENT);
	});

	it('with a previous secret: both are checked', () => {
		const result = testSignatureCredential({ scheme: 'slack', secret: CURRENT, previousSecret: PREVIOUS }, NOW_REAL);
		expect(result.status).toBe('OK');
		expect(result.message).toContain('the current or the previous secret is accepted');
		expect(result.message).not.toContain(PREVIOUS);
	});

	it('a whpk_ public key: valid, a forged v1a refused; a whsk_ key: says to use the public key', () => {
		const { publicKey } = generateKeyPairSync('ed25519');
		const raw = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
		const ok = testSignatureCredential({ scheme: 'standardWebhooks', secret: `whpk_${raw.toString('base64')}`, previousSecret: whsec(PREVIOUS) }, NOW_REAL);
		expect(ok.status).toBe('OK');
		expect(ok.message).toContain('forged v1a signature is refused');
		expect(ok.message).toContain('previous secret is accepted');
		const bad = testSignatureCredential({ scheme: 'standardWebhooks', secret: `whsk_${raw.toString('base64')}` }, NOW_REAL);
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/whpk_/);
	});

	it.each([
		['an unknown placeholder', { template: '{body}{nonce}' }, /unknown placeholder/],
		['{timestamp} without a timestamp header', { template: '{timestamp}{body}' }, /no timestamp header/],
		['an invalid timestamp header name', { timestampHeader: 'x ts' }, /not a valid header name/],
		['a public base URL with a query', { template: '{url}', publicBaseUrl: 'https://a.example/?q=1' }, /public base URL/],
		['a bad previous secret for Standard Webhooks', { scheme: 'standardWebhooks', secret: whsec(CURRENT), previousSecret: 'whsec_***' }, /not base64/],
	])('says what is wrong: %s', (_what, overrides, message) => {
		const result = testSignatureCredential({ scheme: 'hmac', secret: CURRENT, header: 'x-sig', ...overrides }, NOW_REAL);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
	});
});
