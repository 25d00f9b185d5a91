import { type CallbackError, ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import { type ApiKeyOptions, verifyApiKey } from '../../../nodes/callback/auth/apiKey';
import type { AuthRequest } from '../../../nodes/callback/auth/types';
import { expectConfigurationError, expectRejection } from '../helpers';

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const KEY_A = 'ak_live_4f8a1c2e9b7d';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const KEY_B = 'ak_live_second-key-77';
const KEY_C = 'ak_live_third';

function req(headers: AuthRequest['headers'] = {}, query: Record<string, unknown> = {}): AuthRequest {
	return { method: 'POST', headers, query };
}

function rejection(fn: () => unknown, code: number, presented?: string): CallbackError {
	const secrets = [KEY_A, KEY_B, KEY_C, presented].filter((s): s is string => !!s && s.trim().length >= 4);
	return expectRejection(fn, 401, code, secrets);
}

const header: ApiKeyOptions = { keys: [KEY_A], location: 'header', name: 'x-api-key' };
const query: ApiKeyOptions = { keys: [KEY_A], location: 'query', name: 'api_key' };

describe('verifyApiKey: header', () => {
	it('accepts the configured key and names it by position, never by value', () => {
		const id = verifyApiKey(req({ 'x-api-key': KEY_A }), header);
		expect(id).toEqual({ user: { apiKey: 'key#1' }, roles: [] });
		expect(JSON.stringify(id)).not.toContain(KEY_A);
	});

	it('matches the configured header name case-insensitively', () => {
		expect(verifyApiKey(req({ 'x-api-key': KEY_A }), { ...header, name: 'X-API-Key' }).user.apiKey).toBe('key#1');
	});

	it('finds the matching key among several', () => {
		const options = { ...header, keys: [KEY_A, KEY_B, KEY_C] };
		expect(verifyApiKey(req({ 'x-api-key': KEY_A }), options).user.apiKey).toBe('key#1');
		expect(verifyApiKey(req({ 'x-api-key': KEY_B }), options).user.apiKey).toBe('key#2');
		expect(verifyApiKey(req({ 'x-api-key': KEY_C }), options).user.apiKey).toBe('key#3');
	});

	it('keeps positions stable when empty keys are configured (they are ignored)', () => {
		const options = { ...header, keys: ['', KEY_B, '   '] };
		expect(verifyApiKey(req({ 'x-api-key': KEY_B }), options).user.apiKey).toBe('key#2');
		rejection(() => verifyApiKey(req({ 'x-api-key': '' }), options), ErrorCodes.UNAUTHENTICATED);
		rejection(() => verifyApiKey(req({ 'x-api-key': '   ' }), options), ErrorCodes.INVALID_CREDENTIAL);
	});

	it('rejects a wrong key with 1002', () => {
		for (const wrong of ['nope', `${KEY_A}x`, KEY_A.slice(0, -1), KEY_A.toUpperCase(), ` ${KEY_A}`, 'a'.repeat(5000)]) {
			const err = rejection(
				() => verifyApiKey(req({ 'x-api-key': wrong }), { ...header, keys: [KEY_A, KEY_B] }),
				ErrorCodes.INVALID_CREDENTIAL,
				wrong,
			);
			expect(err.message).toBe('Authentication failed: invalid API key');
		}
	});

	it('rejects a missing key with 1001', () => {
		const err = rejection(() => verifyApiKey(req({}), header), ErrorCodes.UNAUTHENTICATED);
		expect(err.message).toBe('Authentication required: no API key in the request');
		rejection(() => verifyApiKey(req({ 'x-api-key': '' }), header), ErrorCodes.UNAUTHENTICATED);
		rejection(() => verifyApiKey(req({ authorization: KEY_A }), header), ErrorCodes.UNAUTHENTICATED);
	});

	it('does not read the key from the query when configured for a header', () => {
		rejection(() => verifyApiKey(req({}, { 'x-api-key': KEY_A }), header), ErrorCodes.UNAUTHENTICATED);
	});

	it('refuses the header given twice with different values; accepts a single-element array', () => {
		rejection(() => verifyApiKey(req({ 'x-api-key': [KEY_A, 'other'] }), header), ErrorCodes.INVALID_CREDENTIAL);
		expect(verifyApiKey(req({ 'x-api-key': [KEY_A] }), header).user.apiKey).toBe('key#1');
	});
});

describe('verifyApiKey: query', () => {
	it('accepts the configured key', () => {
		expect(verifyApiKey(req({}, { api_key: KEY_A }), query)).toEqual({ user: { apiKey: 'key#1' }, roles: [] });
	});

	it('finds the matching key among several', () => {
		expect(verifyApiKey(req({}, { api_key: KEY_C }), { ...query, keys: [KEY_A, KEY_B, KEY_C] }).user.apiKey).toBe(
			'key#3',
		);
	});

	it('rejects a wrong key with 1002', () => {
		rejection(() => verifyApiKey(req({}, { api_key: KEY_B }), query), ErrorCodes.INVALID_CREDENTIAL, KEY_B);
	});

	it('rejects a missing key with 1001 (the header does not count, nor another parameter name)', () => {
		rejection(() => verifyApiKey(req({}, {}), query), ErrorCodes.UNAUTHENTICATED);
		rejection(() => verifyApiKey(req({ 'x-api-key': KEY_A }, {}), query), ErrorCodes.UNAUTHENTICATED);
		rejection(() => verifyApiKey(req({}, { API_KEY: KEY_A }), query), ErrorCodes.UNAUTHENTICATED);
		rejection(() => verifyApiKey(req({}, { api_key: '' }), query), ErrorCodes.UNAUTHENTICATED);
	});

	it('refuses a parameter given twice (array), even when one of them is right', () => {
		rejection(() => verifyApiKey(req({}, { api_key: [KEY_A, KEY_A] }), query), ErrorCodes.INVALID_CREDENTIAL);
		rejection(() => verifyApiKey(req({}, { api_key: ['nope', KEY_A] }), query), ErrorCodes.INVALID_CREDENTIAL);
		rejection(() => verifyApiKey(req({}, { api_key: [KEY_A] }), query), ErrorCodes.INVALID_CREDENTIAL);
	});

	it('refuses a non-string value (e.g. api_key[x]=...)', () => {
		rejection(() => verifyApiKey(req({}, { api_key: { x: KEY_A } }), query), ErrorCodes.INVALID_CREDENTIAL);
	});
});

describe('verifyApiKey: no configured key', () => {
	it.each([[[]], [['']], [['', '  ']]])('rejects every call with keys %j', (keys) => {
		const options = { ...header, keys: keys as string[] };
		for (const presented of [KEY_A, 'anything', ' ']) {
			rejection(() => verifyApiKey(req({ 'x-api-key': presented }), options), ErrorCodes.INVALID_CREDENTIAL, presented);
		}
		rejection(() => verifyApiKey(req({}), options), ErrorCodes.UNAUTHENTICATED);
	});

	it('an empty presented key never matches an empty configured key', () => {
		rejection(() => verifyApiKey(req({}, { api_key: '' }), { ...query, keys: [''] }), ErrorCodes.UNAUTHENTICATED);
	});
});

describe('verifyApiKey: configuration', () => {
	it('throws a plain configuration error without a name', () => {
		expectConfigurationError(() => verifyApiKey(req({ 'x-api-key': KEY_A }), { ...header, name: '' }));
	});
});
