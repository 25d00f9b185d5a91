/**
 * Every refusal the package answers is a CallbackError: an HTTP status plus a JSON body
 * `{ "code": <number>, "message": <text> }`. The codes are the documented error table.
 */
export const ErrorCodes = {
	/** FlowRunner's code for a caller missing a required security role (403). */
	MISSING_ROLE: 1000,
	/** No credential in the call (no token, key or signature where one is required). */
	UNAUTHENTICATED: 1001,
	/** A credential was given but is not valid (bad/expired token, wrong key, bad signature). */
	INVALID_CREDENTIAL: 1002,
	/**
	 * A webhook signature's signed timestamp is outside the credential's tolerance: a replayed or
	 * delayed call, or the sender's clock is off. Nothing is resumed; the wait is kept.
	 */
	SIGNATURE_EXPIRED: 1006,
	/**
	 * The JWT credential cannot accept any token: it requires an audience but names none (set
	 * Audiences, or choose Any Audience). Not the caller's fault; nothing is resumed.
	 */
	JWT_NO_AUDIENCE: 1008,
	/** The condition expression failed to evaluate. */
	CONDITION_ERROR: 1020,
	/** The identity provider (JWKS, introspection, lookup, Backendless) is down or answered 5xx. */
	PROVIDER_UNAVAILABLE: 1050,
	/** Stable URL: the execution parameter is missing or given more than once. */
	BAD_TARGET: 1030,
	/** Stable URL: nothing (matching) is waiting at this node. */
	NOT_WAITING: 1031,
	/** Stable URL: the execution has finished. */
	FINISHED: 1032,
	/** Stable URL: this node already resumed that execution (when configured to answer 409). */
	ALREADY_RESUMED: 1033,
	/**
	 * Resume URL: the call was forwarded by another workflow's or wait node's stable URL (a
	 * forward signed for another execution, workflow, node or webhook, or an origin that is not
	 * this node). Nothing is resumed, whatever the Refused Calls option.
	 */
	FORWARD_FOREIGN: 1034,
	/** Resume URL: a forwarded call whose signature is invalid or expired, or that this node cannot check. */
	FORWARD_INVALID: 1035,
	/** Stable URL: a correlation key that cannot be used (none configured, empty, too long, with an id). */
	BAD_KEY: 1036,
	/** Stable URL: the correlation index (an n8n Data Table) cannot be used; see the message. */
	INDEX_UNAVAILABLE: 1037,
	/** Stable URL, `any` without a key: the per-call budget of candidates ran out, none accepted. */
	ANY_BUDGET: 1038,
	/** Stable URL: this n8n process has as much stable-URL work in flight as it takes; retry later. */
	BUSY: 1039,
	/** The callback URL's expiry (Generate Callback URL) has passed. */
	EXPIRED: 1040,
	/** n8n is still starting (its crash recovery would mark a resumed execution as crashed). */
	NOT_READY: 1052,
	/** Stable URL: the n8n API (credential) cannot be used. */
	N8N_API_UNAVAILABLE: 1051,
	/**
	 * Stable URL: the forward to the execution's resume URL failed (connection error, timeout or a
	 * 5xx): the execution may still be waiting, or may have taken the call; retry the same call.
	 */
	FORWARD_FAILED: 1054,
	/**
	 * Stable URL, `any`: the call met only stale index entries (executions resumed by their own
	 * resume URL, timed out or deleted) up to its budget; they are being deleted: retry.
	 */
	STALE_BUDGET: 1055,
	/** Stable URL (wait node version 2): "Stable URL" is off in this node. */
	STABLE_OFF: 1056,
	/**
	 * Resume URL (wait node version 2): the URL is for another wait node (its `node=`) than the
	 * one the execution waits at now; nothing is resumed, the execution keeps waiting.
	 */
	OTHER_NODE: 1057,
	/**
	 * A credential set on the node cannot be read (n8n cannot decrypt it, or the node may not use
	 * it); n8n's reason is in its log. Not the caller's fault: fix the credential, then retry.
	 */
	CREDENTIAL_UNREADABLE: 1053,
	/** Ignore Bots: the user agent is a bot, scanner or link preview (isbot's list); nothing happens. */
	BOT_IGNORED: 1060,
	/** Ignore Bots: a browser's prefetch or prerender; nothing happens until the link is opened. */
	PREFETCH_IGNORED: 1061,
	/** Confirm in Browser: a POST without the confirmation page's token (or with a wrong one). */
	CONFIRM_TOKEN_INVALID: 1062,
	/** Confirm in Browser: the POST chose a value none of the page's buttons offers. */
	CONFIRM_CHOICE_INVALID: 1063,
	/** Confirm in Browser: only GET (the page) and POST (its buttons) are answered. */
	CONFIRM_METHOD: 1064,
	INVALID_JSON: 1010,
	UNSUPPORTED_CONTENT_TYPE: 1011,
	BODY_TOO_LARGE: 1012,
	INVALID_ENCODING: 1013,
	QUERY_TOO_LONG: 1014,
	TOO_DEEP: 1015,
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

	/** Seconds for a `Retry-After` header (a transient refusal the caller should retry). */
	retryAfterS?: number;

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

export const invalidEncoding = () =>
	new CallbackError(400, ErrorCodes.INVALID_ENCODING, 'The request body is not valid UTF-8');

export const queryTooLong = (limit: number) =>
	new CallbackError(414, ErrorCodes.QUERY_TOO_LONG, `The query string is longer than the accepted ${limit} characters`);

export const tooDeep = (limit: number) =>
	new CallbackError(422, ErrorCodes.TOO_DEEP, `The request data is nested deeper than ${limit} levels`);

export const internalError = () =>
	new CallbackError(500, ErrorCodes.INTERNAL, 'The callback could not be processed');

/** FlowRunner's exact body for a caller missing required roles. */
export const MISSING_ROLE_MESSAGE = 'Unable to execute the callback. User is missing required security role(s)';

export const missingRole = () => new CallbackError(403, ErrorCodes.MISSING_ROLE, MISSING_ROLE_MESSAGE);

export const unauthenticated = (what: string) =>
	new CallbackError(401, ErrorCodes.UNAUTHENTICATED, `Authentication required: no ${what} in the request`);

/** The reason is for the caller; it never contains the credential itself. */
export const invalidCredential = (reason: string) =>
	new CallbackError(401, ErrorCodes.INVALID_CREDENTIAL, `Authentication failed: ${reason}`);

/** A signed timestamp outside the tolerance (replay protection); never quotes the signature. */
export const signatureExpired = (toleranceSeconds: number) =>
	new CallbackError(
		401,
		ErrorCodes.SIGNATURE_EXPIRED,
		`Authentication failed: the signed timestamp is more than ${toleranceSeconds} s away from now (a replayed or delayed call, or the sender's clock is off)`,
	);

export const jwtNoAudience = () =>
	new CallbackError(
		500,
		ErrorCodes.JWT_NO_AUDIENCE,
		'The JWT credential names no audience: set its Audiences, or choose Any Audience, then retry',
	);

export const providerUnavailable = (what: string) =>
	new CallbackError(503, ErrorCodes.PROVIDER_UNAVAILABLE, `The identity provider is unavailable (${what}); try again later`);

export const conditionError = () =>
	new CallbackError(422, ErrorCodes.CONDITION_ERROR, 'The callback condition could not be evaluated');

export const badTarget = (message: string) => new CallbackError(400, ErrorCodes.BAD_TARGET, message);
export const notWaiting = (message: string) => new CallbackError(404, ErrorCodes.NOT_WAITING, message);
/** `status`: n8n's, said when the execution did not end normally (crashed, error, canceled): lost, not processed. */
export const finished = (id: string, status?: string) =>
	new CallbackError(
		409,
		ErrorCodes.FINISHED,
		status && status !== 'success'
			? `Execution ${id} has ended with status ${status}; it is not waiting at this node`
			: `Execution ${id} has finished; it is not waiting at this node`,
	);
export const alreadyResumed = (id: string) =>
	new CallbackError(409, ErrorCodes.ALREADY_RESUMED, `Execution ${id} was already resumed by this node`);
export const forwardForeign = () =>
	new CallbackError(403, ErrorCodes.FORWARD_FOREIGN, 'This call was forwarded for another workflow or wait node; it resumes nothing here');
export const forwardInvalid = () =>
	new CallbackError(401, ErrorCodes.FORWARD_INVALID, 'The signature of this forwarded call is invalid or expired');
export const n8nApiUnavailable = (detail: string, retryAfterS?: number) =>
	Object.assign(new CallbackError(503, ErrorCodes.N8N_API_UNAVAILABLE, `The n8n API cannot be used to find executions (${detail}); check the node's n8n API credential`), { retryAfterS });

/** A failed forward: transient, the same call is retried (a retry never resumes twice). */
export const forwardFailed = (message: string, retryAfterS = 2) =>
	Object.assign(new CallbackError(503, ErrorCodes.FORWARD_FAILED, `${message}; retry the same call`), { retryAfterS });

/**
 * `all`: some forwards failed. Answered 503 1054 whatever else was resumed, so that the caller
 * retries: a retry reaches only what is still waiting (those resumed now are not any more), and
 * never resumes one twice.
 */
export const forwardsFailed = (failed: number, resumedIds: string[]) =>
	forwardFailed(`The forward to ${failed} waiting execution${failed === 1 ? '' : 's'} failed${resumedIds.length ? ` (resumed: ${resumedIds.join(',')})` : ''}`);

/** `what` names the credential's kind ("n8n API"), never its content. */
export const credentialUnreadable = (what: string) =>
	new CallbackError(
		503,
		ErrorCodes.CREDENTIAL_UNREADABLE,
		`The node's ${what} credential cannot be read (see n8n's log); fix the credential in n8n, then retry`,
	);

export const expired = (at: Date) => new CallbackError(410, ErrorCodes.EXPIRED, `This callback URL expired at ${at.toISOString()}`);

export const notReady = () =>
	new CallbackError(503, ErrorCodes.NOT_READY, 'n8n is still starting; retry in a few seconds');

export const botIgnored = () =>
	new CallbackError(403, ErrorCodes.BOT_IGNORED, 'Calls from bots, link scanners and link previews are ignored here; the link still works when a person opens it');
export const prefetchIgnored = () =>
	new CallbackError(403, ErrorCodes.PREFETCH_IGNORED, 'Prefetch and prerender requests are ignored here; the link still works when a person opens it');
export const confirmTokenInvalid = () =>
	new CallbackError(403, ErrorCodes.CONFIRM_TOKEN_INVALID, 'This link is confirmed on its page: open it in a browser and choose there');
export const confirmChoiceInvalid = () =>
	new CallbackError(400, ErrorCodes.CONFIRM_CHOICE_INVALID, 'The choice is not one the confirmation page offers');
export const confirmMethod = (method: string) =>
	new CallbackError(405, ErrorCodes.CONFIRM_METHOD, `${method} is not answered here: open the link in a browser (GET) and choose on its page (POST)`);
export const badKey = (message: string) => new CallbackError(400, ErrorCodes.BAD_KEY, message);
export const indexUnavailable = (detail: string, retryAfterS?: number) =>
	Object.assign(
		new CallbackError(503, ErrorCodes.INDEX_UNAVAILABLE, `The correlation index (n8n data table) cannot be used (${detail}); check the n8n API key's data table scopes`),
		{ retryAfterS },
	);
export const anyBudget = (tried: number) =>
	new CallbackError(
		404,
		ErrorCodes.ANY_BUDGET,
		`None of the ${tried} oldest executions waiting here accepted the call (the per-call budget); correlate by key, or retry`,
	);
export const staleBudget = (met: number) =>
	Object.assign(
		new CallbackError(
			503,
			ErrorCodes.STALE_BUDGET,
			`The ${met} oldest correlation index entries here were stale (executions resumed by their resume URL, timed out or deleted) and are being deleted; retry`,
		),
		{ retryAfterS: 1 },
	);
export const stableOff = () =>
	new CallbackError(404, ErrorCodes.STABLE_OFF, 'This wait node\'s stable URL is off: switch on "Stable URL" in the node and publish the workflow');
export const otherNode = (waitingAt: string) =>
	new CallbackError(409, ErrorCodes.OTHER_NODE, `This URL is for another wait node of the workflow; the execution waits at "${waitingAt}" now`);
export const busy = (retryAfterS: number) =>
	Object.assign(new CallbackError(503, ErrorCodes.BUSY, 'Too many stable URL calls in progress on this n8n process; retry after the Retry-After delay'), { retryAfterS });
