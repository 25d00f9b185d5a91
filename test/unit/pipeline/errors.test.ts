import {
	CallbackError,
	ErrorCodes,
	bodyTooLarge,
	internalError,
	invalidJson,
	unsupportedContentType,
} from '../../../nodes/callback/pipeline/errors';

describe('CallbackError', () => {
	it('carries status, code, message and name', () => {
		const error = new CallbackError(418, 1234, 'teapot');
		expect(error).toBeInstanceOf(Error);
		expect(error.status).toBe(418);
		expect(error.code).toBe(1234);
		expect(error.message).toBe('teapot');
		expect(error.name).toBe('CallbackError');
	});

	it('toBody() is exactly { code, message } and never includes a stack', () => {
		const error = new CallbackError(422, 1010, 'bad');
		expect(error.stack).toBeDefined();
		const body = error.toBody();
		expect(body).toEqual({ code: 1010, message: 'bad' });
		expect(Object.keys(body).sort()).toEqual(['code', 'message']);
		expect(body).not.toHaveProperty('stack');
		expect(JSON.stringify(body)).not.toContain('at ');
		expect(JSON.stringify(body)).not.toContain('stack');
	});
});

describe('error factories', () => {
	it('invalidJson → 422 / 1010', () => {
		const e = invalidJson();
		expect([e.status, e.code]).toEqual([422, ErrorCodes.INVALID_JSON]);
		expect(e.code).toBe(1010);
	});

	it('unsupportedContentType → 415 / 1011 naming the type and the accepted list', () => {
		const e = unsupportedContentType('text/csv', ['application/json', 'text/plain']);
		expect([e.status, e.code]).toEqual([415, 1011]);
		expect(e.message).toBe('Content type "text/csv" is not accepted; accepted: application/json, text/plain');
		expect(unsupportedContentType('', ['application/json']).message).toContain('"(none)"');
	});

	it('bodyTooLarge → 413 / 1012 naming the limit', () => {
		const e = bodyTooLarge(1024);
		expect([e.status, e.code]).toEqual([413, 1012]);
		expect(e.message).toContain('1024 bytes');
	});

	it('internalError → 500 / 1099 with a generic message', () => {
		const e = internalError();
		expect(e.toBody()).toEqual({ code: 1099, message: 'The callback could not be processed' });
		expect(e.status).toBe(500);
	});
});
