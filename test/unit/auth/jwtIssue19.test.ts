/**
 * Issue 19, JWT: the new algorithms with tokens made by `jose` (an independent implementation),
 * shared-secret rotation, several issuers and audiences, required claims, and the safer defaults
 * (an audience and an exp required) as the credential maps onto the verifier.
 */
import * as crypto from 'node:crypto';

import * as jose from 'jose';
import { NodeHelpers, type ICredentialDataDecryptedObject, type INodeParameters } from 'n8n-workflow';

import { ExternalCallbackJwtApi } from '../../../credentials/ExternalCallbackJwtApi.credentials';
import { JWT_ALGORITHMS, jwkAlgAllows, type JwtAlgorithm } from '../../../nodes/callback/auth/jwt/algorithms';
import { clearJwksCache, verifyJwt, type JwtDeps, type JwtOptions } from '../../../nodes/callback/auth/jwt/verify';
import { jwtOptions } from '../../../nodes/callback/auth/guard';
import type { HttpFetch, HttpResponse } from '../../../nodes/callback/auth/types';
import { CallbackError } from '../../../nodes/callback/pipeline/errors';

const NOW_S = Math.floor(Date.now() / 1000);
const deps: JwtDeps = {};
/** Every test names an audience unless it is about the audience. */
const AUD = 'orders-api';

async function refusal(promise: Promise<unknown>): Promise<CallbackError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(CallbackError);
	return error as CallbackError;
}

async function expectRefused(token: string, options: JwtOptions, reason: string, d: JwtDeps = deps): Promise<void> {
	const err = await refusal(verifyJwt(token, options, d));
	expect({ status: err.status, code: err.code, message: err.message }).toEqual({
		status: 401,
		code: 1002,
		message: `Authentication failed: ${reason}`,
	});
	for (const part of token.split('.')) if (part.length >= 8) expect(err.message).not.toContain(part);
}

function sign(
	alg: string,
	key: jose.KeyLike | Uint8Array,
	claims: jose.JWTPayload = {},
	header: Partial<jose.JWTHeaderParameters> = {},
): Promise<string> {
	return new jose.SignJWT({ sub: 'user-1', aud: AUD, ...claims })
		.setProtectedHeader({ ...header, alg })
		.setIssuedAt()
		.setExpirationTime('5m')
		.sign(key);
}

/** jose 5 has no `Ed448` algorithm name: the same EdDSA signature (deterministic) by node:crypto. */
function signEd448(key: crypto.KeyObject, alg = 'Ed448', claims: Record<string, unknown> = {}): string {
	const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
	const input = `${part({ alg })}.${part({ sub: 'user-1', aud: AUD, exp: NOW_S + 300, ...claims })}`;
	return `${input}.${crypto.sign(null, Buffer.from(input), key).toString('base64url')}`;
}

const spki = async (key: jose.KeyLike) => jose.exportSPKI(key);

/** A fetch answering one JWKS, counting calls. */
function jwksFetch(keys: Array<Record<string, unknown>>) {
	const fetch = jest.fn<ReturnType<HttpFetch>, Parameters<HttpFetch>>(async (): Promise<HttpResponse> => ({ status: 200, body: { keys } }));
	return { fetch, deps: { fetch } as JwtDeps };
}
const JWKS_URL = 'https://idp.example.test/jwks.json';

beforeEach(() => clearJwksCache());

// ---- algorithms -------------------------------------------------------------------------------

