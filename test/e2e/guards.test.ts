import { createHmac, generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';

import { http, postJson } from './harness/client';
import { FakeServer } from './harness/fakeServer';
import { sleep } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api } = shared();

// ---- fake identity providers on loopback ----------------------------------------------------

const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');
function signJwt(claims: Record<string, unknown>, alg: 'RS256' | 'HS256' | 'none', key: KeyObject | string, kid?: string) {
	const header = b64url(JSON.stringify({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }));
	const payload = b64url(JSON.stringify(claims));
	const input = `${header}.${payload}`;
	if (alg === 'none') return `${input}.`;
	const sig =
		alg === 'HS256'
			? createHmac('sha256', key as string).update(input).digest()
			: cryptoSign('sha256', Buffer.from(input), key as KeyObject);
	return `${input}.${b64url(sig)}`;
}
const now = () => Math.floor(Date.now() / 1000);

const rsaA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaB = generateKeyPairSync('rsa', { modulusLength: 2048 });
let jwksKeys = [{ ...(rsaA.publicKey.export({ format: 'jwk' }) as object), kid: 'key-a', use: 'sig', alg: 'RS256' }];
let down = false;

const idp = new FakeServer((req, res) => {
	const url = new URL(req.url, 'http://x');
	const json = (status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	};
	if (down) return json(503, { message: 'maintenance' });
	// Backendless REST API (real status codes and bodies)
	const valid = url.pathname.match(/^\/api\/users\/isvalidusertoken\/(.+)$/);
	if (valid) {
		const token = decodeURIComponent(valid[1]);
		if (token === 'ut-alice' || token === 'ut-bob') return json(200, true);
		if (token === 'ut-expired') return json(200, false);
		return json(400, { code: 3064, message: 'Not existing user token - invalid-token. Relogin user to update your user token' });
	}
	if (url.pathname === '/api/users/userroles') {
		const t = req.headers['user-token'];
		if (t === 'ut-alice') return json(200, ['AuthenticatedUser', 'finance']);
		if (t === 'ut-bob') return json(200, ['AuthenticatedUser']);
		return json(400, { code: 3064, message: 'Not existing user token' });
	}
	if (url.pathname === '/api/services/Users/current') {
		const t = req.headers['user-token'];
		if (t === 'ut-alice') return json(200, { objectId: 'U-1', email: 'alice@example.test', name: 'Alice', 'user-token': t });
		if (t === 'ut-bob') return json(200, { objectId: 'U-2', email: 'bob@example.test', name: 'Bob' });
		return json(401, { code: 3064, message: 'Not existing user token' });
	}
	if (url.pathname === '/jwks.json') return json(200, { keys: jwksKeys });
	if (url.pathname === '/introspect') {
		if (req.headers.authorization !== `Basic ${Buffer.from('client-1:client-secret-1').toString('base64')}`) {
			return json(401, { error: 'invalid_client' });
		}
		const token = new URLSearchParams(req.body).get('token');
		if (token === 'at-good') return json(200, { active: true, sub: 'svc-7', client_id: 'gw', scope: 'orders:write finance' });
		return json(200, { active: false });
	}
	if (url.pathname === '/me') {
		if (req.headers.authorization === 'Bearer lk-good') return json(200, { id: 'P-9', name: 'Pat', roles: ['approver'] });
		return json(401, { error: 'unauthorized' });
	}
	return json(404, { error: 'not found' });
});

// ---- helpers ---------------------------------------------------------------------------------

const scenario = scenarios(api);
/** A credential of `type`, as the wait node's credentials entry. */
const credential = async (type: string, data: Record<string, unknown>) => ({ [type]: await scenario.credential(type, data) });

/** wait-basic with the given guard parameters and credential; returns a starter. */
async function publishGuarded(wait: Record<string, unknown>, waitCredentials?: Record<string, { id: string; name: string }>) {
	return (await scenario.publishWait({ wait, waitCredentials })).start;
}

/** Still waiting, nothing after the wait node ran. */
const expectWaiting = scenario.expectStillWaiting;
const resumedOutput = scenario.doneOutput;

beforeAll(async () => {
	await idp.start();
});
afterAll(async () => {
	await idp.stop();
});
beforeEach(() => {
	down = false;
});

// ---- Backendless ---------------------------------------------------------------------------

