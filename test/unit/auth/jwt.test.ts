/**
 * verifyJwt with real cryptography: keys are generated here, tokens are signed here with node:crypto.
 */
import * as crypto from 'node:crypto';

import { CallbackError } from '../../../nodes/callback/pipeline/errors';
import type { HttpFetch, HttpResponse } from '../../../nodes/callback/auth/types';
import {
	JWT_ALGORITHMS,
	clearJwksCache,
	verifyJwt as verifyJwtStrict,
	type JwtAlgorithm,
	type JwtDeps,
	type JwtOptions,
} from '../../../nodes/callback/auth/jwt/verify';

/**
 * These tests check signatures, keys and the other claims; the safer defaults (an audience and
 * an exp required) have their own tests in jwtOptions.test.ts. Options without an audience here
 * mean "any audience" (stated, as the credential's explicit option does).
 */
const verifyJwt = (token: string, options: JwtOptions, deps?: JwtDeps) =>
	verifyJwtStrict(token, options.audience === undefined && options.anyAudience === undefined ? { ...options, anyAudience: true } : options, deps);

/* -------------------------------------------------------------------------------------------- */
/* Keys and signing helper                                                                      */
/* -------------------------------------------------------------------------------------------- */

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaRotated = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaWeak = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec256 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec256Other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed = crypto.generateKeyPairSync('ed25519');
const edOther = crypto.generateKeyPairSync('ed25519');

const pem = (k: crypto.KeyObject) => k.export({ format: 'pem', type: 'spki' }).toString();
const RSA_PEM = pem(rsa.publicKey);
const RSA_PKCS1_PEM = rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString();
const EC256_PEM = pem(ec256.publicKey);
const EC384_PEM = pem(ec384.publicKey);
const ED_PEM = pem(ed.publicKey);

/** A self-signed P-256 certificate and its private key (openssl, test fixture only). */
const CERT_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFvHLTEfGxnjHppPz
b6mbRgKdM8yk1UyT7AQnsOCQbCehRANCAASVmWyi3oI3znz/WEru37/9jthaaZcE
BBKYHgka7hhC7Hgph1TJdiWF5D3kZ2lV+ZhCzjwRLKPI6cgBw9qm6CUi
-----END PRIVATE KEY-----`;
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBiDCCAS2gAwIBAgIUPbCGHnAmQKf46bmvR+Uf1Sv2tdowCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNand0LXVuaXQtdGVzdDAgFw0yNjExMjIxNzQzMTJaGA8yMTI2
MTAyOTE3NDMxMlowGDEWMBQGA1UEAwwNand0LXVuaXQtdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABJWZbKLegjfOfP9YSu7fv/2O2FpplwQEEpgeCRruGELs
eCmHVMl2JYXkPeRnaVX5mELOPBEso8jpyAHD2qboJSKjUzBRMB0GA1UdDgQWBBQE
mfX1U8zTIOQnXT4GImvYAgls5zAfBgNVHSMEGDAWgBQEmfX1U8zTIOQnXT4GImvY
Agls5zAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDiGWm1n/vd
0SQa0s8ZJU1y0GzHEUUWtkRjBKzg2ZGRSwIhAOnjy5nAebHGzgUPNAeRL/LhCVOp
tb4aCj2Vm9tG/L4H
-----END CERTIFICATE-----`;

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const SECRET = 'a-long-enough-test-secret-for-hmac-0123456789';

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** Signature over `input` for `alg` with `key` (a secret string for HS*, a private key otherwise). */
function rawSign(alg: string, input: string, key: string | crypto.KeyObject): Buffer {
	const data = Buffer.from(input);
	const hash = HASH[alg.slice(2)];
	if (alg.startsWith('HS')) return crypto.createHmac(hash, key as string).update(data).digest();
	const k = key as crypto.KeyObject;
	if (alg.startsWith('RS')) return crypto.sign(hash, data, { key: k, padding: crypto.constants.RSA_PKCS1_PADDING });
	if (alg.startsWith('PS')) {
		return crypto.sign(hash, data, {
			key: k,
			padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
			saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
		});
	}
	if (alg.startsWith('ES')) return crypto.sign(hash, data, { key: k, dsaEncoding: 'ieee-p1363' });
	if (alg === 'EdDSA') return crypto.sign(null, data, k);
	throw new Error(`test helper cannot sign ${alg}`);
}

/** A compact JWS. `header.alg` decides the algorithm; `key` may be omitted for an empty signature. */
function signJwt(
	header: Record<string, unknown>,
	payload: Record<string, unknown> | unknown,
	key?: string | crypto.KeyObject,
): string {
	const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
	const signature = key === undefined ? '' : b64url(rawSign(String(header.alg), input, key));
	return `${input}.${signature}`;
}

/* -------------------------------------------------------------------------------------------- */
/* Clock, claims, assertions                                                                    */
/* -------------------------------------------------------------------------------------------- */

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
let clock = NOW_MS;
const now = () => clock;

const claims = (extra: Record<string, unknown> = {}) => ({
	sub: 'user-1',
	iat: NOW,
	exp: NOW + 300,
	...extra,
});

const hsOptions = (extra: Partial<JwtOptions> = {}): JwtOptions => ({
	algorithms: ['HS256', 'HS384', 'HS512'],
	secret: SECRET,
	...extra,
});

