/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * OpenID Connect discovery against a loopback OIDC provider (node:http): issuer URL →
 * /.well-known/openid-configuration → jwks_uri; caching, key rotation, a moved jwks_uri, and
 * outages (503, code 1050). Tokens are made by jose.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import * as jose from 'jose';

import {
	clearDiscoveryCache,
	discoveryDocumentUrl,
	issuerOf,
	parseDiscoveryDocument,
} from '../../../nodes/callback/auth/jwt/discovery';
import { clearJwksCache, verifyJwt, type JwtDeps, type JwtOptions } from '../../../nodes/callback/auth/jwt/verify';
import { jwtOptions } from '../../../nodes/callback/auth/guard';
import type { HttpFetch } from '../../../nodes/callback/auth/types';
import { CallbackError } from '../../../nodes/callback/pipeline/errors';

// ---- the provider ------------------------------------------------------------------------------

interface Provider {
	/** The issuer as its document spells it. */
	issuer: string;
	/** Path of the JWKS the document names. */
	jwksPath: string;
	keys: Record<string, Array<Record<string, unknown>>>;
	down: boolean;
	/** Paths requested, in order. */
	requests: string[];
	/** What the document says its issuer is (another issuer's document when changed). */
	documentIssuer?: string;
}

const provider: Provider = { issuer: '', jwksPath: '/keys', keys: {}, down: false, requests: [] };
let server: http.Server;
let base = '';

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		provider.requests.push(path);
		const json = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (provider.down) return json(503, { error: 'maintenance' });
		if (path === '/realms/main/.well-known/openid-configuration') {
			return json(200, {
				issuer: provider.documentIssuer ?? provider.issuer,
				jwks_uri: `${base}${provider.jwksPath}`,
				authorization_endpoint: `${provider.issuer}/protocol/openid-connect/auth`,
				id_token_signing_alg_values_supported: ['RS256', 'ES512', 'EdDSA'],
			});
		}
		if (provider.keys[path]) return json(200, { keys: provider.keys[path] });
		return json(404, { error: 'not found' });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The verifier's HttpFetch over real loopback HTTP (n8n's helper does this in the node). */
const fetchOverHttp: HttpFetch = async ({ url, method, headers, timeoutMs }) => {
	const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
	const text = await res.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// text stays text
	}
	return { status: res.status, body };
};

let clock = Date.now();
const deps: JwtDeps = { fetch: fetchOverHttp, now: () => clock };

const AUD = 'orders-api';
let k1: jose.GenerateKeyPairResult;
let k2: jose.GenerateKeyPairResult;
let k3: jose.GenerateKeyPairResult;
const jwkOf = async (pair: jose.GenerateKeyPairResult, kid: string, alg: string) => ({
	...(await jose.exportJWK(pair.publicKey)),
	kid,
	alg,
	use: 'sig',
});

beforeAll(async () => {
	k1 = await jose.generateKeyPair('RS256');
	k2 = await jose.generateKeyPair('ES512');
	k3 = await jose.generateKeyPair('Ed25519');
});

beforeEach(async () => {
	clearJwksCache();
	clearDiscoveryCache();
	clock = Date.now();
	provider.issuer = `${base}/realms/main`;
	provider.jwksPath = '/keys';
	provider.keys = { '/keys': [await jwkOf(k1, 'k1', 'RS256')] };
	provider.down = false;
	provider.requests = [];
	provider.documentIssuer = undefined;
});

const token = (pair: jose.GenerateKeyPairResult, alg: string, kid: string, claims: jose.JWTPayload = {}) =>
	new jose.SignJWT({ sub: 'user-1', aud: AUD, iss: provider.issuer, ...claims })
		.setProtectedHeader({ alg, kid })
		// Valid for 5 minutes on the verifier's clock, which the tests move.
		.setExpirationTime(Math.floor(clock / 1000) + 300)
		.sign(pair.privateKey);

