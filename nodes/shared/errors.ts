/**
 * Every refusal the package answers is a CallbackError: an HTTP status plus a JSON body
 * `{ "code": <number>, "message": <text> }`. The codes are the documented error table.
 */
export const ErrorCodes = {
	/** FlowRunner's code for a caller missing a required security role (403). */
	MISSING_ROLE: 1000,
	UNAUTHENTICATED: 1001,
	INVALID_JSON: 1010,
	UNSUPPORTED_CONTENT_TYPE: 1011,
	BODY_TOO_LARGE: 1012,
	INTERNAL: 1099,
} as const;

export class CallbackError extends Error {
	constructor(
		readonly status: number,
		readonly code: number,
		message: string,
	) {
		super(message);
		this.name = 'CallbackError';
	}

	toBody(): { code: number; message: string } {
		return { code: this.code, message: this.message };
	}
}

export const invalidJson = () =>
	new CallbackError(422, ErrorCodes.INVALID_JSON, 'The request body is not valid JSON');

export const unsupportedContentType = (contentType: string, allowed: string[]) =>
	new CallbackError(
		415,
		ErrorCodes.UNSUPPORTED_CONTENT_TYPE,
		`Content type "${contentType || '(none)'}" is not accepted; accepted: ${allowed.join(', ')}`,
	);

export const bodyTooLarge = (limitBytes: number) =>
	new CallbackError(
		413,
		ErrorCodes.BODY_TOO_LARGE,
		`The request body is larger than the accepted ${limitBytes} bytes`,
	);

export const internalError = () =>
	new CallbackError(500, ErrorCodes.INTERNAL, 'The callback could not be processed');
