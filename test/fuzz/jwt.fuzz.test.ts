/**
 * Fuzz of JWT verification (auth/jwt/verify.ts verifyJwt) through its public function, with the
 * option shapes of today: random strings, three-part tokens of random base64url, and well-formed
 * tokens (base64url JSON) with odd headers (alg, kid, crit, none) and odd claims, signed with the
 * planted secret or key, or not. Each ends in an identity (exactly when the token is valid) or a
 * CallbackError 401/1002 (503/1050 when the JWKS fails); no message holds the token or a secret.
 */
import { createHmac, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';

import type { HttpFetch } from '../../nodes/callback/auth/types';
import { JWT_ALGORITHMS, type JwtAlgorithm, type JwtOptions, clearJwksCache, verifyJwt } from '../../nodes/callback/auth/jwt/verify';
import { ErrorCodes } from '../../nodes/callback/pipeline/errors';
import { TIMEOUT_MS, anyString, anyValue, asyncOutcomeOf, params, plantedSecret } from './fuzz';

const CODES = [ErrorCodes.INVALID_CREDENTIAL, ErrorCodes.PROVIDER_UNAVAILABLE, ErrorCodes.JWT_NO_AUDIENCE];
const SECRET = plantedSecret();
const NOW_MS = 1_767_225_600_000;
const NOW = NOW_MS / 1000;
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ed = generateKeyPairSync('ed25519');
const EC_PEM = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ED_JWK = { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed-1', use: 'sig' };

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 'utf8').toString('base64url');

function signature(alg: string, input: string): string {
	if (['HS256', 'HS384', 'HS512'].includes(alg)) return createHmac(`sha${alg.slice(2)}`, SECRET).update(input).digest('base64url');
	if (alg === 'ES256') return sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
	if (alg === 'EdDSA') return sign(null, Buffer.from(input), ed.privateKey).toString('base64url');
	return '';
}

/** Claims as issuers write them, and as attackers do. */
const claim = fc.oneof(
	anyValue,
	fc.constantFrom(NOW - 10, NOW + 10, NOW + 3600, NOW - 3600, 0, -1, 1e300, '1767225600', null, [NOW]),
);
const payload = fc.oneof(
	fc.dictionary(fc.oneof(fc.constantFrom('exp', 'nbf', 'iat', 'iss', 'aud', 'sub', 'roles', 'realm_access', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), claim, { maxKeys: 6 }),
	fc.record({ sub: fc.string(), roles: fc.oneof(fc.array(anyValue, { maxLength: 3 }), anyString), realm_access: fc.record({ roles: fc.array(fc.string()) }) }, { requiredKeys: [] }),
	anyValue,
);
const header = fc.oneof(
	fc.record(
		{
			alg: fc.oneof(fc.constantFrom(...JWT_ALGORITHMS, 'none', 'None', 'NONE', 'hs256', 'RS1', ''), anyValue),
			typ: fc.constantFrom('JWT', 'at+jwt', undefined),
			kid: fc.oneof(fc.constantFrom('ed-1', 'other', ''), anyValue),
			crit: fc.constantFrom(['exp'], [], undefined),
			jwk: fc.constant(ED_JWK),
		},
		{ requiredKeys: ['alg'] },
	),
	anyValue,
);

/** A token: random text, three random parts, or base64url JSON signed (or not) with the planted keys. */
const token = fc.oneof(
	anyString,
	fc.array(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 40 }), { minLength: 1, maxLength: 5 }).map((p) => p.join('.')),
	fc.tuple(header, payload, fc.constantFrom('right', 'right', 'random', 'empty', 'otherAlg'), fc.constantFrom('', '=', ' ', '+')).map(([h, p, how, tail]) => {
		const input = `${b64(h)}.${b64(p)}`;
		const alg = h && typeof h === 'object' && typeof (h as { alg?: unknown }).alg === 'string' ? (h as { alg: string }).alg : 'HS256';
		const sig = how === 'right' ? signature(alg, input) : how === 'otherAlg' ? signature('HS256', input) : how === 'random' ? b64(String(Math.random())) : '';
		return `${input}.${sig}${tail}`;
	}),
);

