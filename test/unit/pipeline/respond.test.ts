import { CallbackError } from '../../../nodes/callback/pipeline/errors';
import { type ResponseLike, planResponse, sendError } from '../../../nodes/callback/pipeline/respond';

describe('planResponse: default', () => {
	it('answers 200 with an empty body and no headers', () => {
		expect(planResponse({ respond: 'default' })).toEqual({ status: 200, headers: {}, body: '' });
	});

	it('ignores custom fields when not in custom mode', () => {
		expect(
			planResponse({ respond: 'default', responseCode: 500, responseBody: 'x', responseHeaders: [{ name: 'a', value: 'b' }] }),
		).toEqual({ status: 200, headers: {}, body: '' });
	});

	it.each(['lastNode', 'responseNode'] as const)('%s falls back to the default plan', (respond) => {
		expect(planResponse({ respond })).toEqual({ status: 200, headers: {}, body: '' });
	});
});

describe('planResponse: custom', () => {
	it('uses the given status, body and headers (names lower-cased)', () => {
		const plan = planResponse({
			respond: 'custom',
			responseCode: 201,
			responseBody: 'created',
			responseHeaders: [
				{ name: 'X-Request-Id', value: 'abc' },
				{ name: 'Content-Type', value: 'text/html' },
			],
		});
		expect(plan).toEqual({
			status: 201,
			body: 'created',
			headers: { 'x-request-id': 'abc', 'content-type': 'text/html' },
		});
	});

	it('defaults to 200 and no content-type when there is no body', () => {
		expect(planResponse({ respond: 'custom' })).toEqual({ status: 200, headers: {}, body: '' });
	});

	it('sets application/json for a JSON object or array body', () => {
		expect(planResponse({ respond: 'custom', responseBody: '{"ok":true}' }).headers).toEqual({
			'content-type': 'application/json; charset=utf-8',
		});
		expect(planResponse({ respond: 'custom', responseBody: '  [1, 2]\n' }).headers['content-type']).toBe(
			'application/json; charset=utf-8',
		);
	});

	it('sets text/plain for a body that is not JSON', () => {
		expect(planResponse({ respond: 'custom', responseBody: 'thanks' }).headers['content-type']).toBe(
			'text/plain; charset=utf-8',
		);
		expect(planResponse({ respond: 'custom', responseBody: '{not json' }).headers['content-type']).toBe(
			'text/plain; charset=utf-8',
		);
	});

	it('keeps an explicit content-type whatever its case', () => {
		const plan = planResponse({
			respond: 'custom',
			responseBody: '{"ok":true}',
			responseHeaders: [{ name: 'CONTENT-TYPE', value: 'application/vnd.api+json' }],
		});
		expect(plan.headers).toEqual({ 'content-type': 'application/vnd.api+json' });
	});

	it('accepts a numeric string status', () => {
		expect(planResponse({ respond: 'custom', responseCode: '202' as unknown as number }).status).toBe(202);
	});

	it('neutralises CR and LF in header values', () => {
		const plan = planResponse({
			respond: 'custom',
			responseHeaders: [{ name: 'x-note', value: 'a\r\nSet-Cookie: evil=1\nb\rc' }],
		});
		expect(plan.headers['x-note']).toBe('a  Set-Cookie: evil=1 b c');
		expect(plan.headers['x-note']).not.toMatch(/[\r\n]/);
		expect(plan.headers['set-cookie']).toBeUndefined();
	});

	it('skips headers with an empty name and stringifies missing values', () => {
		const plan = planResponse({
			respond: 'custom',
			responseHeaders: [
				{ name: '   ', value: 'ignored' },
				{ name: ' x-trimmed ', value: undefined as unknown as string },
			],
		});
		expect(plan.headers).toEqual({ 'x-trimmed': '' });
	});

	it.each(['bad header', 'x:y', 'x\r\ny', 'naïve', '(x)'])('rejects the invalid header name %j', (name) => {
		expect(() => planResponse({ respond: 'custom', responseHeaders: [{ name, value: 'v' }] })).toThrow(
			/is not allowed/,
		);
	});

	it.each(['content-length', 'Content-Length', 'transfer-encoding', 'connection'])(
		'rejects the reserved header %s',
		(name) => {
			expect(() => planResponse({ respond: 'custom', responseHeaders: [{ name, value: '1' }] })).toThrow(
				/is not allowed/,
			);
		},
	);

	it.each([99, 199, 600, 700, 2.5, NaN, -200])('rejects the invalid status %p', (code) => {
		expect(() => planResponse({ respond: 'custom', responseCode: code })).toThrow(/not a valid HTTP status/);
	});

	it.each([200, 204, 302, 404, 599])('accepts the status %p', (code) => {
		expect(planResponse({ respond: 'custom', responseCode: code }).status).toBe(code);
	});
});