describe('Backendless user token', () => {
	let start: Awaited<ReturnType<typeof publishGuarded>>;
	beforeAll(async () => {
		const creds = await credential('externalCallbackBackendlessApi', {
			baseUrl: `${idp.url}/api`,
			userLookupUrl: `${idp.url}/api/services/Users/current`,
		});
		start = await publishGuarded({ authentication: 'backendless', requiredRoles: 'finance', rolesMatch: 'any', onFail: 'error' }, creds);
	});

	test('a valid user-token with the role resumes, with user and roles in the output (never the token)', async () => {
		const s = await start();
		const r = await postJson(s.callbackUrl, { paid: true }, { 'user-token': 'ut-alice' });
		expect(r.status).toBe(200);
		const out = await resumedOutput(s.executionId);
		expect(out.user).toMatchObject({ objectId: 'U-1', email: 'alice@example.test' });
		expect(out.roles).toEqual(['AuthenticatedUser', 'finance']);
		expect(JSON.stringify(out)).not.toContain('ut-alice');
	});

	test("missing role → FlowRunner's 403 body byte for byte, still waiting", async () => {
		const s = await start();
		const r = await postJson(s.callbackUrl, { paid: true }, { 'user-token': 'ut-bob' });
		expect(r.status).toBe(403);
		expect(r.text).toBe('{"code":1000,"message":"Unable to execute the callback. User is missing required security role(s)"}');
		await expectWaiting(s.executionId);
	});

	test('unknown (3064) or invalid token → 401 JSON; no token → 401; still waiting', async () => {
		const s = await start();
		const unknown = await postJson(s.callbackUrl, {}, { 'user-token': 'nope' });
		expect(unknown.status).toBe(401);
		expect(unknown.json).toEqual({ code: 1002, message: 'Authentication failed: invalid or expired user token' });
		const expired = await postJson(s.callbackUrl, {}, { 'user-token': 'ut-expired' });
		expect(expired.status).toBe(401);
		const none = await postJson(s.callbackUrl, {});
		expect(none.status).toBe(401);
		expect(none.json.code).toBe(1001);
		await expectWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, {}, { 'user-token': 'ut-alice' })).status).toBe(200);
		await resumedOutput(s.executionId);
	});

	test('Backendless down → 503 JSON, the wait stays intact', async () => {
		const s = await start();
		down = true;
		const r = await postJson(s.callbackUrl, {}, { 'user-token': 'ut-alice' });
		expect(r.status).toBe(503);
		expect(r.json.code).toBe(1050);
		down = false;
		await expectWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, {}, { 'user-token': 'ut-alice' })).status).toBe(200);
	});
});

test('on-fail IGNORE: a refused caller gets 200 with an empty body and the execution keeps waiting', async () => {
	const creds = await credential('externalCallbackBackendlessApi', { baseUrl: `${idp.url}/api` });
	const start = await publishGuarded({ authentication: 'backendless', requiredRoles: 'finance', onFail: 'ignore' }, creds);
	const s = await start();
	for (const token of ['nope', 'ut-bob']) {
		const r = await postJson(s.callbackUrl, { x: 1 }, { 'user-token': token });
		expect(r.status).toBe(200);
		expect(r.text).toBe('');
	}
	await expectWaiting(s.executionId);
	expect((await postJson(s.callbackUrl, { x: 2 }, { 'user-token': 'ut-alice' })).status).toBe(200);
	expect((await resumedOutput(s.executionId)).data).toEqual({ x: 2 });
});

// ---- JWT ----------------------------------------------------------------------------------

