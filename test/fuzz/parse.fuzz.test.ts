/**
 * Fuzz of stage "parse" (pipeline/parse.ts parseCallback): random and near-valid requests as n8n
 * hands them to the node. Each ends in a ParsedCallback or a CallbackError of the parse codes with
 * its documented status; the output never holds a credential-carrying header or query parameter.
 */
import fc from 'fast-check';

import { ErrorCodes } from '../../nodes/callback/pipeline/errors';
import { type IncomingCallback, MAX_DEPTH, type ParseOptions, depthOf, parseCallback } from '../../nodes/callback/pipeline/parse';
import { isSecretHeader, isSecretQueryParam } from '../../nodes/callback/pipeline/redact';
import { TIMEOUT_MS, anyBytes, anyKey, anyString, anyValue, nested, outcomeOf, params, plantedSecret } from './fuzz';

const PARSE_CODES = [
	ErrorCodes.INVALID_JSON,
	ErrorCodes.UNSUPPORTED_CONTENT_TYPE,
	ErrorCodes.BODY_TOO_LARGE,
	ErrorCodes.INVALID_ENCODING,
	ErrorCodes.QUERY_TOO_LONG,
	ErrorCodes.TOO_DEEP,
];
const SECRET = plantedSecret();

const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'TRACE'), fc.string({ maxLength: 8 }));
const contentType = fc.oneof(
	fc.constantFrom(
		'',
		'application/json',
		'application/vnd.api+json',
		'application/problem+json',
		'application/x-www-form-urlencoded',
		'multipart/form-data',
		'text/plain',
		'text/xml',
		'application/soap+xml',
		'application/octet-stream',
		'image/png',
		'text/csv',
		'+json',
	),
	fc.string({ maxLength: 20 }),
);
/** Header values as Node gives them: strings, arrays (set-cookie), undefined; the planted secret in credential headers. */
const headers = fc
	.tuple(
		fc.dictionary(
			fc.oneof(fc.constantFrom('x-request-id', 'user-agent', 'content-type', 'x-my-token'), anyKey),
			fc.oneof(anyString, fc.array(anyString, { maxLength: 3 }), fc.constant(undefined)),
			{ maxKeys: 6 },
		),
		fc.subarray(['authorization', 'x-api-key', 'cookie', 'x-hub-signature-256', 'x-my-token', 'Proxy-Authorization', 'x-n8n-api-key', 'x-external-callback-forward']),
	)
	.map(([plain, secretNames]) => ({ ...plain, ...Object.fromEntries(secretNames.map((n) => [n, `Bearer ${SECRET}`])) }));
const queryValue = fc.oneof(anyValue, fc.integer({ min: 0, max: 120 }).map((d) => nested(d)));
const query = fc.dictionary(
	fc.oneof(fc.constantFrom('signature', 'token', 'api_key', 'execution', 'executionId', 'state', 'page', 'access_token'), anyKey),
	queryValue,
	{ maxKeys: 6 },
);
const body = fc.oneof(
	anyValue,
	fc.integer({ min: 0, max: 120 }).map((d) => nested(d)),
	fc.record({ data: anyValue, files: fc.oneof(anyValue, fc.dictionary(anyKey, fc.oneof(fc.record({ filepath: anyString, originalFilename: fc.option(anyString), mimetype: fc.option(anyString), size: fc.option(fc.nat()) }), fc.array(fc.option(fc.record({ filepath: anyString }))), anyValue), { maxKeys: 3 })) }),
);
const options: fc.Arbitrary<ParseOptions> = fc.record(
	{
		allowedContentTypes: fc.array(fc.oneof(contentType, fc.constantFrom(' Application/JSON ', '')), { maxLength: 3 }),
		maxBodyBytes: fc.oneof(fc.constant(0), fc.nat({ max: 512 }), fc.constant(Number.NaN), fc.constant(-1)),
		secretQueryParams: fc.array(anyKey, { maxLength: 3 }),
		stripFields: fc.array(fc.oneof(fc.constant('state'), anyKey), { maxLength: 2 }),
	},
	{ requiredKeys: [] },
);