async function rejectionOf(token: string, options: JwtOptions, deps: JwtDeps = { now }): Promise<CallbackError> {
	let error: unknown;
	try {
		await verifyJwt(token, options, deps);
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(CallbackError);
	const err = error as CallbackError;
	// Never the token, a part of it, the secret or a key in the message.
	if (typeof token === 'string' && token.length > 0) {
		expect(err.message).not.toContain(token);
		for (const part of token.split('.')) if (part.length >= 8) expect(err.message).not.toContain(part);
	}
	expect(err.message).not.toContain(SECRET);
	expect(err.message).not.toContain('BEGIN');
	return err;
}

/** Expect a 401 / 1002 rejection, with `reason` in the message. */
async function expectInvalid(token: string, options: JwtOptions, reason: string, deps?: JwtDeps): Promise<void> {
	const err = await rejectionOf(token, options, deps);
	expect(err.status).toBe(401);
	expect(err.code).toBe(1002);
	expect(err.message).toBe(`Authentication failed: ${reason}`);
}

/** Expect a 503 / 1050 rejection. */
async function expectUnavailable(token: string, options: JwtOptions, deps: JwtDeps): Promise<void> {
	const err = await rejectionOf(token, options, deps);
	expect(err.status).toBe(503);
	expect(err.code).toBe(1050);
	expect(err.message).toContain('JWKS');
}

/* -------------------------------------------------------------------------------------------- */
/* JWKS fake                                                                                    */
/* -------------------------------------------------------------------------------------------- */

const JWKS_URL = 'https://idp.example.test/.well-known/jwks.json';

function jwk(key: crypto.KeyObject, kid?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { ...key.export({ format: 'jwk' }), ...(kid === undefined ? {} : { kid }), use: 'sig', ...extra };
}

/** A fetch that answers the current `jwks.reply`; every call is recorded. */
function fakeJwks(initial: HttpResponse | (() => Promise<HttpResponse>)) {
	const state = { reply: initial };
	const fetch = jest.fn<ReturnType<HttpFetch>, Parameters<HttpFetch>>(async () =>
		typeof state.reply === 'function' ? state.reply() : state.reply,
	);
	return { state, fetch, deps: { fetch, now } as JwtDeps };
}

const jwksReply = (...keys: Array<Record<string, unknown>>): HttpResponse => ({ status: 200, body: { keys } });

const jwksOptions = (extra: Partial<JwtOptions> = {}): JwtOptions => ({
	algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
	jwksUrl: JWKS_URL,
	...extra,
});

beforeEach(() => {
	clock = NOW_MS;
	clearJwksCache();
});

/* -------------------------------------------------------------------------------------------- */
/* Tests                                                                                        */
/* -------------------------------------------------------------------------------------------- */

describe('JWT_ALGORITHMS', () => {
	it('lists exactly the supported algorithms', () => {
		expect([...JWT_ALGORITHMS]).toEqual([
			'HS256',
			'HS384',
			'HS512',
			'RS256',
			'RS384',
			'RS512',
			'PS256',
			'PS384',
			'PS512',
			'ES256',
			'ES384',
			'ES512',
			'EdDSA',
			'Ed25519',
			'Ed448',
		]);
	});
});

describe('verifyJwt: every algorithm, valid tokens', () => {
	const cases: Array<[JwtAlgorithm, string | crypto.KeyObject, Partial<JwtOptions>]> = [
		['HS256', SECRET, { secret: SECRET }],
		['HS384', SECRET, { secret: SECRET }],
		['HS512', SECRET, { secret: SECRET }],
		['RS256', rsa.privateKey, { publicKey: RSA_PEM }],
		['RS384', rsa.privateKey, { publicKey: RSA_PEM }],
		['RS512', rsa.privateKey, { publicKey: RSA_PEM }],
		['PS256', rsa.privateKey, { publicKey: RSA_PEM }],
		['ES256', ec256.privateKey, { publicKey: EC256_PEM }],
		['ES384', ec384.privateKey, { publicKey: EC384_PEM }],
		['EdDSA', ed.privateKey, { publicKey: ED_PEM }],
	];

	it.each(cases)('%s with a configured key', async (alg, signingKey, keyOptions) => {
		const payload = claims({ roles: ['admin'] });
		const token = signJwt({ alg, typ: 'JWT' }, payload, signingKey);
		const identity = await verifyJwt(token, { algorithms: [alg], ...keyOptions }, { now });
		expect(identity).toEqual({ user: payload, roles: ['admin'] });
	});

	it('accepts an RSA public key in PKCS#1 PEM', async () => {
		const token = signJwt({ alg: 'RS256' }, claims(), rsa.privateKey);
		await expect(verifyJwt(token, { algorithms: ['RS256'], publicKey: RSA_PKCS1_PEM }, { now })).resolves.toEqual({
			user: claims(),
			roles: [],
		});
	});

	it('accepts an X.509 certificate PEM as the public key', async () => {
		const token = signJwt({ alg: 'ES256' }, claims(), crypto.createPrivateKey(CERT_PRIVATE_KEY));
		const identity = await verifyJwt(token, { algorithms: ['ES256'], publicKey: CERT_PEM }, { now });
		expect(identity.user.sub).toBe('user-1');
	});

	it('accepts a token without any time claim only when exp is not required', async () => {
		const token = signJwt({ alg: 'HS256' }, { sub: 'x' }, SECRET);
		await expectInvalid(token, hsOptions(), 'token has no expiry (exp)');
		await expect(verifyJwt(token, hsOptions({ requireExp: false }), { now })).resolves.toEqual({ user: { sub: 'x' }, roles: [] });
	});

	it('uses Date.now() when no clock is given', async () => {
		const t = Math.floor(Date.now() / 1000);
		const token = signJwt({ alg: 'HS256' }, { iat: t, exp: t + 60 }, SECRET);
		await expect(verifyJwt(token, hsOptions())).resolves.toBeDefined();
		const expired = signJwt({ alg: 'HS256' }, { exp: t - 60 }, SECRET);
		await expectInvalid(expired, hsOptions(), 'token expired', {});
	});

	it('accepts with HS and asymmetric configured side by side, each with its own key', async () => {
		const options: JwtOptions = { algorithms: ['HS256', 'RS256'], secret: SECRET, publicKey: RSA_PEM };
		await expect(verifyJwt(signJwt({ alg: 'HS256' }, claims(), SECRET), options, { now })).resolves.toBeDefined();
		await expect(
			verifyJwt(signJwt({ alg: 'RS256' }, claims(), rsa.privateKey), options, { now }),
		).resolves.toBeDefined();
	});
});

describe('verifyJwt: malformed tokens', () => {
	const good = signJwt({ alg: 'HS256' }, claims(), SECRET);
	const [h, p, s] = good.split('.');
	const cases: Array<[string, string]> = [
		['empty string', ''],
		['one part', h],
		['two parts', `${h}.${p}`],
		['four parts', `${good}.${s}`],
		['empty header', `.${p}.${s}`],
		['empty payload', `${h}..${s}`],
		['standard base64 characters', `${h}.${p}.${s.slice(0, -2)}+/`],
		['base64 padding', `${h}.${p}.${s}=`],
		['header not JSON', `${b64url('{alg:HS256')}.${p}.${s}`],
		['header a JSON array', `${b64url('["HS256"]')}.${p}.${s}`],
		['header without alg', `${b64url('{"typ":"JWT"}')}.${p}.${s}`],
		['alg not a string', `${b64url('{"alg":256}')}.${p}.${s}`],
		['kid not a string', `${b64url('{"alg":"HS256","kid":7}')}.${p}.${s}`],
		['payload not JSON', `${h}.${b64url('not json')}.${s}`],
		['payload a JSON string', `${h}.${b64url('"sub"')}.${s}`],
		['payload null', `${h}.${b64url('null')}.${s}`],
		['whitespace around', ` ${good} `],
		['too long', `${h}.${b64url(JSON.stringify({ pad: 'x'.repeat(70000) }))}.${s}`],
	];

	it.each(cases)('%s → 401 malformed token', async (_name, token) => {
		await expectInvalid(token, hsOptions(), 'malformed token');
	});

	it('a non-canonical base64url signature (extra low bits) is malformed', async () => {
		// HS256 signatures are 32 bytes = 43 chars; the last char carries 4 unused bits.
		const last = s[s.length - 1];
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const flipped = alphabet[alphabet.indexOf(last) ^ 1];
		await expectInvalid(`${h}.${p}.${s.slice(0, -1)}${flipped}`, hsOptions(), 'malformed token');
	});

	it('a non-string token is malformed', async () => {
		await expectInvalid(undefined as unknown as string, hsOptions(), 'malformed token');
	});
});

describe('verifyJwt: attack corpus', () => {
	describe('alg none', () => {
		it.each(['none', 'None', 'NONE', 'nOnE'])('alg %s with an empty signature is rejected', async (alg) => {
			const token = signJwt({ alg, typ: 'JWT' }, claims());
			expect(token.endsWith('.')).toBe(true);
			await expectInvalid(token, hsOptions(), 'algorithm not allowed');
			// Even when (wrongly) listed in the allowlist.
			const listed = { ...hsOptions(), algorithms: [alg, 'HS256'] as unknown as JwtAlgorithm[] };
			await expectInvalid(token, listed, 'algorithm not allowed');
			await expectInvalid(token, { algorithms: [alg] as unknown as JwtAlgorithm[], publicKey: RSA_PEM }, 'algorithm not allowed');
		});

		it('alg none carrying an HMAC signature is rejected too', async () => {
			const input = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims()))}`;
			const sig = b64url(crypto.createHmac('sha256', SECRET).update(input).digest());
			await expectInvalid(`${input}.${sig}`, hsOptions(), 'algorithm not allowed');
		});
	});

	describe('key confusion', () => {
		it('HS256 signed with the RSA public key PEM as secret, verified against a publicKey config', async () => {
			const token = signJwt({ alg: 'HS256' }, claims(), RSA_PEM);
			// Allowlist includes HS256 but only a public key is configured.
			await expectInvalid(token, { algorithms: ['RS256', 'HS256'], publicKey: RSA_PEM }, 'algorithm not allowed');
			await expectInvalid(token, { algorithms: ['RS256'], publicKey: RSA_PEM }, 'algorithm not allowed');
		});

		it('HS256 signed with the public key PEM when that PEM was pasted into the secret field', async () => {
			const token = signJwt({ alg: 'HS256' }, claims(), RSA_PEM);
			await expectInvalid(token, { algorithms: ['HS256'], secret: RSA_PEM }, 'algorithm not allowed');
			const certToken = signJwt({ alg: 'HS256' }, claims(), CERT_PEM);
			await expectInvalid(certToken, { algorithms: ['HS256'], secret: CERT_PEM }, 'algorithm not allowed');
		});

		it('HS256 against a JWKS config is rejected without fetching', async () => {
			const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
			const token = signJwt({ alg: 'HS256', kid: 'k1' }, claims(), RSA_PEM);
			await expectInvalid(token, jwksOptions({ algorithms: ['HS256', 'RS256'] }), 'algorithm not allowed', deps);
			expect(fetch).not.toHaveBeenCalled();
		});

		it('RS256 with only a secret configured is rejected', async () => {
			const token = signJwt({ alg: 'RS256' }, claims(), rsa.privateKey);
			await expectInvalid(token, { algorithms: ['RS256', 'HS256'], secret: SECRET }, 'algorithm not allowed');
		});

		it('an empty secret never verifies HMAC', async () => {
			const token = signJwt({ alg: 'HS256' }, claims(), '');
			await expectInvalid(token, { algorithms: ['HS256'], secret: '' }, 'algorithm not allowed');
		});

		it.each<[string, JwtAlgorithm, crypto.KeyObject, string]>([
			['ES256 token, RSA key', 'ES256', ec256.privateKey, RSA_PEM],
			['ES384 token, P-256 key', 'ES384', ec384.privateKey, EC256_PEM],
			['ES256 token, P-384 key', 'ES256', ec256.privateKey, EC384_PEM],
			['RS256 token, EC key', 'RS256', rsa.privateKey, EC256_PEM],
			['PS256 token, Ed25519 key', 'PS256', rsa.privateKey, ED_PEM],
			['EdDSA token, EC key', 'EdDSA', ed.privateKey, EC256_PEM],
			['RS256 token, 1024-bit RSA key', 'RS256', rsaWeak.privateKey, pem(rsaWeak.publicKey)],
		])('key type must match the alg: %s', async (_name, alg, signingKey, publicKey) => {
			const token = signJwt({ alg }, claims(), signingKey);
			await expectInvalid(token, { algorithms: [...JWT_ALGORITHMS], publicKey }, 'algorithm not allowed');
		});

		it('an unparsable configured public key is a 500, not a leak', async () => {
			const token = signJwt({ alg: 'RS256' }, claims(), rsa.privateKey);
			const err = await rejectionOf(token, { algorithms: ['RS256'], publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' });
			expect(err.status).toBe(500);
			expect(err.code).toBe(1099);
		});

		it('an embedded jwk header (attacker key) is ignored', async () => {
			const attacker = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
			const token = signJwt(
				{ alg: 'RS256', jwk: attacker.publicKey.export({ format: 'jwk' }) },
				claims(),
				attacker.privateKey,
			);
			await expectInvalid(token, { algorithms: ['RS256'], publicKey: RSA_PEM }, 'signature invalid');
		});

		it('a jku / x5u header never leads to a fetch of that URL', async () => {
			const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
			const token = signJwt(
				{ alg: 'RS256', kid: 'k1', jku: 'https://attacker.test/jwks', x5u: 'https://attacker.test/cert' },
				claims(),
				rsaOther.privateKey,
			);
			await expectInvalid(token, jwksOptions(), 'signature invalid', deps);
			expect(fetch).toHaveBeenCalledTimes(1);
			expect(fetch.mock.calls[0][0].url).toBe(JWKS_URL);
		});
	});

	describe('allowlist', () => {
		it('an alg not in the allowlist is rejected', async () => {
			const token = signJwt({ alg: 'HS512' }, claims(), SECRET);
			await expectInvalid(token, hsOptions({ algorithms: ['HS256'] }), 'algorithm not allowed');
			const rs = signJwt({ alg: 'RS512' }, claims(), rsa.privateKey);
			await expectInvalid(rs, { algorithms: ['RS256'], publicKey: RSA_PEM }, 'algorithm not allowed');
		});

		it('an empty allowlist rejects everything', async () => {
			await expectInvalid(signJwt({ alg: 'HS256' }, claims(), SECRET), hsOptions({ algorithms: [] }), 'algorithm not allowed');
		});

		it.each(['HS1', 'hs256', 'RS1', 'PS1', 'ES521', 'ES256K', 'ed25519', 'EDDSA'])(
			'an alg we do not implement (%s) is rejected',
			async (alg) => {
				const input = `${b64url(JSON.stringify({ alg }))}.${b64url(JSON.stringify(claims()))}`;
				const token = `${input}.${b64url(crypto.createHmac('sha256', SECRET).update(input).digest())}`;
				const options = { algorithms: [alg, ...JWT_ALGORITHMS] as unknown as JwtAlgorithm[], secret: SECRET };
				await expectInvalid(token, options, 'algorithm not allowed');
			},
		);

		it('a crit header is rejected (no extension is implemented)', async () => {
			const token = signJwt({ alg: 'HS256', crit: ['b64'], b64: false }, claims(), SECRET);
			await expectInvalid(token, hsOptions(), 'unsupported critical header');
		});
	});

	describe('signature tampering', () => {
		const signers: Array<[JwtAlgorithm, string | crypto.KeyObject, string | crypto.KeyObject, Partial<JwtOptions>]> = [
			['HS256', SECRET, 'another-secret-another-secret-another', { secret: SECRET }],
			['HS512', SECRET, 'another-secret-another-secret-another', { secret: SECRET }],
			['RS256', rsa.privateKey, rsaOther.privateKey, { publicKey: RSA_PEM }],
			['PS256', rsa.privateKey, rsaOther.privateKey, { publicKey: RSA_PEM }],
			['ES256', ec256.privateKey, ec256Other.privateKey, { publicKey: EC256_PEM }],
			['EdDSA', ed.privateKey, edOther.privateKey, { publicKey: ED_PEM }],
		];

		describe.each(signers)('%s', (alg, key, otherKey, keyOptions) => {
			const options: JwtOptions = { algorithms: [alg], ...keyOptions };
			const token = signJwt({ alg, typ: 'JWT' }, claims({ roles: ['user'] }), key);
			const [h, p, s] = token.split('.');

			it('the untouched token is valid', async () => {
				await expect(verifyJwt(token, options, { now })).resolves.toBeDefined();
			});

			it('tampered payload', async () => {
				const forged = b64url(JSON.stringify(claims({ roles: ['admin'] })));
				await expectInvalid(`${h}.${forged}.${s}`, options, 'signature invalid');
			});

			it('tampered header', async () => {
				const forged = b64url(JSON.stringify({ alg, typ: 'JWT', kid: 'x' }));
				await expectInvalid(`${forged}.${p}.${s}`, options, 'signature invalid');
			});

			it('truncated signature', async () => {
				const truncated = b64url(Buffer.from(s, 'base64url').subarray(0, 16));
				await expectInvalid(`${h}.${p}.${truncated}`, options, 'signature invalid');
			});

			it('empty signature', async () => {
				await expectInvalid(`${h}.${p}.`, options, 'signature invalid');
			});

			it('signature of another key', async () => {
				await expectInvalid(signJwt({ alg, typ: 'JWT' }, claims({ roles: ['user'] }), otherKey), options, 'signature invalid');
			});

			it('a flipped bit in the signature', async () => {
				const bytes = Buffer.from(s, 'base64url');
				bytes[bytes.length >> 1] ^= 0x01;
				await expectInvalid(`${h}.${p}.${b64url(bytes)}`, options, 'signature invalid');
			});
		});

		it('an ES256 signature in DER encoding is rejected (JOSE uses IEEE P1363)', async () => {
			const input = `${b64url('{"alg":"ES256"}')}.${b64url(JSON.stringify(claims()))}`;
			const der = crypto.sign('sha256', Buffer.from(input), ec256.privateKey);
			await expectInvalid(`${input}.${b64url(der)}`, { algorithms: ['ES256'], publicKey: EC256_PEM }, 'signature invalid');
		});

		it('an RS256 signature verified as PS256 (and vice versa) is rejected', async () => {
			const payload = b64url(JSON.stringify(claims()));
			const psInput = `${b64url('{"alg":"PS256"}')}.${payload}`;
			const rsSigOverPsInput = b64url(rawSign('RS256', psInput, rsa.privateKey));
			const options: JwtOptions = { algorithms: ['RS256', 'PS256'], publicKey: RSA_PEM };
			await expectInvalid(`${psInput}.${rsSigOverPsInput}`, options, 'signature invalid');
			const rsInput = `${b64url('{"alg":"RS256"}')}.${payload}`;
			const psSigOverRsInput = b64url(rawSign('PS256', rsInput, rsa.privateKey));
			await expectInvalid(`${rsInput}.${psSigOverRsInput}`, options, 'signature invalid');
		});

		it('claims are only judged after the signature (expired + forged → signature invalid)', async () => {
			const token = signJwt({ alg: 'HS256' }, claims({ exp: NOW - 1000 }), 'wrong-secret-wrong-secret');
			await expectInvalid(token, hsOptions(), 'signature invalid');
		});
	});
});

describe('verifyJwt: claims', () => {
	const hs = (payload: Record<string, unknown>) => signJwt({ alg: 'HS256' }, payload, SECRET);

	it('expired', async () => {
		await expectInvalid(hs(claims({ exp: NOW - 10 })), hsOptions(), 'token expired');
	});

	it('exp equal to now is expired', async () => {
		await expectInvalid(hs(claims({ exp: NOW })), hsOptions(), 'token expired');
	});

	it('expired but within leeway is accepted', async () => {
		await expect(verifyJwt(hs(claims({ exp: NOW - 10 })), hsOptions({ leewaySeconds: 30 }), { now })).resolves.toBeDefined();
	});

	it('expired beyond leeway is rejected', async () => {
		await expectInvalid(hs(claims({ exp: NOW - 31 })), hsOptions({ leewaySeconds: 30 }), 'token expired');
	});

	it('becomes expired as the clock moves', async () => {
		const token = hs(claims({ exp: NOW + 5 }));
		await expect(verifyJwt(token, hsOptions(), { now })).resolves.toBeDefined();
		clock = NOW_MS + 6000;
		await expectInvalid(token, hsOptions(), 'token expired');
	});

	it('future nbf', async () => {
		await expectInvalid(hs(claims({ nbf: NOW + 60 })), hsOptions(), 'token not yet valid');
	});

	it('nbf equal to now is valid; future nbf within leeway is valid', async () => {
		await expect(verifyJwt(hs(claims({ nbf: NOW })), hsOptions(), { now })).resolves.toBeDefined();
		await expect(verifyJwt(hs(claims({ nbf: NOW + 20 })), hsOptions({ leewaySeconds: 30 }), { now })).resolves.toBeDefined();
		await expectInvalid(hs(claims({ nbf: NOW + 40 })), hsOptions({ leewaySeconds: 30 }), 'token not yet valid');
	});

	it('future iat', async () => {
		await expectInvalid(hs(claims({ iat: NOW + 60 })), hsOptions(), 'token issued in the future');
		await expect(verifyJwt(hs(claims({ iat: NOW + 20 })), hsOptions({ leewaySeconds: 30 }), { now })).resolves.toBeDefined();
	});

	it.each<[string, unknown]>([
		['a string', String(NOW + 300)],
		['null', null],
		['a boolean', true],
		['an array', [NOW + 300]],
		['an object', { value: NOW + 300 }],
	])('non-numeric exp / nbf / iat (%s) is rejected', async (_name, value) => {
		await expectInvalid(hs(claims({ exp: value })), hsOptions(), 'invalid exp claim');
		await expectInvalid(hs(claims({ nbf: value })), hsOptions(), 'invalid nbf claim');
		await expectInvalid(hs(claims({ iat: value })), hsOptions(), 'invalid iat claim');
	});

	it('a nonsensical leeway counts as 0', async () => {
		const token = hs(claims({ exp: NOW - 10 }));
		for (const leewaySeconds of [Number.NaN, Number.POSITIVE_INFINITY, -100]) {
			await expectInvalid(token, hsOptions({ leewaySeconds }), 'token expired');
		}
	});

	it('wrong issuer', async () => {
		const options = hsOptions({ issuer: 'https://idp.example.test/' });
		await expect(verifyJwt(hs(claims({ iss: 'https://idp.example.test/' })), options, { now })).resolves.toBeDefined();
		await expectInvalid(hs(claims({ iss: 'https://evil.test/' })), options, 'wrong issuer');
		await expectInvalid(hs(claims({ iss: 'https://idp.example.test' })), options, 'wrong issuer');
		await expectInvalid(hs(claims()), options, 'wrong issuer');
		await expectInvalid(hs(claims({ iss: ['https://idp.example.test/'] })), options, 'wrong issuer');
	});

	it('wrong audience (string aud)', async () => {
		const options = hsOptions({ audience: 'my-api' });
		await expect(verifyJwt(hs(claims({ aud: 'my-api' })), options, { now })).resolves.toBeDefined();
		await expectInvalid(hs(claims({ aud: 'other-api' })), options, 'wrong audience');
		await expectInvalid(hs(claims({ aud: 'my-api-2' })), options, 'wrong audience');
		await expectInvalid(hs(claims()), options, 'wrong audience');
	});

	it('wrong audience (array aud)', async () => {
		const options = hsOptions({ audience: 'my-api' });
		await expect(verifyJwt(hs(claims({ aud: ['other', 'my-api'] })), options, { now })).resolves.toBeDefined();
		await expectInvalid(hs(claims({ aud: ['other', 'another'] })), options, 'wrong audience');
		await expectInvalid(hs(claims({ aud: [] })), options, 'wrong audience');
		await expectInvalid(hs(claims({ aud: [['my-api']] })), options, 'wrong audience');
	});

	it('no iss / aud check when not configured', async () => {
		await expect(verifyJwt(hs(claims({ iss: 'anyone', aud: 'anything' })), hsOptions(), { now })).resolves.toBeDefined();
	});
});

describe('verifyJwt: roles', () => {
	const rolesOf = async (payload: Record<string, unknown>, rolesClaim?: string) =>
		(await verifyJwt(signJwt({ alg: 'HS256' }, payload, SECRET), hsOptions({ rolesClaim }), { now })).roles;

	it('from `roles` by default', async () => {
		expect(await rolesOf(claims({ roles: ['admin', 'ops'] }))).toEqual(['admin', 'ops']);
		expect(await rolesOf(claims({ roles: ['admin'] }), '')).toEqual(['admin']);
	});

	it('from `realm_access.roles` (Keycloak)', async () => {
		expect(await rolesOf(claims({ realm_access: { roles: ['offline_access', 'approver'] } }), 'realm_access.roles')).toEqual([
			'offline_access',
			'approver',
		]);
	});

	it('from `cognito:groups` (colon is part of the key)', async () => {
		expect(await rolesOf(claims({ 'cognito:groups': ['Admins'] }), 'cognito:groups')).toEqual(['Admins']);
	});

	it('from a space-separated `scope`', async () => {
		expect(await rolesOf(claims({ scope: 'read:orders  write:orders\tadmin' }), 'scope')).toEqual([
			'read:orders',
			'write:orders',
			'admin',
		]);
	});

	it('from a namespaced claim whose name contains dots', async () => {
		expect(await rolesOf(claims({ 'https://example.com/roles': ['editor'] }), 'https://example.com/roles')).toEqual(['editor']);
	});

	it('missing or unusable → []', async () => {
		expect(await rolesOf(claims())).toEqual([]);
		expect(await rolesOf(claims({ roles: 42 }))).toEqual([]);
		expect(await rolesOf(claims({ roles: { admin: true } }))).toEqual([]);
		expect(await rolesOf(claims({ realm_access: 'x' }), 'realm_access.roles')).toEqual([]);
		expect(await rolesOf(claims(), 'constructor')).toEqual([]);
		expect(await rolesOf(claims(), '__proto__.toString')).toEqual([]);
		expect(await rolesOf(claims({ a: { b: ['r'] } }), 'a.b.c')).toEqual([]);
	});

	it('keeps only non-empty strings of an array', async () => {
		expect(await rolesOf(claims({ roles: ['a', 1, null, '', { r: 'x' }, 'b'] }))).toEqual(['a', 'b']);
	});

	it('user is the full claims object', async () => {
		const payload = claims({ email: 'a@example.test', nested: { x: 1 } });
		const identity = await verifyJwt(signJwt({ alg: 'HS256' }, payload, SECRET), hsOptions(), { now });
		expect(identity.user).toEqual(payload);
	});
});

describe('verifyJwt: JWKS', () => {
	it.each<[JwtAlgorithm, crypto.KeyObject, crypto.KeyObject]>([
		['RS256', rsa.privateKey, rsa.publicKey],
		['RS384', rsa.privateKey, rsa.publicKey],
		['RS512', rsa.privateKey, rsa.publicKey],
		['PS256', rsa.privateKey, rsa.publicKey],
		['ES256', ec256.privateKey, ec256.publicKey],
		['ES384', ec384.privateKey, ec384.publicKey],
		['EdDSA', ed.privateKey, ed.publicKey],
	])('%s: key selected by kid', async (alg, privateKey, publicKey) => {
		const { fetch, deps } = fakeJwks(
			jwksReply(jwk(rsaOther.publicKey, 'other-rsa'), jwk(ec256Other.publicKey, 'other-ec'), jwk(publicKey, 'the-key')),
		);
		const token = signJwt({ alg, kid: 'the-key' }, claims({ roles: ['r'] }), privateKey);
		await expect(verifyJwt(token, jwksOptions(), deps)).resolves.toEqual({ user: claims({ roles: ['r'] }), roles: ['r'] });
		expect(fetch).toHaveBeenCalledTimes(1);
		expect(fetch).toHaveBeenCalledWith(expect.objectContaining({ url: JWKS_URL, method: 'GET', timeoutMs: 5000 }));
	});

	it('without kid: the only key compatible with the alg', async () => {
		const { deps } = fakeJwks(jwksReply(jwk(ec256.publicKey), jwk(rsa.publicKey), jwk(ed.publicKey)));
		for (const [alg, key] of [
			['RS256', rsa.privateKey],
			['ES256', ec256.privateKey],
			['EdDSA', ed.privateKey],
		] as const) {
			await expect(verifyJwt(signJwt({ alg }, claims(), key), jwksOptions(), deps)).resolves.toBeDefined();
		}
	});

	it('without kid and several compatible keys → 401', async () => {
		const { deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'a'), jwk(rsaOther.publicKey, 'b')));
		await expectInvalid(signJwt({ alg: 'RS256' }, claims(), rsa.privateKey), jwksOptions(), 'key id (kid) required', deps);
	});

	it('kid pointing at a key of another type → algorithm not allowed', async () => {
		const { deps } = fakeJwks(jwksReply(jwk(ec256.publicKey, 'k')));
		await expectInvalid(signJwt({ alg: 'RS256', kid: 'k' }, claims(), rsa.privateKey), jwksOptions(), 'algorithm not allowed', deps);
		const p384 = fakeJwks(jwksReply(jwk(ec256.publicKey, 'k')));
		await expectInvalid(signJwt({ alg: 'ES384', kid: 'k' }, claims(), ec384.privateKey), jwksOptions(), 'algorithm not allowed', p384.deps);
	});

	it("a JWK whose own alg differs from the token's is not used", async () => {
		const { deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k', { alg: 'PS256' })));
		await expectInvalid(signJwt({ alg: 'RS256', kid: 'k' }, claims(), rsa.privateKey), jwksOptions(), 'algorithm not allowed', deps);
	});

	it('encryption keys, oct keys and garbage entries are skipped', async () => {
		const { deps } = fakeJwks(
			jwksReply(
				jwk(rsaOther.publicKey, 'enc', { use: 'enc' }),
				{ kty: 'oct', k: b64url(SECRET), kid: 'oct' },
				{ kty: 'RSA', kid: 'broken', n: '!!', e: 'AQAB' },
				{ nonsense: true },
				jwk(rsa.publicKey, 'sig'),
			),
		);
		await expect(verifyJwt(signJwt({ alg: 'RS256', kid: 'sig' }, claims(), rsa.privateKey), jwksOptions(), deps)).resolves.toBeDefined();
		await expectInvalid(signJwt({ alg: 'RS256', kid: 'enc' }, claims(), rsaOther.privateKey), jwksOptions(), 'unknown key id', deps);
		await expectInvalid(signJwt({ alg: 'HS256', kid: 'oct' }, claims(), SECRET), jwksOptions({ algorithms: ['HS256'] }), 'algorithm not allowed', deps);
	});

	it('cache: a second verification does not fetch; after 10 minutes it does', async () => {
		const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const token = () => signJwt({ alg: 'RS256', kid: 'k1' }, { sub: 'x', exp: NOW + 3600 }, rsa.privateKey);
		await verifyJwt(token(), jwksOptions(), deps);
		await verifyJwt(token(), jwksOptions(), deps);
		clock += 9 * 60 * 1000;
		await verifyJwt(token(), jwksOptions(), deps);
		expect(fetch).toHaveBeenCalledTimes(1);
		clock += 61 * 1000;
		await verifyJwt(token(), jwksOptions(), deps);
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it('cache is per URL', async () => {
		const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const token = signJwt({ alg: 'RS256', kid: 'k1' }, { sub: 'x', exp: NOW + 3600 }, rsa.privateKey);
		await verifyJwt(token, jwksOptions(), deps);
		await verifyJwt(token, jwksOptions({ jwksUrl: `${JWKS_URL}?tenant=2` }), deps);
		expect(fetch.mock.calls.map((c) => c[0].url)).toEqual([JWKS_URL, `${JWKS_URL}?tenant=2`]);
	});

	it('clearJwksCache forgets the keys', async () => {
		const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const token = signJwt({ alg: 'RS256', kid: 'k1' }, { sub: 'x', exp: NOW + 3600 }, rsa.privateKey);
		await verifyJwt(token, jwksOptions(), deps);
		clearJwksCache();
		await verifyJwt(token, jwksOptions(), deps);
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it('concurrent verifications share one fetch', async () => {
		const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const token = signJwt({ alg: 'RS256', kid: 'k1' }, { sub: 'x', exp: NOW + 3600 }, rsa.privateKey);
		await Promise.all([1, 2, 3, 4].map(() => verifyJwt(token, jwksOptions(), deps)));
		expect(fetch).toHaveBeenCalledTimes(1);
	});

	it('unknown kid: at most one fetch within 30 s, then a refetch accepts the rotated key', async () => {
		const { state, fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const rotatedToken = signJwt({ alg: 'RS256', kid: 'k2' }, claims(), rsaRotated.privateKey);

		await expectInvalid(rotatedToken, jwksOptions(), 'unknown key id', deps);
		expect(fetch).toHaveBeenCalledTimes(1);

		// The IdP publishes k2, but we may not ask again yet.
		state.reply = jwksReply(jwk(rsa.publicKey, 'k1'), jwk(rsaRotated.publicKey, 'k2'));
		for (const dt of [1000, 10_000, 29_000]) {
			clock = NOW_MS + dt;
			await expectInvalid(rotatedToken, jwksOptions(), 'unknown key id', deps);
			await expectInvalid(signJwt({ alg: 'RS256', kid: `random-${dt}` }, claims(), rsa.privateKey), jwksOptions(), 'unknown key id', deps);
		}
		expect(fetch).toHaveBeenCalledTimes(1);

		clock = NOW_MS + 31_000;
		await expect(verifyJwt(rotatedToken, jwksOptions(), deps)).resolves.toBeDefined();
		expect(fetch).toHaveBeenCalledTimes(2);

		// Known keys keep working without fetching.
		await verifyJwt(signJwt({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey), jwksOptions(), deps);
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it('unknown kid right after the refetch window opened again is rate-limited again', async () => {
		const { fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const unknown = signJwt({ alg: 'RS256', kid: 'nope' }, claims(), rsa.privateKey);
		await expectInvalid(unknown, jwksOptions(), 'unknown key id', deps);
		clock = NOW_MS + 31_000;
		await expectInvalid(unknown, jwksOptions(), 'unknown key id', deps);
		expect(fetch).toHaveBeenCalledTimes(2);
		clock = NOW_MS + 40_000;
		await expectInvalid(unknown, jwksOptions(), 'unknown key id', deps);
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it('key rotation: old key removed, new key picked up, old kid refused', async () => {
		const { state, fetch, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'old')));
		const oldToken = signJwt({ alg: 'RS256', kid: 'old' }, claims(), rsa.privateKey);
		const newToken = signJwt({ alg: 'RS256', kid: 'new' }, claims(), rsaRotated.privateKey);
		await expect(verifyJwt(oldToken, jwksOptions(), deps)).resolves.toBeDefined();

		state.reply = jwksReply(jwk(rsaRotated.publicKey, 'new'));
		clock = NOW_MS + 60_000;
		await expect(verifyJwt(newToken, jwksOptions(), deps)).resolves.toBeDefined();
		expect(fetch).toHaveBeenCalledTimes(2);
		await expectInvalid(oldToken, jwksOptions(), 'unknown key id', deps);
		expect(fetch).toHaveBeenCalledTimes(2);

		// A token claiming kid "new" but signed with the old key does not verify.
		await expectInvalid(signJwt({ alg: 'RS256', kid: 'new' }, claims(), rsa.privateKey), jwksOptions(), 'signature invalid', deps);
	});

	it('a fetch that rejects → 503 / 1050', async () => {
		const { fetch, deps } = fakeJwks(() => Promise.reject(new Error('ECONNREFUSED')));
		const token = signJwt({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey);
		await expectUnavailable(token, jwksOptions(), deps);
		expect(fetch).toHaveBeenCalledTimes(1);
	});

	it.each<[string, HttpResponse]>([
		['HTTP 500', { status: 500, body: 'Internal Server Error' }],
		['HTTP 502', { status: 502, body: '' }],
		['HTTP 404', { status: 404, body: { error: 'not found' } }],
		['HTTP 204', { status: 204, body: '' }],
		['a body without keys', { status: 200, body: { issuer: 'x' } }],
		['keys not an array', { status: 200, body: { keys: { kid: 'k1' } } }],
		['an HTML body', { status: 200, body: '<html>login</html>' }],
		['a null body', { status: 200, body: null }],
	])('%s → 503 / 1050', async (_name, reply) => {
		const { deps } = fakeJwks(reply);
		await expectUnavailable(signJwt({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey), jwksOptions(), deps);
	});

	it('a JWKS body delivered as JSON text (application/jwk-set+json) is accepted', async () => {
		const { deps } = fakeJwks({ status: 200, body: JSON.stringify({ keys: [jwk(rsa.publicKey, 'k1')] }) });
		await expect(verifyJwt(signJwt({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey), jwksOptions(), deps)).resolves.toBeDefined();
	});

	it('after an outage the next request fetches again and succeeds', async () => {
		const { state, fetch, deps } = fakeJwks({ status: 503, body: '' });
		const token = signJwt({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey);
		await expectUnavailable(token, jwksOptions(), deps);
		state.reply = jwksReply(jwk(rsa.publicKey, 'k1'));
		await expect(verifyJwt(token, jwksOptions(), deps)).resolves.toBeDefined();
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it('expired cache and the IdP down → 503', async () => {
		const { state, deps } = fakeJwks(jwksReply(jwk(rsa.publicKey, 'k1')));
		const token = signJwt({ alg: 'RS256', kid: 'k1' }, { sub: 'x', exp: NOW + 3600 }, rsa.privateKey);
		await verifyJwt(token, jwksOptions(), deps);
		state.reply = () => Promise.reject(new Error('timeout'));
		clock += 11 * 60 * 1000;
		await expectUnavailable(token, jwksOptions(), deps);
	});

	it('a JWKS URL without an HTTP client is a 500', async () => {
		const err = await rejectionOf(signJwt({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey), jwksOptions(), { now });
		expect(err.status).toBe(500);
		expect(err.code).toBe(1099);
	});

	it('claims are still checked for JWKS tokens', async () => {
		const { deps } = fakeJwks(jwksReply(jwk(ec256.publicKey, 'k1')));
		const options = jwksOptions({ issuer: 'https://idp.example.test/', audience: 'api' });
		const good = claims({ iss: 'https://idp.example.test/', aud: ['api'] });
		await expect(verifyJwt(signJwt({ alg: 'ES256', kid: 'k1' }, good, ec256.privateKey), options, deps)).resolves.toBeDefined();
		await expectInvalid(signJwt({ alg: 'ES256', kid: 'k1' }, { ...good, exp: NOW - 1 }, ec256.privateKey), options, 'token expired', deps);
		await expectInvalid(signJwt({ alg: 'ES256', kid: 'k1' }, { ...good, aud: 'x' }, ec256.privateKey), options, 'wrong audience', deps);
	});
});
