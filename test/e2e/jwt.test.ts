/**
 * Issue 19, JWT, in a real n8n: the new algorithms (PS512, ES512, Ed25519) from a JWKS, OpenID
 * Connect discovery (and its outage), a rotated shared secret, the safer defaults (an unexpected
 * aud and a token without exp refused, the execution still waiting; both accepted when chosen),
 * a credential saved without the new fields, and the credential's Test button (n8n's own test
 * endpoint). Tokens are made by jose; the identity provider is a loopback server.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import * as jose from 'jose';

import { http, postJson } from './harness/client';
import { FakeServer } from './harness/fakeServer';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api } = shared();
const scenario = scenarios(api);

const AUD = 'orders-api';
const ISSUER_PATH = '/realms/e2e';

let idp: FakeServer;
let issuer = '';
let keys: Array<Record<string, unknown>> = [];
let down = false;

let ps512: jose.GenerateKeyPairResult;
let es512: jose.GenerateKeyPairResult;
let ed25519: jose.GenerateKeyPairResult;

beforeAll(async () => {
	idp = new FakeServer((req, res) => {
		const path = req.url.split('?')[0];
		const json = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (down || path.startsWith('/down/')) return json(503, { error: 'maintenance' });
		if (path === `${ISSUER_PATH}/.well-known/openid-configuration`) {
			return json(200, { issuer, jwks_uri: `${idp.url}${ISSUER_PATH}/certs`, id_token_signing_alg_values_supported: ['PS512', 'ES512', 'Ed25519'] });
		}
		if (path === `${ISSUER_PATH}/certs`) return json(200, { keys });
		if (path === '/introspect') {
			// RFC 7662: 401 for a wrong client, 200 with active false for an unknown token.
			if (req.headers.authorization !== `Basic ${Buffer.from('client-1:client-secret-1').toString('base64')}`) return json(401, { error: 'invalid_client' });
			return json(200, { active: false });
		}
		return json(404, { error: 'not found' });
	});
	await idp.start();
	issuer = `${idp.url}${ISSUER_PATH}`;
	ps512 = await jose.generateKeyPair('PS512');
	es512 = await jose.generateKeyPair('ES512');
	ed25519 = await jose.generateKeyPair('Ed25519');
	keys = [
		{ ...(await jose.exportJWK(ps512.publicKey)), kid: 'ps', alg: 'PS512', use: 'sig' },
		{ ...(await jose.exportJWK(es512.publicKey)), kid: 'es', alg: 'ES512', use: 'sig' },
		// An OKP key marked with the polymorphic name: it verifies alg Ed25519 too (RFC 9864).
		{ ...(await jose.exportJWK(ed25519.publicKey)), kid: 'ed', alg: 'EdDSA', use: 'sig' },
	];
});
afterAll(async () => {
	await idp.stop();
});
beforeEach(() => {
	down = false;
});

const credential = async (data: Record<string, unknown>) => ({
	externalCallbackJwtApi: await scenario.credential('externalCallbackJwtApi', { readFrom: 'bearer', leewaySeconds: 5, ...data }),
});
async function publish(data: Record<string, unknown>) {
	return (await scenario.publishWait({ wait: { authentication: 'jwt' }, waitCredentials: await credential(data) })).start;
}

interface Claims extends jose.JWTPayload {
	[claim: string]: unknown;
}
/** A token from jose: 5 minutes, aud orders-api, unless `claims` / `noExp` say otherwise. */
function sign(key: jose.KeyLike | Uint8Array, alg: string, claims: Claims = {}, kid?: string, noExp = false) {
	const jwt = new jose.SignJWT({ sub: 'user-1', aud: AUD, iss: issuer, ...claims }).setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) });
	if (!noExp) jwt.setExpirationTime('5m');
	return jwt.sign(key);
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function expectRefused(callbackUrl: string, executionId: string, token: string, status: number, code: number, message?: string) {
	const r = await postJson(callbackUrl, { attempt: true }, bearer(token));
	expect({ status: r.status, code: r.json?.code }).toEqual({ status, code });
	if (message !== undefined) expect(r.json.message).toBe(message);
	expect(r.text).not.toContain(token.split('.')[2]);
	await scenario.expectStillWaiting(executionId);
}