const options = (extra: Partial<JwtOptions> = {}): JwtOptions => ({
	algorithms: ['RS256', 'ES512', 'Ed25519'],
	discoveryUrl: provider.issuer,
	audience: AUD,
	...extra,
});

async function refusal(promise: Promise<unknown>): Promise<CallbackError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(CallbackError);
	return error as CallbackError;
}
const DOC = '/realms/main/.well-known/openid-configuration';

// ---- tests -------------------------------------------------------------------------------------

describe('OpenID Connect discovery', () => {
	test('issuer URL → document → jwks_uri → key; both then cached (no request for the next token)', async () => {
		const identity = await verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps);
		expect(identity.user.sub).toBe('user-1');
		expect(provider.requests).toEqual([DOC, '/keys']);
		await verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps);
		clock += 9 * 60 * 1000;
		await verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps);
		expect(provider.requests).toEqual([DOC, '/keys']);
		// Older than 10 minutes: both fetched again.
		clock += 61 * 1000;
		await verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps);
		expect(provider.requests).toEqual([DOC, '/keys', DOC, '/keys']);
	});

	test('the issuer URL may be typed with a trailing slash or as the well-known URL itself', async () => {
		for (const typed of [`${provider.issuer}/`, `${provider.issuer}/.well-known/openid-configuration`]) {
			clearDiscoveryCache();
			await expect(verifyJwt(await token(k1, 'RS256', 'k1'), options({ discoveryUrl: typed }), deps)).resolves.toBeDefined();
		}
		expect(issuerOf(' https://idp.test/realms/a/ ')).toBe('https://idp.test/realms/a');
		expect(discoveryDocumentUrl('https://idp.test/')).toBe('https://idp.test/.well-known/openid-configuration');
	});

	test('with Issuers empty, iss must be the discovered issuer; configured issuers replace it', async () => {
		const err = await refusal(verifyJwt(await token(k1, 'RS256', 'k1', { iss: 'https://evil.test' }), options(), deps));
		expect({ status: err.status, code: err.code, message: err.message }).toEqual({
			status: 401,
			code: 1002,
			message: 'Authentication failed: wrong issuer',
		});
		const other = options({ issuer: ['https://login.example.test'] });
		await expect(verifyJwt(await token(k1, 'RS256', 'k1', { iss: 'https://login.example.test' }), other, deps)).resolves.toBeDefined();
		await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), other, deps));
	});

	test('key rotation: an unknown kid refetches the JWKS (at most every 30 s), then the new key is accepted', async () => {
		await verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps);
		provider.keys['/keys'] = [await jwkOf(k1, 'k1', 'RS256'), await jwkOf(k2, 'k2', 'ES512')];
		const rotated = await token(k2, 'ES512', 'k2');
		// Within 30 s of the last fetch: not asked again, refused as an unknown key.
		clock += 10 * 1000;
		const early = await refusal(verifyJwt(rotated, options(), deps));
		expect(early.message).toBe('Authentication failed: unknown key id');
		expect(provider.requests).toEqual([DOC, '/keys']);
		clock += 21 * 1000;
		await expect(verifyJwt(rotated, options(), deps)).resolves.toBeDefined();
		expect(provider.requests).toEqual([DOC, '/keys', '/keys']);
		// The old key is retired: its tokens stop working once the JWKS no longer has it.
		provider.keys['/keys'] = [await jwkOf(k2, 'k2', 'ES512')];
		clock += 11 * 60 * 1000;
		expect((await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps))).message).toBe('Authentication failed: unknown key id');
	});

	test('a provider that moves its keys to another jwks_uri is followed (the document is asked again)', async () => {
		await verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps);
		provider.jwksPath = '/keys-2026';
		provider.keys['/keys-2026'] = [await jwkOf(k3, 'k3', 'Ed25519')];
		clock += 31 * 1000;
		await expect(verifyJwt(await token(k3, 'Ed25519', 'k3'), options(), deps)).resolves.toBeDefined();
		expect(provider.requests).toEqual([DOC, '/keys', '/keys', DOC, '/keys-2026']);
	});

	test('outage: the provider down → 503 code 1050, nothing cached is trusted beyond 10 minutes', async () => {
		provider.down = true;
		const err = await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps));
		expect({ status: err.status, code: err.code, message: err.message }).toEqual({
			status: 503,
			code: 1050,
			message: 'The identity provider is unavailable (OpenID Connect discovery); try again later',
		});
		provider.down = false;
		await expect(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps)).resolves.toBeDefined();
		// Down again: within 10 minutes the cached keys still verify known kids ...
		provider.down = true;
		clock += 5 * 60 * 1000;
		await expect(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps)).resolves.toBeDefined();
		// ... an unknown kid that needs a refetch is an outage, not "unknown key" ...
		const unknown = await refusal(verifyJwt(await token(k2, 'ES512', 'k2'), options(), deps));
		expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 503, code: 1050 });
		// ... and after 10 minutes nothing is used without the provider.
		clock += 6 * 60 * 1000;
		const late = await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps));
		expect({ status: late.status, code: late.code }).toEqual({ status: 503, code: 1050 });
	});

	test('unreachable (nothing listens) and a JWKS outage are 503 too', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		const err = await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), options({ discoveryUrl: `http://127.0.0.1:${port}/realms/main` }), deps));
		expect({ status: err.status, code: err.code }).toEqual({ status: 503, code: 1050 });

		provider.jwksPath = '/missing-keys';
		const jwksDown = await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps));
		expect({ status: jwksDown.status, code: jwksDown.code, message: jwksDown.message }).toEqual({
			status: 503,
			code: 1050,
			message: 'The identity provider is unavailable (JWKS); try again later',
		});
	});

	test("a document naming another issuer is not used (OIDC Discovery §4.3) → 503", async () => {
		provider.documentIssuer = 'https://evil.test/realms/main';
		const err = await refusal(verifyJwt(await token(k1, 'RS256', 'k1'), options(), deps));
		expect({ status: err.status, code: err.code }).toEqual({ status: 503, code: 1050 });
		expect(provider.requests).toEqual([DOC]);
	});

	test('parseDiscoveryDocument: only an object with this issuer and an http(s) jwks_uri', () => {
		const issuer = 'https://idp.test/realms/a';
		expect(parseDiscoveryDocument({ issuer, jwks_uri: 'https://idp.test/keys' }, issuer)).toEqual({ issuer, jwksUri: 'https://idp.test/keys' });
		expect(parseDiscoveryDocument(JSON.stringify({ issuer: `${issuer}/`, jwks_uri: 'https://idp.test/keys' }), issuer)).toEqual({
			issuer: `${issuer}/`,
			jwksUri: 'https://idp.test/keys',
		});
		for (const bad of [
			null,
			'not json',
			[],
			{ issuer },
			{ issuer, jwks_uri: 'file:///etc/passwd' },
			{ issuer, jwks_uri: 'not a url' },
			{ issuer: 'https://other.test', jwks_uri: 'https://idp.test/keys' },
			{ issuer: 42, jwks_uri: 'https://idp.test/keys' },
		]) {
			expect(parseDiscoveryDocument(bad, issuer)).toBeUndefined();
		}
	});

	test('the credential: key type "discovery" maps the issuer URL and nothing else', () => {
		const o = jwtOptions({ keyType: 'discovery', discoveryUrl: ' https://idp.test/realms/a ', jwksUrl: 'https://x.test/keys', secret: 's', audience: AUD });
		expect(o.discoveryUrl).toBe('https://idp.test/realms/a');
		expect(o.jwksUrl).toBeUndefined();
		expect(o.secret).toBeUndefined();
		expect(jwtOptions({ keyType: 'jwks', discoveryUrl: 'https://idp.test', jwksUrl: 'https://x.test/keys' }).discoveryUrl).toBeUndefined();
	});
});
