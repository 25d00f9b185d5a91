/** Shared by the unit tests: what a call threw, and the checks every rejection gets. */
import { CallbackError } from '../../nodes/callback/pipeline/errors';

/** Runs `fn` and returns what it threw (undefined when it returned). */
export function thrown(fn: () => unknown): unknown {
	try {
		fn();
	} catch (error) {
		return error;
	}
	return undefined;
}

/**
 * Runs `fn`, expects a CallbackError with that status and code, and checks that its message
 * contains none of `secrets` (the caller picks which strings count).
 */
export function expectRejection(fn: () => unknown, status: number, code: number, secrets: readonly string[]): CallbackError {
	const caught = thrown(fn);
	expect(caught).toBeInstanceOf(CallbackError);
	const err = caught as CallbackError;
	expect(err.status).toBe(status);
	expect(err.code).toBe(code);
	for (const s of secrets) expect(err.message).not.toContain(s);
	return err;
}

/** Expects `fn` to throw a plain configuration error (an Error, not a CallbackError); returns it. */
export function expectConfigurationError(fn: () => unknown): Error {
	const caught = thrown(fn);
	expect(caught).toBeInstanceOf(Error);
	expect(caught).not.toBeInstanceOf(CallbackError);
	return caught as Error;
}