describe('JWT (issue 19) in a real n8n', () => {
	test('PS512, ES512 and Ed25519 tokens from a JWKS each resume; the token is not in the output', async () => {
		const start = await publish({
			algorithms: ['PS512', 'ES512', 'Ed25519'],
			keyType: 'jwks',
			jwksUrl: `${issuer}/certs`,
			audience: AUD,
		});
		for (const [alg, pair, kid] of [
			['PS512', ps512, 'ps'],
			['ES512', es512, 'es'],
			['Ed25519', ed25519, 'ed'],
		] as const) {
			const s = await start();
			const token = await sign(pair.privateKey, alg, { alg_used: alg }, kid);
			const r = await postJson(s.callbackUrl, { alg }, bearer(token));
			expect({ alg, status: r.status }).toEqual({ alg, status: 200 });
			const out = await scenario.doneOutput(s.executionId);
			expect(out.user).toMatchObject({ sub: 'user-1', alg_used: alg });
			expect(JSON.stringify(out)).not.toContain(token);
		}
	}, 90_000);

	test('OpenID Connect discovery: an issuer URL resumes; an unexpected aud and a missing exp are refused and it still waits', async () => {
		const start = await publish({
			algorithms: ['ES512', 'Ed25519'],
			keyType: 'discovery',
			discoveryUrl: `${issuer}/`,
			audience: `billing-api, ${AUD}`,
		});
		const s = await start();
		await expectRefused(s.callbackUrl, s.executionId, await sign(es512.privateKey, 'ES512', { aud: 'another-api' }, 'es'), 401, 1002, 'Authentication failed: wrong audience');
		await expectRefused(s.callbackUrl, s.executionId, await sign(es512.privateKey, 'ES512', {}, 'es', true), 401, 1002, 'Authentication failed: token has no expiry (exp)');
		// iss must be the discovered issuer when no issuers are configured.
		await expectRefused(s.callbackUrl, s.executionId, await sign(es512.privateKey, 'ES512', { iss: 'https://evil.example.test' }, 'es'), 401, 1002, 'Authentication failed: wrong issuer');
		const good = await sign(ed25519.privateKey, 'Ed25519', {}, 'ed');
		expect((await postJson(s.callbackUrl, { discovered: true }, bearer(good))).status).toBe(200);
		expect((await scenario.doneOutput(s.executionId)).data).toEqual({ discovered: true });
	}, 60_000);

	test('OpenID Connect discovery down → 503 code 1050, the execution still waits', async () => {
		const start = await publish({
			algorithms: ['ES512'],
			keyType: 'discovery',
			discoveryUrl: `${idp.url}/down/${randomUUID()}`,
			audience: AUD,
		});
		const s = await start();
		await expectRefused(s.callbackUrl, s.executionId, await sign(es512.privateKey, 'ES512', {}, 'es'), 503, 1050, 'The identity provider is unavailable (OpenID Connect discovery); try again later');
	});

	test('rotation: a token signed with the previous secret resumes (and one with the current secret); another secret is refused', async () => {
		const current = randomBytes(32).toString('hex');
		const previous = randomBytes(32).toString('hex');
		const start = await publish({ algorithms: ['HS256'], keyType: 'secret', secret: current, previousSecret: previous, audience: AUD });
		const key = (s: string) => new TextEncoder().encode(s);
		const s1 = await start();
		await expectRefused(s1.callbackUrl, s1.executionId, await sign(key(randomBytes(32).toString('hex')), 'HS256'), 401, 1002, 'Authentication failed: signature invalid');
		expect((await postJson(s1.callbackUrl, { signedWith: 'previous' }, bearer(await sign(key(previous), 'HS256')))).status).toBe(200);
		expect((await scenario.doneOutput(s1.executionId)).data).toEqual({ signedWith: 'previous' });
		const s2 = await start();
		expect((await postJson(s2.callbackUrl, { signedWith: 'current' }, bearer(await sign(key(current), 'HS256')))).status).toBe(200);
		expect((await scenario.doneOutput(s2.executionId)).data).toEqual({ signedWith: 'current' });
	}, 60_000);

	test('"any audience" and Require Expiry off, when chosen: a token for another audience and without exp resumes', async () => {
		const secret = randomBytes(32).toString('hex');
		const start = await publish({ algorithms: ['HS256'], keyType: 'secret', secret, audienceMode: 'any', requireExp: false });
		const s = await start();
		const token = await sign(new TextEncoder().encode(secret), 'HS256', { aud: 'some-other-service' }, undefined, true);
		expect((await postJson(s.callbackUrl, { lenient: true }, bearer(token))).status).toBe(200);
		expect((await scenario.doneOutput(s.executionId)).data).toEqual({ lenient: true });
	});

	test('a credential saved without the new fields and no audience (as before) refuses with 500 / 1008; still waiting', async () => {
		const secret = randomBytes(32).toString('hex');
		// Only the fields an older version stored: n8n fills in the new ones with their defaults.
		const start = await publish({ algorithms: ['HS256'], keyType: 'secret', secret });
		const s = await start();
		await expectRefused(
			s.callbackUrl,
			s.executionId,
			await sign(new TextEncoder().encode(secret), 'HS256'),
			500,
			1008,
			'The JWT credential names no audience: set its Audiences, or choose Any Audience, then retry',
		);
	});

	test('required claims: a token without the required value is refused; with it, it resumes', async () => {
		const secret = randomBytes(32).toString('hex');
		const start = await publish({
			algorithms: ['HS256'],
			keyType: 'secret',
			secret,
			audience: AUD,
			requiredClaims: { claim: [{ name: 'tenant', match: 'equals', value: 'acme' }, { name: 'sid', match: 'present' }] },
		});
		const key = new TextEncoder().encode(secret);
		const s = await start();
		await expectRefused(s.callbackUrl, s.executionId, await sign(key, 'HS256', { tenant: 'other', sid: 'S1' }), 401, 1002, 'Authentication failed: required claim tenant missing or wrong');
		await expectRefused(s.callbackUrl, s.executionId, await sign(key, 'HS256', { tenant: 'acme' }), 401, 1002, 'Authentication failed: required claim sid missing or wrong');
		expect((await postJson(s.callbackUrl, { claims: 'ok' }, bearer(await sign(key, 'HS256', { tenant: 'acme', sid: 'S1' })))).status).toBe(200);
		expect((await scenario.doneOutput(s.executionId)).data).toEqual({ claims: 'ok' });
	});

	test("the credential's Test (n8n's own endpoint) reaches the discovery document and the JWKS; a provider down fails it", async () => {
		/** n8n's Test button: a saved credential (n8n tests only its user's own), tested with its data. */
		const testSaved = async (type: string, data: Record<string, unknown>) => {
			const { id, name } = await scenario.credential(type, data);
			const r = await http('POST', `${api.base}/rest/credentials/test`, {
				headers: { cookie: api.info.cookie, 'content-type': 'application/json' },
				body: JSON.stringify({ credentials: { id, name, type, data } }),
			});
			expect(r.status).toBe(200);
			return r.json.data as { status: string; message: string };
		};
		const test = (data: Record<string, unknown>) =>
			testSaved('externalCallbackJwtApi', { algorithms: ['ES512'], readFrom: 'bearer', audience: AUD, ...data });
		const before = idp.requests.length;
		expect((await test({ keyType: 'discovery', discoveryUrl: issuer })).status).toBe('OK');
		expect((await test({ keyType: 'discovery', discoveryUrl: `${issuer}/.well-known/openid-configuration` })).status).toBe('OK');
		expect((await test({ keyType: 'jwks', jwksUrl: `${issuer}/certs` })).status).toBe('OK');
		expect(idp.requests.slice(before).map((r) => r.url)).toEqual([
			`${ISSUER_PATH}/.well-known/openid-configuration`,
			`${ISSUER_PATH}/.well-known/openid-configuration`,
			`${ISSUER_PATH}/certs`,
		]);
		// The introspection credential's Test: the endpoint with the client's own credentials.
		const introspection = async (clientSecret: string) =>
			(
				await testSaved('externalCallbackIntrospectionOAuth2Api', {
					endpoint: `${idp.url}/introspect`,
					clientAuth: 'basic',
					clientId: 'client-1',
					clientSecret,
					readFrom: 'bearer',
					rolesPath: 'scope',
				})
			);
		const seen = idp.requests.length;
		expect((await introspection('client-secret-1')).status).toBe('OK');
		// The client's credentials were sent (RFC 6749 §2.3.1 form-encoded, then Basic).
		expect(idp.requests.slice(seen).map((r) => r.headers.authorization)).toEqual([
			`Basic ${Buffer.from('client-1:client-secret-1').toString('base64')}`,
		]);
		expect((await introspection('wrong-secret')).status).toBe('Error');
		down = true;
		expect((await test({ keyType: 'discovery', discoveryUrl: issuer })).status).toBe('Error');
		expect((await test({ keyType: 'jwks', jwksUrl: `${issuer}/certs` })).status).toBe('Error');
	});
});
