import {
	TARGETING_QUERY_PARAMS,
	isSecretHeader,
	isSecretQueryParam,
	redactHeaders,
	redactQuery,
} from '../../../nodes/callback/pipeline/redact';

describe('isSecretHeader', () => {
	it.each([
		'authorization',
		'Authorization',
		'proxy-authorization',
		'cookie',
		'set-cookie',
		'user-token',
		'x-n8n-api-key',
		'X-API-Key',
		'apikey',
		'stripe-signature',
		'x-hub-signature',
		'x-hub-signature-256',
		'x-shopify-hmac-sha256',
		'x-slack-signature',
		'svix-signature',
		'x-refresh-token',
		'x-client-secret',
		'x-webhook-signature',
		'x-partner-api-key',
		'x-password',
		'x-credentials',
		'x-auth',
		'x-auth-user',
		'x-authenticated-user',
	])('%s is secret', (name) => {
		expect(isSecretHeader(name)).toBe(true);
	});

	it.each(['x-trace', 'content-type', 'user-agent', 'x-author', 'accept', 'x-request-id', 'host', 'x-keyword'])(
		'%s is not secret',
		(name) => {
			expect(isSecretHeader(name)).toBe(false);
		},
	);
});

describe('isSecretQueryParam', () => {
	it.each(['access_token', 'api_key', 'apikey', 'api-key', 'signature', 'SIGNATURE', 'client_secret', 'password', 'auth'])(
		'%s is secret',
		(name) => {
			expect(isSecretQueryParam(name)).toBe(true);
		},
	);

	it.each(['session_id', 'code', 'state', 'author', 'execution', 'executionId', 'id'])('%s is not secret', (name) => {
		expect(isSecretQueryParam(name)).toBe(false);
	});

	it('treats configured extra names as secret, case-insensitively', () => {
		expect(isSecretQueryParam('hmac')).toBe(false);
		expect(isSecretQueryParam('hmac', ['HMAC'])).toBe(true);
		expect(isSecretQueryParam('Shop', ['shop'])).toBe(true);
		expect(isSecretQueryParam('other', ['shop'])).toBe(false);
	});
});

describe('redactHeaders', () => {
	it('drops secret and undefined headers and lower-cases names', () => {
		expect(
			redactHeaders({
				Authorization: 'Bearer x',
				'X-Trace': 'abc',
				'x-list': ['a', 'b'],
				'x-missing': undefined,
				'stripe-signature': 'sig',
			}),
		).toEqual({ 'x-trace': 'abc', 'x-list': ['a', 'b'] });
	});

	it('returns an empty object for no headers', () => {
		expect(redactHeaders({})).toEqual({});
	});
});

describe('redactQuery', () => {
	const query = {
		execution: '1',
		executionId: '1',
		signature: 's',
		access_token: 't',
		order: '7',
		state: 'xyz',
	};

	it('drops targeting params only when dropTargeting is set', () => {
		expect(TARGETING_QUERY_PARAMS).toEqual(['execution', 'executionId']);
		expect(redactQuery(query, { dropTargeting: true })).toEqual({ order: '7', state: 'xyz' });
		expect(redactQuery(query, { dropTargeting: false })).toEqual({
			execution: '1',
			executionId: '1',
			order: '7',
			state: 'xyz',
		});
	});

	it('drops extra secret params', () => {
		expect(redactQuery(query, { dropTargeting: true, extraSecretParams: ['state'] })).toEqual({ order: '7' });
	});

	it('keeps non-string values and tolerates a missing query', () => {
		expect(redactQuery({ list: ['a', 'b'], nested: { x: '1' } }, { dropTargeting: true })).toEqual({
			list: ['a', 'b'],
			nested: { x: '1' },
		});
		expect(redactQuery(undefined as unknown as Record<string, unknown>, { dropTargeting: true })).toEqual({});
	});

	it('does not modify its input', () => {
		const input = { signature: 's', a: '1' };
		redactQuery(input, { dropTargeting: true });
		expect(input).toEqual({ signature: 's', a: '1' });
	});
});

describe('redactHeaders with configured credential headers', () => {
	it('drops the configured names, case-insensitively, and keeps the rest', () => {
		expect(redactHeaders({ 'x-hmac': 'abc', 'X-Partner': 'k', 'x-request-id': 'r' }, ['X-HMAC', 'x-partner'])).toEqual({ 'x-request-id': 'r' });
	});
});

describe('found by fuzzing: a parameter or header named __proto__', () => {
	test('is kept as an own property and never replaces the prototype', () => {
		const query = JSON.parse('{"__proto__": ["a", "b"], "page": "2"}') as Record<string, unknown>;
		const out = redactQuery(query, { dropTargeting: true });
		expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
		expect(Object.hasOwn(out, '__proto__')).toBe(true);
		expect(Object.entries(out)).toEqual([['__proto__', ['a', 'b']], ['page', '2']]);
		const headers = redactHeaders(JSON.parse('{"__proto__": "x", "X-Id": "1"}') as Record<string, string>);
		expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
		expect(Object.entries(headers)).toEqual([['__proto__', 'x'], ['x-id', '1']]);
	});
});