describe('new algorithms, tokens made by jose', () => {
	type Case = [alg: JwtAlgorithm, generate: () => Promise<jose.GenerateKeyPairResult>];
	const cases: Case[] = [
		['PS384', () => jose.generateKeyPair('PS384')],
		['PS512', () => jose.generateKeyPair('PS512')],
		['ES512', () => jose.generateKeyPair('ES512')],
		['EdDSA', () => jose.generateKeyPair('EdDSA', { crv: 'Ed25519' })],
		['Ed25519', () => jose.generateKeyPair('Ed25519')],
		['EdDSA', () => jose.generateKeyPair('EdDSA', { crv: 'Ed448' })],
	];

	test.each(cases)('%s: accepted with the PEM key and from a JWKS (with and without the JWK alg); tampered refused', async (alg, generate) => {
		const pair = await generate();
		const token = await sign(alg, pair.privateKey, { roles: ['approver'] });
		// jose itself agrees the token is good (the test's own sanity check).
		await expect(jose.jwtVerify(token, pair.publicKey, { algorithms: [alg] })).resolves.toBeDefined();

		const identity = await verifyJwt(token, { algorithms: [alg], publicKey: await spki(pair.publicKey), audience: AUD }, deps);
		expect(identity.user.sub).toBe('user-1');
		expect(identity.roles).toEqual(['approver']);

		const jwk = await jose.exportJWK(pair.publicKey);
		for (const entry of [{ ...jwk, kid: 'k1' }, { ...jwk, kid: 'k1', alg }]) {
			clearJwksCache();
			const { deps: d } = jwksFetch([entry]);
			const kidToken = await sign(alg, pair.privateKey, {}, { kid: 'k1' });
			await expect(verifyJwt(kidToken, { algorithms: [alg], jwksUrl: JWKS_URL, audience: AUD }, d)).resolves.toBeDefined();
		}

		const [h, p, s] = token.split('.');
		const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'mallory', aud: AUD, exp: NOW_S + 300 })).toString('base64url')}.${s}`;
		await expectRefused(forged, { algorithms: [alg], publicKey: await spki(pair.publicKey), audience: AUD }, 'signature invalid');
		expect(p.length).toBeGreaterThan(0);
		// Not in the allowlist: refused before any key is looked at.
		await expectRefused(token, { algorithms: ['RS256'], publicKey: await spki(pair.publicKey), audience: AUD }, 'algorithm not allowed');
	});

	test('Ed448 (fully specified, RFC 9864) from node:crypto', async () => {
		const pair = crypto.generateKeyPairSync('ed448');
		const token = signEd448(pair.privateKey);
		// jose verifies the same bytes as EdDSA: the signature is an ordinary Ed448 one.
		const asEdDSA = signEd448(pair.privateKey, 'EdDSA');
		await expect(jose.jwtVerify(asEdDSA, pair.publicKey)).resolves.toBeDefined();
		expect(token.split('.')[2]).not.toBe('');
		await expect(verifyJwt(token, { algorithms: ['Ed448'], publicKey: await spki(pair.publicKey), audience: AUD }, deps)).resolves.toBeDefined();
	});

	test('an Ed25519 JWK (crv Ed25519) verifies alg Ed25519 and alg EdDSA, whatever alg the JWK names', async () => {
		const pair = await jose.generateKeyPair('Ed25519');
		const jwk = await jose.exportJWK(pair.publicKey);
		expect(jwk.crv).toBe('Ed25519');
		for (const jwkAlg of [undefined, 'EdDSA', 'Ed25519']) {
			for (const tokenAlg of ['Ed25519', 'EdDSA'] as const) {
				clearJwksCache();
				const { deps: d } = jwksFetch([{ ...jwk, kid: 'ed', ...(jwkAlg ? { alg: jwkAlg } : {}) }]);
				const token = await sign(tokenAlg, pair.privateKey, {}, { kid: 'ed' });
				await expect(verifyJwt(token, { algorithms: ['Ed25519', 'EdDSA'], jwksUrl: JWKS_URL, audience: AUD }, d)).resolves.toBeDefined();
			}
		}
	});

	test('curves are not mixed: an Ed448 key never verifies alg Ed25519, nor a P-256 key ES512', async () => {
		const ed448 = crypto.generateKeyPairSync('ed448');
		const t1 = signEd448(ed448.privateKey);
		expect(Buffer.from(t1.split('.')[2], 'base64url').length).toBe(114);
		const relabelled = `${Buffer.from(JSON.stringify({ alg: 'Ed25519' })).toString('base64url')}.${t1.split('.')[1]}.${t1.split('.')[2]}`;
		await expectRefused(relabelled, { algorithms: ['Ed25519'], publicKey: await spki(ed448.publicKey), audience: AUD }, 'algorithm not allowed');

		const p256 = await jose.generateKeyPair('ES256');
		const es512 = await jose.generateKeyPair('ES512');
		const t2 = await sign('ES512', es512.privateKey);
		await expectRefused(t2, { algorithms: ['ES512'], publicKey: await spki(p256.publicKey), audience: AUD }, 'algorithm not allowed');
		// A JWK that names Ed448 is not used for an Ed25519 token (kid given → incompatible).
		const ed25519 = await jose.generateKeyPair('Ed25519');
		const { deps: d } = jwksFetch([{ ...(await jose.exportJWK(ed25519.publicKey)), kid: 'k', alg: 'Ed448' }]);
		await expectRefused(await sign('Ed25519', ed25519.privateKey, {}, { kid: 'k' }), { algorithms: ['Ed25519'], jwksUrl: JWKS_URL, audience: AUD }, 'algorithm not allowed', d);
	});

	test('ES512: a DER-encoded or truncated signature is refused (only the 132-byte IEEE P1363 form)', async () => {
		const pair = await jose.generateKeyPair('ES512');
		const token = await sign('ES512', pair.privateKey);
		const [h, p, s] = token.split('.');
		expect(Buffer.from(s, 'base64url').length).toBe(132);
		const der = crypto.sign('sha512', Buffer.from(`${h}.${p}`), pair.privateKey as crypto.KeyObject).toString('base64url');
		const options: JwtOptions = { algorithms: ['ES512'], publicKey: await spki(pair.publicKey), audience: AUD };
		await expectRefused(`${h}.${p}.${der}`, options, 'signature invalid');
		await expectRefused(`${h}.${p}.${Buffer.from(s, 'base64url').subarray(0, 131).toString('base64url')}`, options, 'signature invalid');
	});

	test('jwkAlgAllows: EdDSA and the fully specified names name the same keys; nothing else is mixed', () => {
		expect(jwkAlgAllows(undefined, 'PS512')).toBe(true);
		expect(jwkAlgAllows('PS512', 'PS512')).toBe(true);
		expect(jwkAlgAllows('PS384', 'PS512')).toBe(false);
		expect(jwkAlgAllows('EdDSA', 'Ed25519')).toBe(true);
		expect(jwkAlgAllows('Ed25519', 'EdDSA')).toBe(true);
		expect(jwkAlgAllows('Ed448', 'EdDSA')).toBe(true);
		expect(jwkAlgAllows('Ed448', 'Ed25519')).toBe(false);
		expect(jwkAlgAllows('Ed25519', 'Ed448')).toBe(false);
		expect(jwkAlgAllows('ES512', 'EdDSA')).toBe(false);
	});

	test('the credential offers the new algorithms (the verifier list, one list)', () => {
		const offered = (new ExternalCallbackJwtApi().properties.find((p) => p.name === 'algorithms')?.options ?? []).map((o) =>
			'value' in o ? o.value : undefined,
		);
		for (const alg of ['PS384', 'PS512', 'ES512', 'EdDSA', 'Ed25519', 'Ed448']) {
			expect(JWT_ALGORITHMS).toContain(alg);
			expect(offered).toContain(alg);
		}
	});
});

// ---- rotation, issuers, audiences, required claims ----------------------------------------------

const CURRENT = crypto.randomBytes(32).toString('hex');
const PREVIOUS = crypto.randomBytes(32).toString('hex');
const hs = (secret: string, claims: jose.JWTPayload = {}, alg = 'HS256') => sign(alg, new TextEncoder().encode(secret), claims);

describe('shared secret rotation', () => {
	const options: JwtOptions = { algorithms: ['HS256', 'HS512'], secret: CURRENT, previousSecrets: [PREVIOUS], audience: AUD };

	test('a token signed with the previous secret is accepted, as is the current one; any other secret is not', async () => {
		await expect(verifyJwt(await hs(PREVIOUS), options, deps)).resolves.toBeDefined();
		await expect(verifyJwt(await hs(CURRENT), options, deps)).resolves.toBeDefined();
		await expect(verifyJwt(await hs(PREVIOUS, {}, 'HS512'), options, deps)).resolves.toBeDefined();
		await expectRefused(await hs(crypto.randomBytes(32).toString('hex')), options, 'signature invalid');
		// Once the previous secret is removed, its tokens stop working.
		await expectRefused(await hs(PREVIOUS), { ...options, previousSecrets: [] }, 'signature invalid');
	});

	test('a previous secret alone never verifies; a PEM pasted as a previous secret disables HMAC', async () => {
		await expectRefused(await hs(PREVIOUS), { ...options, secret: '' }, 'algorithm not allowed');
		const pem = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
		await expectRefused(await hs(pem), { ...options, previousSecrets: [pem] }, 'algorithm not allowed');
	});

	test('the credential: Previous Secret maps to the rotation list; empty means none', () => {
		const base = { keyType: 'secret', secret: CURRENT, algorithms: ['HS256'], audience: AUD };
		expect(jwtOptions({ ...base, previousSecret: PREVIOUS }).previousSecrets).toEqual([PREVIOUS]);
		expect(jwtOptions({ ...base, previousSecret: '' }).previousSecrets).toEqual([]);
		expect(jwtOptions({ ...base, keyType: 'jwks', previousSecret: PREVIOUS }).previousSecrets).toBeUndefined();
	});
});

describe('several issuers and audiences', () => {
	const c = (extra: ICredentialDataDecryptedObject) =>
		jwtOptions({ keyType: 'secret', secret: CURRENT, algorithms: ['HS256'], ...extra });

	test('iss must be one of the comma-separated issuers', async () => {
		const options = c({ issuer: 'https://a.example.test/, https://b.example.test', audience: AUD });
		expect(options.issuer).toEqual(['https://a.example.test/', 'https://b.example.test']);
		await expect(verifyJwt(await hs(CURRENT, { iss: 'https://a.example.test/' }), options, deps)).resolves.toBeDefined();
		await expect(verifyJwt(await hs(CURRENT, { iss: 'https://b.example.test' }), options, deps)).resolves.toBeDefined();
		await expectRefused(await hs(CURRENT, { iss: 'https://c.example.test' }), options, 'wrong issuer');
		await expectRefused(await hs(CURRENT), options, 'wrong issuer');
	});

	test('aud (string or array) must contain one of the audiences', async () => {
		const options = c({ audience: 'orders-api,\nbilling-api' });
		await expect(verifyJwt(await hs(CURRENT, { aud: 'billing-api' }), options, deps)).resolves.toBeDefined();
		await expect(verifyJwt(await hs(CURRENT, { aud: ['other', 'orders-api'] }), options, deps)).resolves.toBeDefined();
		await expectRefused(await hs(CURRENT, { aud: ['other', 'another'] }), options, 'wrong audience');
		await expectRefused(await hs(CURRENT, { aud: 'orders' }), options, 'wrong audience');
	});
});

describe('required claims', () => {
	const options = jwtOptions({
		keyType: 'secret',
		secret: CURRENT,
		algorithms: ['HS256'],
		audience: AUD,
		requiredClaims: {
			claim: [
				{ name: 'tenant', match: 'equals', value: 'acme' },
				{ name: 'email_verified', match: 'equals', value: 'true' },
				{ name: 'realm_access.roles', match: 'equals', value: 'approver' },
				{ name: 'sid', match: 'present' },
				{ name: '  ', match: 'present' },
			],
		},
	});
	const good = { tenant: 'acme', email_verified: true, realm_access: { roles: ['viewer', 'approver'] }, sid: 'S-1' };

	test('maps the fixedCollection (blank names dropped; "present" has no value)', () => {
		expect(options.requiredClaims).toEqual([
			{ name: 'tenant', value: 'acme' },
			{ name: 'email_verified', value: 'true' },
			{ name: 'realm_access.roles', value: 'approver' },
			{ name: 'sid' },
		]);
	});

	test('all present and equal → accepted', async () => {
		await expect(verifyJwt(await hs(CURRENT, good), options, deps)).resolves.toBeDefined();
	});

	test.each<[string, Record<string, unknown>, string]>([
		['another tenant', { tenant: 'other' }, 'tenant'],
		['tenant missing', { tenant: undefined }, 'tenant'],
		['a boolean as false', { email_verified: false }, 'email_verified'],
		['a role array without the value', { realm_access: { roles: ['viewer'] } }, 'realm_access.roles'],
		['a present claim missing', { sid: undefined }, 'sid'],
		['a present claim null', { sid: null }, 'sid'],
		['an object where a text is expected', { tenant: { name: 'acme' } }, 'tenant'],
	])('%s → refused, naming the claim (not the token)', async (_name, change, claim) => {
		const claims = JSON.parse(JSON.stringify({ ...good, ...change })) as jose.JWTPayload;
		await expectRefused(await hs(CURRENT, claims), options, `required claim ${claim} missing or wrong`);
	});
});

// ---- safer defaults (RFC 8725 §3.9, RFC 7519 §4.1.3 and §4.1.4) ---------------------------------

describe('safer defaults, as n8n hands the credential to the node', () => {
	const credentialType = new ExternalCallbackJwtApi();
	/**
	 * n8n's credentials helper fills every field the stored data lacks with its default
	 * (NodeHelpers.getNodeParameters with returnDefaults, credentials-helper.js applyDefaultsAndOverwrites
	 * in 2.41.1 and 1.123.81): what the node reads for data saved by an older version.
	 */
	const asN8nGivesIt = (stored: INodeParameters) =>
		NodeHelpers.getNodeParameters(credentialType.properties, stored, true, false, null, null) as ICredentialDataDecryptedObject;
	const stored = { algorithms: ['HS256'], keyType: 'secret', secret: CURRENT };

	test('data saved before these fields existed cannot be told apart: it gets the new defaults', () => {
		const data = asN8nGivesIt(stored);
		expect(data.audienceMode).toBe('required');
		expect(data.requireExp).toBe(true);
		const options = jwtOptions(data);
		expect(options.anyAudience).toBe(false);
		expect(options.requireExp).toBe(true);
	});

	test('no audience named → every token is answered 500 / 1008 (the set-up, not the caller)', async () => {
		const err = await refusal(verifyJwt(await hs(CURRENT), jwtOptions(asN8nGivesIt(stored)), deps));
		expect({ status: err.status, code: err.code }).toEqual({ status: 500, code: 1008 });
		expect(err.message).toBe('The JWT credential names no audience: set its Audiences, or choose Any Audience, then retry');
	});

	test('an unexpected aud is refused, and so is a token without aud; "any audience" accepts both', async () => {
		const strict = jwtOptions(asN8nGivesIt({ ...stored, audience: AUD }));
		await expectRefused(await hs(CURRENT, { aud: 'another-service' }), strict, 'wrong audience');
		await expectRefused(await hs(CURRENT, { aud: undefined }), strict, 'wrong audience');
		const any = jwtOptions(asN8nGivesIt({ ...stored, audienceMode: 'any', audience: AUD }));
		expect(any.anyAudience).toBe(true);
		await expect(verifyJwt(await hs(CURRENT, { aud: 'another-service' }), any, deps)).resolves.toBeDefined();
		await expect(verifyJwt(await hs(CURRENT, { aud: undefined }), any, deps)).resolves.toBeDefined();
	});

	test('a token without exp is refused; accepted when Require Expiry is off', async () => {
		const noExp = await new jose.SignJWT({ sub: 'svc', aud: AUD }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(CURRENT));
		await expectRefused(noExp, jwtOptions(asN8nGivesIt({ ...stored, audience: AUD })), 'token has no expiry (exp)');
		const off = jwtOptions(asN8nGivesIt({ ...stored, audience: AUD, requireExp: false }));
		expect(off.requireExp).toBe(false);
		await expect(verifyJwt(noExp, off, deps)).resolves.toBeDefined();
		// Off does not mean "expired is fine".
		const expired = await new jose.SignJWT({ sub: 'svc', aud: AUD })
			.setProtectedHeader({ alg: 'HS256' })
			.setExpirationTime(NOW_S - 120)
			.sign(new TextEncoder().encode(CURRENT));
		await expectRefused(expired, off, 'token expired');
	});

	test('the editor shows the audience list only when it is used, and the warning only for "any audience"', () => {
		const props = credentialType.properties;
		expect(props.find((p) => p.name === 'audience')?.displayOptions).toEqual({ show: { audienceMode: ['required'] } });
		const notice = props.find((p) => p.name === 'anyAudienceNotice');
		expect(notice?.type).toBe('notice');
		expect(notice?.displayOptions).toEqual({ show: { audienceMode: ['any'] } });
		expect(props.find((p) => p.name === 'audienceMode')?.default).toBe('required');
		expect(props.find((p) => p.name === 'requireExp')?.default).toBe(true);
	});
});
