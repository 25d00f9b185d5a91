import { CallbackError, ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import { type IncomingCallback, parseCallback } from '../../../nodes/callback/pipeline/parse';

function incoming(overrides: Partial<IncomingCallback> = {}): IncomingCallback {
	return {
		method: 'GET',
		contentType: '',
		headers: {},
		query: {},
		body: {},
		...overrides,
	};
}

function catchError(fn: () => unknown): CallbackError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(CallbackError);
		return error as CallbackError;
	}
	throw new Error('expected a CallbackError');
}

describe('parseCallback: GET and DELETE use the query', () => {
	const query = {
		execution: '42',
		executionId: '42',
		signature: 'n8n-resume-token',
		status: 'paid',
		amount: '10',
	};

	it('GET data is the query minus targeting and signature params', () => {
		const parsed = parseCallback(incoming({ method: 'GET', query }));
		expect(parsed.data).toEqual({ status: 'paid', amount: '10' });
		expect(parsed.query).toEqual({ status: 'paid', amount: '10' });
		expect(parsed.method).toBe('GET');
		expect(parsed.files).toEqual([]);
		expect(parsed.binaryBody).toBeUndefined();
	});

	it('upper-cases the method', () => {
		const parsed = parseCallback(incoming({ method: 'get', query: { a: '1' } }));
		expect(parsed.method).toBe('GET');
		expect(parsed.data).toEqual({ a: '1' });
	});

	it('DELETE without a body uses the query', () => {
		const parsed = parseCallback(incoming({ method: 'DELETE', query }));
		expect(parsed.data).toEqual({ status: 'paid', amount: '10' });
	});

	it('DELETE with a body uses the body', () => {
		const parsed = parseCallback(
			incoming({
				method: 'DELETE',
				contentType: 'application/json',
				query,
				body: { reason: 'cancelled' },
			}),
		);
		expect(parsed.data).toEqual({ reason: 'cancelled' });
		expect(parsed.query).toEqual({ status: 'paid', amount: '10' });
	});

	it('GET ignores a body for data', () => {
		const parsed = parseCallback(
			incoming({ method: 'GET', contentType: 'application/json', query: { a: '1' }, body: { b: 2 } }),
		);
		expect(parsed.data).toEqual({ a: '1' });
	});

	it('drops secret-like query params and keeps ordinary ones', () => {
		const parsed = parseCallback(
			incoming({
				query: {
					access_token: 't',
					api_key: 'k',
					signature: 's',
					client_secret: 'c',
					session_id: 'sess',
					code: 'abc',
					state: 'xyz',
					author: 'ada',
				},
			}),
		);
		expect(parsed.data).toEqual({ session_id: 'sess', code: 'abc', state: 'xyz', author: 'ada' });
		expect(parsed.query).toEqual({ session_id: 'sess', code: 'abc', state: 'xyz', author: 'ada' });
	});

	it('secretQueryParams drops the named params (case-insensitive)', () => {
		const parsed = parseCallback(incoming({ query: { hmac: 'h', Shop: 'x', order: '7' } }), {
			secretQueryParams: ['HMAC', 'shop'],
		});
		expect(parsed.data).toEqual({ order: '7' });
		expect(parsed.query).toEqual({ order: '7' });
	});
});

describe('parseCallback: POST, PUT, PATCH use the body', () => {
	it.each(['POST', 'PUT', 'PATCH'])('%s data is the JSON body, query kept but redacted', (method) => {
		const parsed = parseCallback(
			incoming({
				method,
				contentType: 'application/json',
				query: { execution: '1', signature: 's', ref: 'r1' },
				body: { order: { id: 7, items: [1, 2] } },
			}),
		);
		expect(parsed.data).toEqual({ order: { id: 7, items: [1, 2] } });
		expect(parsed.query).toEqual({ ref: 'r1' });
	});

	it('keeps an array body as is', () => {
		const parsed = parseCallback(
			incoming({ method: 'POST', contentType: 'application/json', body: [{ a: 1 }, { a: 2 }] }),
		);
		expect(parsed.data).toEqual([{ a: 1 }, { a: 2 }]);
	});

	it('keeps a scalar JSON body', () => {
		const parsed = parseCallback(incoming({ method: 'POST', contentType: 'application/json', body: 'hello' }));
		expect(parsed.data).toBe('hello');
	});

	it('uses a form body as data', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'application/x-www-form-urlencoded',
				body: { name: 'Ada', tags: ['a', 'b'] },
			}),
		);
		expect(parsed.data).toEqual({ name: 'Ada', tags: ['a', 'b'] });
		expect(parsed.contentType).toBe('application/x-www-form-urlencoded');
	});

	it('POST with no body gives {} and does not fall back to the query', () => {
		const parsed = parseCallback(incoming({ method: 'POST', query: { a: '1' }, body: undefined }));
		expect(parsed.data).toEqual({});
		expect(parsed.query).toEqual({ a: '1' });
	});

	it('lower-cases the content type', () => {
		const parsed = parseCallback(incoming({ method: 'POST', contentType: 'Application/JSON', body: { a: 1 } }));
		expect(parsed.contentType).toBe('application/json');
		expect(parsed.data).toEqual({ a: 1 });
	});
});