describe('planResponse: redirect', () => {
	it('answers 302 with a location header by default', () => {
		expect(planResponse({ respond: 'redirect', redirectUrl: 'https://shop.example.com/thanks?x=1' })).toEqual({
			status: 302,
			headers: { location: 'https://shop.example.com/thanks?x=1' },
			body: '',
		});
	});

	it('answers 303 when asked, 302 for anything else', () => {
		expect(planResponse({ respond: 'redirect', redirectUrl: 'http://a.example', redirectStatus: 303 }).status).toBe(303);
		expect(planResponse({ respond: 'redirect', redirectUrl: 'http://a.example', redirectStatus: 302 }).status).toBe(302);
		expect(planResponse({ respond: 'redirect', redirectUrl: 'http://a.example', redirectStatus: 301 }).status).toBe(302);
	});

	it('trims the URL', () => {
		expect(planResponse({ respond: 'redirect', redirectUrl: '  https://a.example/x  ' }).headers.location).toBe(
			'https://a.example/x',
		);
	});

	it.each(['javascript:alert(1)', '/relative', 'relative/path', 'ftp://files.example.com/x', 'data:text/html,hi', '', '//a.example/x'])(
		'rejects %j',
		(redirectUrl) => {
			expect(() => planResponse({ respond: 'redirect', redirectUrl })).toThrow(/absolute http\(s\) URL/);
		},
	);

	it('never puts CR/LF from the URL (e.g. from callback data) into the location header', () => {
		const plan = planResponse({ respond: 'redirect', redirectUrl: 'https://shop.example.com/a\r\nSet-Cookie: evil=1' });
		expect(plan.headers.location).not.toMatch(/[\r\n]/);
		expect(plan.headers.location.startsWith('https://shop.example.com/a')).toBe(true);
	});

	it('percent-encodes spaces and non-ASCII text in the location', () => {
		expect(planResponse({ respond: 'redirect', redirectUrl: 'https://a.example/ü x' }).headers.location).toBe(
			'https://a.example/%C3%BC%20x',
		);
	});

	it('rejects a missing URL', () => {
		expect(() => planResponse({ respond: 'redirect' })).toThrow(/absolute http\(s\) URL/);
	});
});

describe('sendError', () => {
	function fakeResponse(headersSent = false) {
		const calls: Array<[string, ...unknown[]]> = [];
		const res: ResponseLike & { statusCode?: number; headers: Record<string, string>; body?: unknown } = {
			headersSent,
			headers: {},
			status(code: number) {
				calls.push(['status', code]);
				this.statusCode = code;
				return this;
			},
			end(body?: string) {
				calls.push(['end', body]);
			},
			setHeader(name: string, value: string) {
				calls.push(['setHeader', name, value]);
				this.headers[name] = value;
			},
			json(body: unknown) {
				calls.push(['json', body]);
				this.body = body;
			},
		};
		return { res, calls };
	}

	it('writes status, cache-control: no-store and the JSON body', () => {
		const { res, calls } = fakeResponse();
		sendError(res, new CallbackError(415, 1011, 'nope'));
		expect(res.statusCode).toBe(415);
		expect(res.headers).toEqual({ 'cache-control': 'no-store' });
		expect(res.body).toEqual({ code: 1011, message: 'nope' });
		expect(calls.map((c) => c[0])).toEqual(['status', 'setHeader', 'json']);
	});

	it('does nothing when headers were already sent', () => {
		const { res, calls } = fakeResponse(true);
		sendError(res, new CallbackError(500, 1099, 'late'));
		expect(calls).toEqual([]);
		expect(res.body).toBeUndefined();
	});
});