const options: fc.Arbitrary<JwtOptions> = fc.record(
	{
		algorithms: fc.subarray([...JWT_ALGORITHMS] as JwtAlgorithm[]),
		keyType: fc.constantFrom('secret', 'publicKey', 'jwks'),
		issuer: fc.constantFrom(undefined, '', 'https://idp.test'),
		audience: fc.constantFrom(undefined, '', 'orders', 'orders', ['billing', 'orders']),
		anyAudience: fc.constantFrom(undefined, false, true),
		requireExp: fc.constantFrom(undefined, false, true),
		leewaySeconds: fc.constantFrom(undefined, 0, 30, -5, Number.NaN, Number.POSITIVE_INFINITY),
		rolesClaim: fc.constantFrom(undefined, '', 'roles', 'realm_access.roles', 'cognito:groups', '__proto__', 'constructor.name'),
	},
	{ requiredKeys: ['algorithms', 'keyType'] },
).map(({ keyType, ...o }) => ({
	...o,
	secret: keyType === 'secret' ? SECRET : undefined,
	publicKey: keyType === 'publicKey' ? EC_PEM : undefined,
	jwksUrl: keyType === 'jwks' ? 'http://127.0.0.1:9/jwks' : undefined,
}));

/** Near-valid: options, then a token for them (the right key's alg, claims around now), often changed in one place. */
const KEY_ALGS: Record<string, JwtAlgorithm[]> = { secret: ['HS256', 'HS384', 'HS512'], publicKey: ['ES256'], jwks: ['EdDSA'] };
const nearValid = fc
	.tuple(
		options,
		fc.record({ exp: fc.option(fc.constantFrom(NOW + 60, NOW - 60, NOW + 20)), nbf: fc.option(fc.constantFrom(NOW - 60, NOW + 60)), iat: fc.option(fc.constantFrom(NOW - 1, NOW + 20)), iss: fc.option(fc.constantFrom('https://idp.test', 'https://evil.test')), aud: fc.option(fc.constantFrom('orders', ['x', 'orders'], ['x'])), roles: fc.option(fc.oneof(fc.array(anyValue, { maxLength: 3 }), anyString)) }, { requiredKeys: [] }),
		fc.constantFrom('none', 'none', 'none', 'sig', 'alg', 'kid', 'crit', 'payload'),
		fc.nat(),
	)
	.map(([o, claims, change, n]) => {
		const keyType = o.secret ? 'secret' : o.publicKey ? 'publicKey' : 'jwks';
		const algs = KEY_ALGS[keyType];
		const alg = algs[n % algs.length];
		const opts: JwtOptions = { ...o, algorithms: [...new Set([...o.algorithms, alg])] };
		const h: Record<string, unknown> = { alg, typ: 'JWT', ...(keyType === 'jwks' ? { kid: 'ed-1' } : {}) };
		if (change === 'alg') h.alg = ['none', 'HS256', 'ES256', 'EdDSA', 'RS256'][n % 5];
		if (change === 'kid') h.kid = [7, 'other', null][n % 3];
		if (change === 'crit') h.crit = ['b64'];
		const body = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== null));
		const input = `${b64(h)}.${b64(body)}`;
		let sig = signature(alg, input);
		if (change === 'sig') sig = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BA' : 'AA');
		const payloadPart = change === 'payload' ? b64({ ...body, sub: 'admin' }) : b64(body);
		return [`${b64(h)}.${payloadPart}.${sig}`, opts] as const;
	});

/** A JWKS endpoint: the real key set, garbage, an error status, or unreachable. */
const jwks = fc.oneof(
	fc.constant({ status: 200, body: { keys: [ED_JWK] } as unknown }),
	fc.constant({ status: 200, body: { keys: [ED_JWK] } as unknown }),
	fc.record({ status: fc.constantFrom(200, 404, 500, 503), body: fc.oneof(anyValue, fc.record({ keys: fc.array(anyValue, { maxLength: 3 }) })) }),
	fc.constant('unreachable' as const),
);