describe('parseCallback: multipart', () => {
	it('uses the fields as data and lists a single file under its field name', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'multipart/form-data',
				body: {
					data: { title: 'Invoice' },
					files: {
						invoice: {
							filepath: '/tmp/upload_1',
							originalFilename: 'invoice.pdf',
							mimetype: 'application/pdf',
							size: 1234,
						},
					},
				},
			}),
		);
		expect(parsed.data).toEqual({ title: 'Invoice' });
		expect(parsed.files).toEqual([
			{
				property: 'invoice',
				filepath: '/tmp/upload_1',
				fileName: 'invoice.pdf',
				mimeType: 'application/pdf',
				size: 1234,
			},
		]);
	});

	it('numbers several files in one field (field0, field1, …)', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'multipart/form-data',
				body: {
					data: {},
					files: {
						photos: [
							{ filepath: '/tmp/a', originalFilename: 'a.png', mimetype: 'image/png', size: 1 },
							{ filepath: '/tmp/b', originalFilename: 'b.png', mimetype: 'image/png', size: 2 },
						],
						doc: [{ filepath: '/tmp/c', originalFilename: null, mimetype: null, size: 3 }],
					},
				},
			}),
		);
		expect(parsed.files.map((f) => [f.property, f.filepath])).toEqual([
			['photos0', '/tmp/a'],
			['photos1', '/tmp/b'],
			['doc', '/tmp/c'],
		]);
		const doc = parsed.files.find((f) => f.property === 'doc');
		expect(doc?.fileName).toBeUndefined();
		expect(doc?.mimeType).toBeUndefined();
	});

	it('skips file entries without a filepath', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'multipart/form-data',
				body: { data: { a: '1' }, files: { empty: {}, nothing: null } },
			}),
		);
		expect(parsed.files).toEqual([]);
		expect(parsed.data).toEqual({ a: '1' });
	});

	it('gives {} data for a multipart body without fields', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'multipart/form-data',
				body: { files: { f: { filepath: '/tmp/f' } } },
			}),
		);
		expect(parsed.data).toEqual({});
		expect(parsed.files).toHaveLength(1);
		expect(parsed.files[0].property).toBe('f');
	});
});

describe('parseCallback: vendor +json types', () => {
	it('parses application/vnd.api+json from rawBody', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'application/vnd.api+json',
				body: {},
				rawBody: Buffer.from(JSON.stringify({ data: { type: 'orders', id: '1' } })),
			}),
		);
		expect(parsed.data).toEqual({ data: { type: 'orders', id: '1' } });
		expect(parsed.binaryBody).toBeUndefined();
	});

	it('strips a UTF-8 BOM before parsing', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'application/problem+json',
				rawBody: Buffer.from('\uFEFF{"title":"x"}', 'utf8'),
			}),
		);
		expect(parsed.data).toEqual({ title: 'x' });
	});

	it('throws 422 / 1010 for malformed vendor JSON', () => {
		const error = catchError(() =>
			parseCallback(
				incoming({
					method: 'POST',
					contentType: 'application/vnd.api+json',
					rawBody: Buffer.from('{"broken":'),
				}),
			),
		);
		expect(error.status).toBe(422);
		expect(error.code).toBe(ErrorCodes.INVALID_JSON);
		expect(error.code).toBe(1010);
	});
});