describe('JWT', () => {
	test('RS256 from a JWKS with key rotation; roles from a nested claim', async () => {
		const creds = await credential('externalCallbackJwtApi', {
			algorithms: ['RS256'],
			keyType: 'jwks',
			jwksUrl: `${idp.url}/jwks.json`,
			issuer: 'https://idp.example.test',
			audience: 'orders',
			leewaySeconds: 5,
			readFrom: 'bearer',
			rolesClaim: 'realm_access.roles',
		});
		const start = await publishGuarded({ authentication: 'jwt', requiredRoles: 'approver' }, creds);
		const claims = { iss: 'https://idp.example.test', aud: 'orders', sub: 'user-1', exp: now() + 300, realm_access: { roles: ['approver'] } };

		const s1 = await start();
		const t1 = signJwt(claims, 'RS256', rsaA.privateKey, 'key-a');
		expect((await postJson(s1.callbackUrl, { ok: 1 }, { authorization: `Bearer ${t1}` })).status).toBe(200);
		const out = await resumedOutput(s1.executionId);
		expect(out.user).toMatchObject({ sub: 'user-1' });
		expect(out.roles).toEqual(['approver']);
		expect(JSON.stringify(out)).not.toContain(t1);

		const firstFetchAt = Date.now();
		// Rejections: alg none, expired, wrong audience, tampered, missing role, HS/RS confusion.
		const s3 = await start();
		const pem = rsaA.publicKey.export({ type: 'spki', format: 'pem' }) as string;
		const rejected: Array<[string, number, number]> = [
			[signJwt(claims, 'none', ''), 401, 1002],
			[signJwt({ ...claims, exp: now() - 600 }, 'RS256', rsaA.privateKey, 'key-a'), 401, 1002],
			[signJwt({ ...claims, aud: 'other' }, 'RS256', rsaA.privateKey, 'key-a'), 401, 1002],
			[t1.replace(/\.([^.]+)\./, (_, p) => `.${b64url(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mallory' }))}.`), 401, 1002],
			[signJwt({ ...claims, realm_access: { roles: ['viewer'] } }, 'RS256', rsaA.privateKey, 'key-a'), 403, 1000],
			[signJwt(claims, 'HS256', pem, 'key-a'), 401, 1002],
		];
		for (const [token, status, code] of rejected) {
			const r = await postJson(s3.callbackUrl, {}, { authorization: `Bearer ${token}` });
			expect({ status: r.status, code: r.json?.code }).toEqual({ status, code });
			expect(r.text).not.toContain(token.split('.')[2] || token);
		}
		await expectWaiting(s3.executionId);

		// The provider rotates to key B. An unknown kid is refetched at most every 30 s per JWKS
		// URL: within that window the new kid is refused, after it the refetch admits it.
		jwksKeys = [...jwksKeys, { ...(rsaB.publicKey.export({ format: 'jwk' }) as object), kid: 'key-b', use: 'sig', alg: 'RS256' }];
		const t2 = signJwt(claims, 'RS256', rsaB.privateKey, 'key-b');
		const early = await postJson(s3.callbackUrl, {}, { authorization: `Bearer ${t2}` });
		expect(early.json).toEqual({ code: 1002, message: 'Authentication failed: unknown key id' });
		await sleep(Math.max(0, firstFetchAt + 31_000 - Date.now()));
		expect((await postJson(s3.callbackUrl, { rotated: true }, { authorization: `Bearer ${t2}` })).status).toBe(200);
		expect((await resumedOutput(s3.executionId)).data).toEqual({ rotated: true });
	}, 90_000);

	test('HS256 shared secret, token from the user-token header', async () => {
		const creds = await credential('externalCallbackJwtApi', {
			algorithms: ['HS256'],
			keyType: 'secret',
			// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
			secret: 'a-long-shared-secret-for-hs256-tests',
			// Its tokens name no audience: chosen explicitly (the default requires one).
			audienceMode: 'any',
			readFrom: 'header',
			readFromName: 'user-token',
			rolesClaim: 'roles',
		});
		const start = await publishGuarded({ authentication: 'jwt' }, creds);
		const s = await start();
		const good = signJwt({ sub: 'svc', roles: 'a b', exp: now() + 60 }, 'HS256', 'a-long-shared-secret-for-hs256-tests');
		const bad = signJwt({ sub: 'svc', exp: now() + 60 }, 'HS256', 'another-secret');
		expect((await postJson(s.callbackUrl, {}, { 'user-token': bad })).status).toBe(401);
		await expectWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, {}, { 'user-token': good })).status).toBe(200);
		expect((await resumedOutput(s.executionId)).roles).toEqual(['a', 'b']);
	});

	test('JWKS endpoint down → 503, wait intact', async () => {
		const creds = await credential('externalCallbackJwtApi', {
			algorithms: ['RS256'],
			keyType: 'jwks',
			jwksUrl: `${idp.url}/jwks-down-${randomUUID()}.json`,
			audienceMode: 'any',
			readFrom: 'bearer',
		});
		const start = await publishGuarded({ authentication: 'jwt' }, creds);
		const s = await start();
		down = true;
		const token = signJwt({ sub: 'x', exp: now() + 60 }, 'RS256', rsaA.privateKey, 'key-a');
		const r = await postJson(s.callbackUrl, {}, { authorization: `Bearer ${token}` });
		expect(r.status).toBe(503);
		expect(r.json.code).toBe(1050);
		await expectWaiting(s.executionId);
	});
});

