/**
 * Fuzz of the state decoders (urls/state.ts: ecb2 and the older ecb1) and the n8n 1.x URL secret
 * (urls/urlSecret.ts): random strings, states with one character changed, re-encodings. A state
 * decodes to exactly one execution or to nothing; nothing throws; a secret matches only itself.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';

import { STATE_MAX_BYTES, decodeState, encodeState } from '../../nodes/callback/urls/state';
import { givenSignature, isUrlSecret, secretsOfGenerated, urlSecretMatches } from '../../nodes/callback/urls/urlSecret';
import { TIMEOUT_MS, anyString, anyValue, params } from './fuzz';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
const compactId = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 31 });
const decimalId = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);
const hexToken = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const legacyToken = fc.integer({ min: 16, max: 64 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex')));

/** ecb1 as it was encoded: base64url("<id>:<hex token>"). */
const legacy = (id: string, token: string) => `ecb1.${Buffer.from(`${id}:${token}`, 'utf8').toString('base64url')}`;

/** The string with one character replaced, inserted or deleted. */
const mutated = (base: fc.Arbitrary<string>) =>
	fc.tuple(base, fc.nat(), fc.constantFrom('replace', 'insert', 'delete'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })).map(([s, at, op, c]) => {
		const i = at % (s.length + 1);
		if (op === 'insert') return s.slice(0, i) + c + s.slice(i);
		if (op === 'delete') return s.slice(0, i) + s.slice(i + 1);
		return s.slice(0, i) + c + s.slice(i + 1);
	});

/** A decoded state's one encoding: decoding is injective (one state per execution and token). */
function canonical(state: string, decoded: { executionId: string; resumeToken: string }): boolean {
	return state.startsWith('ecb2.') ? encodeState(decoded.executionId, decoded.resumeToken) === state : legacy(decoded.executionId, decoded.resumeToken) === state;
}

describe('fuzz: decodeState (ecb2, ecb1)', () => {
	test(
		'round trip: every n8n execution id and token encodes to a state of at most 80 bytes that decodes back',
		() => {
			fc.assert(
				fc.property(fc.oneof(compactId, decimalId), hexToken, (id, token) => {
					const state = encodeState(id, token);
					expect(Buffer.byteLength(state)).toBeLessThanOrEqual(STATE_MAX_BYTES);
					expect(decodeState(state)).toEqual({ executionId: id, resumeToken: token });
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'random values and states with one character changed: undefined, or the one execution whose canonical state it is',
		() => {
			const states = fc.oneof(
				fc.tuple(fc.oneof(compactId, decimalId), hexToken).map(([i, t]) => encodeState(i, t)),
				fc.tuple(decimalId, legacyToken).map(([i, t]) => legacy(i, t)),
			);
			fc.assert(
				fc.property(fc.oneof(mutated(states), states, anyString, anyValue, fc.string({ maxLength: 400 }).map((s) => `ecb2.${s}`), fc.string().map((s) => `ecb1.${s}`)), (value) => {
					const decoded = decodeState(value);
					if (decoded === undefined) return;
					expect(typeof value).toBe('string');
					expect(canonical(value as string, decoded)).toBe(true);
					expect(decoded.resumeToken).toMatch(/^[0-9a-f]{32,128}$/);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);
});

describe('fuzz: n8n 1.x URL secrets', () => {
	test(
		'urlSecretMatches: true exactly for the secret itself, whatever the caller sends',
		() => {
			const secret = randomBytes(32).toString('hex');
			fc.assert(
				fc.property(fc.oneof(anyValue, mutated(fc.constant(secret)), fc.constant(secret), fc.constant(secret.toUpperCase()), fc.constant(`${secret}/suffix`)), (given) => {
					expect(urlSecretMatches(given, secret)).toBe(given === secret);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'a stored value that is not a secret matches nothing',
		() => {
			fc.assert(
				fc.property(anyValue, anyValue, (given, stored) => {
					const matched = urlSecretMatches(given, stored);
					expect(matched).toBe(isUrlSecret(stored) && given === stored);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'givenSignature and secretsOfGenerated read any query or generator output without throwing; only 64-hex secrets come out',
		() => {
			const generated = fc.record(
				{
					callbackUrl: fc.oneof(anyString, fc.webUrl({ withQueryParameters: true }), hexToken.map((t) => `http://127.0.0.1:5678/webhook-waiting/7?signature=${t}`)),
					failUrl: fc.oneof(anyValue, hexToken.map((t) => `http://127.0.0.1:5678/webhook-waiting/7/x-fail?signature=${t}/x`)),
					state: fc.oneof(anyValue, fc.tuple(decimalId, hexToken).map(([i, t]) => encodeState(i, t))),
				},
				{ requiredKeys: [] },
			);
			fc.assert(
				fc.property(fc.oneof(generated, anyValue), fc.dictionary(fc.oneof(fc.constant('signature'), anyString), anyValue), (json, query) => {
					for (const s of secretsOfGenerated(json)) expect(isUrlSecret(s)).toBe(true);
					const given = givenSignature(query);
					if (given !== undefined) {
						expect(typeof given).toBe('string');
						expect(given).not.toContain('/');
						expect(given.length).toBeGreaterThan(0);
					}
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);
});