describe('parseCallback: unparsed content types become a binary body', () => {
	it.each(['image/png', 'application/octet-stream', 'text/csv'])('%s with rawBody → binaryBody', (type) => {
		const raw = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]);
		const parsed = parseCallback(incoming({ method: 'POST', contentType: type, body: {}, rawBody: raw }));
		expect(parsed.binaryBody).toEqual({ buffer: raw, mimeType: type });
		expect(parsed.binaryBody?.buffer).toBe(raw);
		expect(parsed.data).toEqual({});
	});

	it('uses application/octet-stream when the content type is missing', () => {
		const raw = Buffer.from('abc');
		const parsed = parseCallback(incoming({ method: 'POST', contentType: '', rawBody: raw }));
		expect(parsed.binaryBody?.mimeType).toBe('application/octet-stream');
		expect(parsed.data).toEqual({});
	});

	it('does not treat XML or n8n-parsed types as binary', () => {
		for (const type of ['application/xml', 'text/xml', 'application/atom+xml', 'text/plain', 'application/json']) {
			const parsed = parseCallback(
				incoming({ method: 'POST', contentType: type, body: { parsed: true }, rawBody: Buffer.from('x') }),
			);
			expect(parsed.binaryBody).toBeUndefined();
			expect(parsed.data).toEqual({ parsed: true });
		}
	});

	it('does not produce a binary body without rawBody', () => {
		const parsed = parseCallback(incoming({ method: 'POST', contentType: 'image/png', body: {} }));
		expect(parsed.binaryBody).toBeUndefined();
	});
});

describe('parseCallback: allowedContentTypes', () => {
	it('throws 415 / 1011 for a type not in the list', () => {
		const error = catchError(() =>
			parseCallback(incoming({ method: 'POST', contentType: 'text/plain', body: 'hi' }), {
				allowedContentTypes: ['application/json'],
			}),
		);
		expect(error.status).toBe(415);
		expect(error.code).toBe(1011);
		expect(error.message).toContain('text/plain');
		expect(error.message).toContain('application/json');
	});

	it('accepts a listed type, compared case-insensitively and trimmed', () => {
		const parsed = parseCallback(incoming({ method: 'POST', contentType: 'application/json', body: { a: 1 } }), {
			allowedContentTypes: [' Application/JSON '],
		});
		expect(parsed.data).toEqual({ a: 1 });
	});

	it('does not throw when there is no body', () => {
		const parsed = parseCallback(
			incoming({ method: 'GET', contentType: '', query: { a: '1' }, body: {}, contentLength: 0 }),
			{ allowedContentTypes: ['application/json'] },
		);
		expect(parsed.data).toEqual({ a: '1' });
		const post = parseCallback(incoming({ method: 'POST', contentType: 'text/plain', body: '' }), {
			allowedContentTypes: ['application/json'],
		});
		expect(post.data).toBe('');
	});

	it('counts a raw body and a declared length as a body', () => {
		expect(() =>
			parseCallback(incoming({ method: 'POST', contentType: 'image/png', rawBody: Buffer.from('x') }), {
				allowedContentTypes: ['application/json'],
			}),
		).toThrow(CallbackError);
		const error = catchError(() =>
			parseCallback(incoming({ method: 'POST', contentType: '', contentLength: 5 }), {
				allowedContentTypes: ['application/json'],
			}),
		);
		expect(error.status).toBe(415);
		expect(error.message).toContain('(none)');
	});

	it('an empty list accepts anything', () => {
		const parsed = parseCallback(incoming({ method: 'POST', contentType: 'text/plain', body: 'hi' }), {
			allowedContentTypes: [],
		});
		expect(parsed.data).toBe('hi');
	});
});

describe('parseCallback: maxBodyBytes', () => {
	it('throws 413 / 1012 when rawBody is larger than the limit', () => {
		const error = catchError(() =>
			parseCallback(
				incoming({ method: 'POST', contentType: 'application/octet-stream', rawBody: Buffer.alloc(11) }),
				{ maxBodyBytes: 10 },
			),
		);
		expect(error.status).toBe(413);
		expect(error.code).toBe(1012);
		expect(error.message).toContain('10');
	});

	it('uses contentLength when there is no rawBody', () => {
		const error = catchError(() =>
			parseCallback(
				incoming({ method: 'POST', contentType: 'multipart/form-data', body: { data: {} }, contentLength: 2048 }),
				{ maxBodyBytes: 1024 },
			),
		);
		expect(error.status).toBe(413);
		expect(error.code).toBe(ErrorCodes.BODY_TOO_LARGE);
	});

	it('prefers rawBody length over contentLength', () => {
		const parsed = parseCallback(
			incoming({
				method: 'POST',
				contentType: 'application/octet-stream',
				rawBody: Buffer.alloc(5),
				contentLength: 5000,
			}),
			{ maxBodyBytes: 10 },
		);
		expect(parsed.binaryBody?.buffer.length).toBe(5);
	});

	it('accepts a body exactly at the limit, and 0 means no limit', () => {
		expect(
			parseCallback(incoming({ method: 'POST', contentType: 'image/png', rawBody: Buffer.alloc(10) }), {
				maxBodyBytes: 10,
			}).binaryBody?.mimeType,
		).toBe('image/png');
		expect(
			parseCallback(incoming({ method: 'POST', contentType: 'image/png', rawBody: Buffer.alloc(100000) }), {
				maxBodyBytes: 0,
			}).binaryBody?.buffer.length,
		).toBe(100000);
	});

	it('checks the size before the content type', () => {
		const error = catchError(() =>
			parseCallback(incoming({ method: 'POST', contentType: 'text/csv', rawBody: Buffer.alloc(20) }), {
				maxBodyBytes: 10,
				allowedContentTypes: ['application/json'],
			}),
		);
		expect(error.status).toBe(413);
	});
});