// ---- token introspection, user lookup ------------------------------------------------------

test('OAuth2 token introspection: active → resumes with scopes as roles; inactive → 401', async () => {
	const creds = await credential('externalCallbackIntrospectionOAuth2Api', {
		endpoint: `${idp.url}/introspect`,
		clientAuth: 'basic',
		clientId: 'client-1',
		clientSecret: 'client-secret-1',
		readFrom: 'bearer',
		rolesPath: 'scope',
	});
	const start = await publishGuarded({ authentication: 'introspection', requiredRoles: 'finance' }, creds);
	const s = await start();
	const inactive = await postJson(s.callbackUrl, {}, { authorization: 'Bearer at-bad' });
	expect(inactive.status).toBe(401);
	expect(inactive.json.code).toBe(1002);
	await expectWaiting(s.executionId);
	expect((await postJson(s.callbackUrl, {}, { authorization: 'Bearer at-good' })).status).toBe(200);
	const out = await resumedOutput(s.executionId);
	expect(out.user).toMatchObject({ sub: 'svc-7', active: true });
	expect(out.roles).toEqual(['orders:write', 'finance']);
});

test('user lookup endpoint: 2xx is the user; 401 from it → 401; token from a query parameter never in the output', async () => {
	const creds = await credential('externalCallbackUserLookupApi', {
		url: `${idp.url}/me`,
		readFrom: 'query',
		readFromName: 'access_key',
		sendHeader: 'authorization',
		sendPrefix: 'Bearer ',
		rolesPath: 'roles',
	});
	const start = await publishGuarded({ authentication: 'userLookup', requiredRoles: 'approver' }, creds);
	const s = await start();
	const u = new URL(s.callbackUrl);
	u.searchParams.set('access_key', 'lk-bad');
	expect((await http('GET', u.toString())).status).toBe(401);
	await expectWaiting(s.executionId);
	u.searchParams.set('access_key', 'lk-good');
	u.searchParams.set('decision', 'approve');
	expect((await http('GET', u.toString())).status).toBe(200);
	const out = await resumedOutput(s.executionId);
	expect(out.data).toEqual({ decision: 'approve' });
	expect(out.user).toMatchObject({ id: 'P-9', name: 'Pat' });
	expect(JSON.stringify(out)).not.toContain('lk-good');
});

// ---- API key, signatures ---------------------------------------------------------------------

test('API key in a header and in the query', async () => {
	const header = await publishGuarded(
		{ authentication: 'apiKey' },
		await credential('externalCallbackApiKeyApi', { apiKeys: 'k-one\nk-two', location: 'header', name: 'x-api-key' }),
	);
	const s = await header();
	expect((await postJson(s.callbackUrl, {}, { 'x-api-key': 'k-wrong' })).status).toBe(401);
	expect((await postJson(s.callbackUrl, {})).json).toEqual({ code: 1001, message: 'Authentication required: no API key in the request' });
	await expectWaiting(s.executionId);
	expect((await postJson(s.callbackUrl, { v: 1 }, { 'x-api-key': 'k-two' })).status).toBe(200);
	expect(JSON.stringify(await resumedOutput(s.executionId))).not.toContain('k-two');

	const query = await publishGuarded(
		{ authentication: 'apiKey' },
		await credential('externalCallbackApiKeyApi', { apiKeys: 'qk-1', location: 'query', name: 'key' }),
	);
	const q = await query();
	const url = new URL(q.callbackUrl);
	url.searchParams.set('key', 'qk-1');
	url.searchParams.set('status', 'done');
	expect((await http('GET', url.toString())).status).toBe(200);
	const out = await resumedOutput(q.executionId);
	expect(out.data).toEqual({ status: 'done' });
	expect(out.query).toEqual({ status: 'done' });
});