/** ECDSA signatures are randomised: verified with the public key; the others are recomputed. */
function signedRight(alg: string, input: string, sig: string): boolean {
	if (alg !== 'ES256') return signature(alg, input) === sig;
	const bytes = Buffer.from(sig, 'base64url');
	return bytes.toString('base64url') === sig && bytes.length === 64 && verify('sha256', Buffer.from(input), { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, bytes);
}

/** The oracle: what a correct verifier must accept (nothing more). */
function valid(t: string, o: JwtOptions): boolean {
	const parts = t.split('.');
	if (parts.length !== 3) return false;
	let h: Record<string, unknown>;
	let p: Record<string, unknown>;
	try {
		h = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
		p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		return false;
	}
	if (!h || typeof h !== 'object' || Array.isArray(h) || !p || typeof p !== 'object' || Array.isArray(p)) return false;
	const alg = h.alg as JwtAlgorithm;
	if (!o.algorithms.includes(alg) || 'crit' in h) return false;
	if (h.kid !== undefined && typeof h.kid !== 'string') return false;
	const family = ['HS256', 'HS384', 'HS512'].includes(alg) ? 'secret' : alg === 'ES256' ? 'publicKey' : alg === 'EdDSA' ? 'jwks' : 'none';
	const keyType = o.secret ? 'secret' : o.publicKey ? 'publicKey' : 'jwks';
	// the JWKS has one key, `ed-1`: any other kid names none
	if (keyType === 'jwks' && h.kid !== undefined && h.kid !== 'ed-1') return false;
	if (family !== keyType || !signedRight(alg, `${parts[0]}.${parts[1]}`, parts[2])) return false;
	const leeway = typeof o.leewaySeconds === 'number' && Number.isFinite(o.leewaySeconds) && o.leewaySeconds > 0 ? o.leewaySeconds : 0;
	for (const name of ['exp', 'nbf', 'iat']) if (name in p && (typeof p[name] !== 'number' || !Number.isFinite(p[name]))) return false;
	if ('exp' in p && !((p.exp as number) > NOW - leeway)) return false;
	if ('nbf' in p && !((p.nbf as number) <= NOW + leeway)) return false;
	if ('iat' in p && !((p.iat as number) <= NOW + leeway)) return false;
	if (o.issuer && p.iss !== o.issuer) return false;
	const audiences = (Array.isArray(o.audience) ? o.audience : [o.audience]).filter((a): a is string => !!a);
	const given = Array.isArray(p.aud) ? p.aud : [p.aud];
	if (!o.anyAudience && !audiences.some((a) => given.includes(a))) return false;
	if (o.requireExp !== false && !('exp' in p)) return false;
	return true;
}

describe('fuzz: verifyJwt', () => {
	test(
		'every token ends in an identity (exactly the valid ones) or a documented refusal; no token or secret in a message',
		async () => {
			const seen = new Map<string, number>();
			await fc.assert(
				fc.asyncProperty(fc.oneof(fc.tuple(token, options), nearValid), jwks, async ([t, o], endpoint) => {
					clearJwksCache();
					// a credential that requires an audience but names none accepts nothing (500 1008, before the token is read)
					const noAudience = !o.anyAudience && !(Array.isArray(o.audience) ? o.audience : [o.audience]).some(Boolean);
					const fetch: HttpFetch = async () => {
						if (endpoint === 'unreachable') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
						return endpoint;
					};
					const result = await asyncOutcomeOf(() => verifyJwt(t, o, { fetch, now: () => NOW_MS }), CODES, [SECRET, ...(t.length >= 16 ? [t] : []), ...t.split('.').filter((p) => p.length >= 24)]);
					const jwksServesKey = endpoint !== 'unreachable' && endpoint.status === 200 && JSON.stringify(endpoint.body) === JSON.stringify({ keys: [ED_JWK] });
					const expected = !noAudience && valid(t, o) && (o.jwksUrl ? jwksServesKey : true);
					if (result.ok !== expected) throw new Error(`verifyJwt ${result.ok ? 'accepted' : `refused (${result.error.message})`}; the oracle says ${expected}`);
					const key = result.ok ? 'accepted' : result.error.message;
					seen.set(key, (seen.get(key) ?? 0) + 1);
					if (result.ok) {
						expect(Array.isArray(result.value.roles)).toBe(true);
						for (const r of result.value.roles) expect(typeof r).toBe('string');
					} else if (result.error.code === ErrorCodes.PROVIDER_UNAVAILABLE) {
						expect(o.jwksUrl).toBeDefined();
					}
				}),
				params(),
			);
			// the deep paths were reached: valid tokens, bad signatures, claims, the JWKS
			for (const reason of ['accepted', 'Authentication failed: signature invalid', 'Authentication failed: malformed token', 'Authentication failed: algorithm not allowed', 'Authentication failed: token expired']) {
				if (!seen.get(reason)) throw new Error(`never reached: ${reason} (${JSON.stringify([...seen])})`);
			}
			expect([...seen.keys()].some((k) => k.includes('identity provider'))).toBe(true);
		},
		TIMEOUT_MS,
	);
});