/** A request: random parts, or a body whose bytes are its JSON/text as n8n would have read them. */
const incoming: fc.Arbitrary<IncomingCallback> = fc
	.record({
		method,
		contentType,
		headers,
		query,
		body,
		raw: fc.oneof(fc.constant(undefined), anyBytes, fc.constant('fromBody' as const)),
		contentLength: fc.option(fc.oneof(fc.nat({ max: 1_000_000 }), fc.constant(Number.NaN)), { nil: undefined }),
		queryLength: fc.option(fc.oneof(fc.nat({ max: 20_000 }), fc.constant(8192), fc.constant(8193)), { nil: undefined }),
	})
	.map(({ raw, ...r }) => {
		let rawBody: Buffer | undefined;
		if (raw === 'fromBody') rawBody = Buffer.from(typeof r.body === 'string' ? r.body : (JSON.stringify(r.body) ?? ''), 'utf8');
		else rawBody = raw;
		return { ...r, rawBody };
	});

describe('fuzz: parseCallback', () => {
	test(
		'every request ends in a parsed call or a documented parse error; no credential in the output',
		() => {
			fc.assert(
				fc.property(incoming, options, (req, opts) => {
					const result = outcomeOf(() => parseCallback(req, opts), PARSE_CODES, [SECRET]);
					if (!result.ok) return;
					const parsed = result.value;
					expect(typeof parsed.method).toBe('string');
					for (const name of Object.keys(parsed.headers)) expect(isSecretHeader(name)).toBe(false);
					for (const name of Object.keys(parsed.query)) {
						expect(isSecretQueryParam(name, opts.secretQueryParams ?? [])).toBe(false);
						expect(['execution', 'executionId']).not.toContain(name);
					}
					// nothing else is lost: every other header and query parameter is there, as an own property
					for (const [name, value] of Object.entries(req.headers)) {
						if (value !== undefined && !isSecretHeader(name)) expect(Object.hasOwn(parsed.headers, name.toLowerCase())).toBe(true);
					}
					for (const name of Object.keys(req.query)) {
						if (isSecretQueryParam(name, [...(opts.secretQueryParams ?? []), ...(opts.stripFields ?? [])]) || ['execution', 'executionId'].includes(name)) continue;
						expect(Object.hasOwn(parsed.query, name)).toBe(true);
						expect(parsed.query[name]).toBe(req.query[name]);
					}
					expect(Object.getPrototypeOf(parsed.query)).toBe(Object.prototype);
					expect(Object.getPrototypeOf(parsed.headers)).toBe(Object.prototype);
					// the planted secret only travelled in credential-carrying headers
					expect(JSON.stringify(parsed.headers) ?? '').not.toContain(SECRET);
					expect(depthOf(parsed.data)).toBeLessThanOrEqual(MAX_DEPTH);
					expect(Array.isArray(parsed.files)).toBe(true);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'near-valid JSON calls: accepted exactly when within the limits, the data is the body',
		() => {
			fc.assert(
				fc.property(
					fc.jsonValue({ maxDepth: 5 }),
					fc.constantFrom('application/json', 'application/vnd.api+json'),
					fc.nat({ max: 2048 }),
					(value, type, limit) => {
						const raw = Buffer.from(JSON.stringify(value), 'utf8');
						const req: IncomingCallback = { method: 'POST', contentType: type, headers: {}, query: {}, body: type === 'application/json' ? value : {}, rawBody: raw };
						const result = outcomeOf(() => parseCallback(req, { maxBodyBytes: limit }), PARSE_CODES);
						if (limit && raw.length > limit) {
							expect(result.ok ? 0 : result.error.code).toBe(ErrorCodes.BODY_TOO_LARGE);
						} else {
							expect(result.ok).toBe(true);
							if (result.ok) expect(JSON.stringify(result.value.data)).toBe(JSON.stringify(value ?? {}));
						}
					},
				),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'nesting: deeper than 64 levels is 422 code 1015, at most 64 is accepted',
		() => {
			fc.assert(
				fc.property(fc.integer({ min: 0, max: 200 }), fc.boolean(), (depth, inQuery) => {
					const deep = nested(depth);
					const req: IncomingCallback = inQuery
						? { method: 'GET', contentType: '', headers: {}, query: { q: deep }, body: {} }
						: { method: 'POST', contentType: 'application/json', headers: {}, query: {}, body: deep };
					const result = outcomeOf(() => parseCallback(req), PARSE_CODES);
					const levels = depthOf(inQuery ? { q: deep } : deep, 1000);
					expect(result.ok).toBe(levels <= MAX_DEPTH);
					if (!result.ok) expect(result.error.code).toBe(ErrorCodes.TOO_DEEP);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);
});