describe('webhook signatures over the raw body', () => {
	test('Stripe: valid resumes; tampered body, wrong secret, stale timestamp → 401; still waiting', async () => {
		const secret = 'whsec_stripe_test_secret';
		const start = await publishGuarded(
			{ authentication: 'signature' },
			await credential('externalCallbackSignatureApi', { scheme: 'stripe', secret, toleranceSeconds: 300 }),
		);
		const s = await start();
		const body = '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":995}}}';
		const sig = (t: number, b: string, k = secret) => `t=${t},v1=${createHmac('sha256', k).update(`${t}.${b}`).digest('hex')}`;
		const send = (b: string, header: string) =>
			http('POST', s.callbackUrl, { headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: b });
		expect((await send(body.replace('995', '1'), sig(now(), body))).status).toBe(401);
		expect((await send(body, sig(now(), body, 'other'))).status).toBe(401);
		expect((await send(body, sig(now() - 3600, body))).status).toBe(401);
		await expectWaiting(s.executionId);
		expect((await send(body, sig(now(), body))).status).toBe(200);
		const out = await resumedOutput(s.executionId);
		expect(out.data.type).toBe('payment_intent.succeeded');
		expect(JSON.stringify(out)).not.toContain('v1=');
	});

	test('GitHub (X-Hub-Signature-256) and Standard Webhooks', async () => {
		const gh = await publishGuarded(
			{ authentication: 'signature' },
			await credential('externalCallbackSignatureApi', { scheme: 'github', secret: 'gh-secret' }),
		);
		const s = await gh();
		const body = '{"action":"closed","number":7}';
		const good = `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`;
		const send = (h: Record<string, string>) => http('POST', s.callbackUrl, { headers: { 'content-type': 'application/json', ...h }, body });
		expect((await send({ 'x-hub-signature-256': good.slice(0, -2) })).status).toBe(401);
		expect((await send({ 'x-hub-signature-256': good })).status).toBe(200);
		await resumedOutput(s.executionId);

		const key = Buffer.from('standard-webhooks-key-32-bytes!!');
		const sw = await publishGuarded(
			{ authentication: 'signature' },
			await credential('externalCallbackSignatureApi', { scheme: 'standardWebhooks', secret: `whsec_${key.toString('base64')}`, toleranceSeconds: 300 }),
		);
		const w = await sw();
		const id = 'msg_1';
		const ts = String(now());
		const swSig = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
		const r = await http('POST', w.callbackUrl, {
			headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,AAAA ${swSig}` },
			body,
		});
		expect(r.status).toBe(200);
		expect((await resumedOutput(w.executionId)).user).toMatchObject({ webhookId: 'msg_1' });
	});
});

// ---- condition -----------------------------------------------------------------------------

describe('condition with $callback', () => {
	test('correlates $callback.data.orderId with the waiting item: another order is ignored, the right one resumes', async () => {
		const start = await publishGuarded({ condition: '={{ $callback.data.orderId === $json.body.orderId }}' });
		const s = await start('ORD-42');
		const other = await postJson(s.callbackUrl, { orderId: 'ORD-41', paid: true });
		expect(other.status).toBe(200);
		expect(other.text).toBe('');
		await expectWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, { orderId: 'ORD-42', paid: true })).status).toBe(200);
		expect((await resumedOutput(s.executionId)).data).toEqual({ orderId: 'ORD-42', paid: true });
	});

	test('the ignored reply code is configurable; $callback.user is available with authentication', async () => {
		const creds = await credential('externalCallbackApiKeyApi', { apiKeys: 'ck', location: 'header', name: 'x-api-key' });
		const start = await publishGuarded(
			{ authentication: 'apiKey', condition: '={{ $callback.user.apiKey === "key#1" && $callback.data.amount >= 10 }}', ignoredResponseCode: 202 },
			creds,
		);
		const s = await start();
		const small = await postJson(s.callbackUrl, { amount: 5, note: 'quotes " \\ }} ü' }, { 'x-api-key': 'ck' });
		expect(small.status).toBe(202);
		await expectWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, { amount: 12 }, { 'x-api-key': 'ck' })).status).toBe(200);
		await resumedOutput(s.executionId);
	});

	test.each([
		['a syntax error', '={{ $callback.data.orderId === }}'],
		['a call of something that is not a function', '={{ $callback.data.orderId.startsWith("x") }}'],
	])('an expression error (%s) → 422 JSON and the wait is kept', async (_what, condition) => {
		const start = await publishGuarded({ condition });
		const s = await start();
		const r = await postJson(s.callbackUrl, { flat: true });
		expect(r.status).toBe(422);
		expect(r.json).toEqual({ code: 1020, message: 'The callback condition could not be evaluated' });
		await expectWaiting(s.executionId);
		expect((await postJson(s.callbackUrl, { orderId: 'x-1' })).status).toBe(condition.includes('startsWith') ? 200 : 422);
	});
});