describe('parseCallback: headers', () => {
	it('drops secret headers and keeps ordinary ones', () => {
		const parsed = parseCallback(
			incoming({
				headers: {
					authorization: 'Bearer x',
					cookie: 'sid=1',
					'user-token': 'u',
					'x-n8n-api-key': 'k',
					'stripe-signature': 't=1,v1=abc',
					'x-hub-signature-256': 'sha256=abc',
					'x-custom-token': 't',
					'x-my-secret': 's',
					'x-payload-signature': 's',
					'x-service-api-key': 'k',
					'x-trace': 'trace-1',
					'content-type': 'application/json',
					'user-agent': 'curl/8',
					'x-author': 'ada',
					'x-undefined': undefined,
				},
			}),
		);
		expect(parsed.headers).toEqual({
			'x-trace': 'trace-1',
			'content-type': 'application/json',
			'user-agent': 'curl/8',
			'x-author': 'ada',
		});
	});

	it('keeps array header values', () => {
		const parsed = parseCallback(incoming({ headers: { 'x-forwarded-for': ['1.1.1.1', '2.2.2.2'] } }));
		expect(parsed.headers['x-forwarded-for']).toEqual(['1.1.1.1', '2.2.2.2']);
	});
});

describe('hostile input', () => {
	const { parseCallback: parse, MAX_QUERY_LENGTH } = jest.requireActual('../../../nodes/callback/pipeline/parse');

	test('a text body that is not valid UTF-8 → 400 code 1013', () => {
		const rawBody = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
		for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.api+json']) {
			expect(() => parse({ method: 'POST', contentType, headers: {}, query: {}, body: {}, rawBody })).toThrow(
				expect.objectContaining({ status: 400, code: 1013 }),
			);
		}
		// a binary body may hold any bytes
		expect(parse({ method: 'POST', contentType: 'image/png', headers: {}, query: {}, body: {}, rawBody }).binaryBody).toBeDefined();
	});

	test('valid multi-byte UTF-8 passes', () => {
		const rawBody = Buffer.from(JSON.stringify({ a: 'ü€𝄞' }));
		expect(parse({ method: 'POST', contentType: 'application/json', headers: {}, query: {}, body: { a: 'ü€𝄞' }, rawBody }).data).toEqual({ a: 'ü€𝄞' });
	});

	test('a query string over the limit → 414 code 1014', () => {
		expect(() => parse({ method: 'GET', contentType: '', headers: {}, query: {}, body: {}, queryLength: MAX_QUERY_LENGTH + 1 })).toThrow(
			expect.objectContaining({ status: 414, code: 1014 }),
		);
		expect(parse({ method: 'GET', contentType: '', headers: {}, query: { a: '1' }, body: {}, queryLength: MAX_QUERY_LENGTH }).data).toEqual({ a: '1' });
	});
});

describe('nesting depth', () => {
	const { parseCallback: parse, depthOf, MAX_DEPTH } = jest.requireActual('../../../nodes/callback/pipeline/parse');
	const nest = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n));

	test('depthOf measures without recursion, even 200,000 levels', () => {
		expect(depthOf({ a: { b: [1, { c: 2 }] } })).toBe(4);
		expect(depthOf('x')).toBe(0);
		expect(depthOf(nest(200_000))).toBeGreaterThan(MAX_DEPTH);
	});

	test('data deeper than the limit → 422 code 1015; at the limit it passes', () => {
		expect(() => parse({ method: 'POST', contentType: 'application/json', headers: {}, query: {}, body: nest(MAX_DEPTH + 1) })).toThrow(
			expect.objectContaining({ status: 422, code: 1015 }),
		);
		expect(parse({ method: 'POST', contentType: 'application/json', headers: {}, query: {}, body: nest(MAX_DEPTH) }).data).toEqual(nest(MAX_DEPTH));
	});
});
