/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * Shared pieces of the property-based tests (fast-check): the run count, the documented
 * results (every CallbackError code with its status, as the README's error table lists them)
 * and the check that an input ended in one of them.
 *
 * Runs per property: ECB_FUZZ_RUNS (default 10,000 in `npm test`; `npm run soak` sets 100,000).
 * A failure prints fast-check's seed and the shrunk counterexample; ECB_FUZZ_SEED replays a seed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

import { CallbackError } from '../../nodes/callback/pipeline/errors';

export const RUNS = Number(process.env.ECB_FUZZ_RUNS ?? 10_000);
const SEED = process.env.ECB_FUZZ_SEED === undefined ? undefined : Number(process.env.ECB_FUZZ_SEED);

/** fast-check parameters of every property here. */
export function params<T>(extra: fc.Parameters<T> = {}): fc.Parameters<T> {
	return { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), ...extra };
}

/** Jest's time limit for one property (the soak's 100,000 runs take longer). */
export const TIMEOUT_MS = Math.max(120_000, RUNS * 20);

/**
 * The status the README documents for each code of this package, read from its error table
 * (rows `| <status> | `{"code":<code>,…`), so the fuzz checks against what users are told.
 * A unit of test/fuzz/readme.fuzz.test.ts checks every ErrorCodes value has a row.
 */
export const DOCUMENTED_STATUS: Record<number, number> = readDocumentedStatus();

function readDocumentedStatus(): Record<number, number> {
	const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
	const out: Record<number, number> = {};
	for (const m of readme.matchAll(/^\| (\d{3}) \| `\{"code":(\d+)/gm)) out[Number(m[2])] = Number(m[1]);
	return out;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: CallbackError };

/**
 * Throws (failing the property) unless `error` is a CallbackError whose code is one of `codes`
 * with its documented status, and whose message and body contain none of `secrets`.
 */
export function expectDocumented(error: unknown, codes: readonly number[], secrets: readonly string[] = []): CallbackError {
	if (!(error instanceof CallbackError)) {
		throw new Error(`not a CallbackError: ${(error as Error)?.constructor?.name} ${String((error as Error)?.message ?? error)}`);
	}
	if (!codes.includes(error.code)) throw new Error(`undocumented code here: ${error.code} (${error.message})`);
	if (DOCUMENTED_STATUS[error.code] !== error.status) throw new Error(`code ${error.code} with status ${error.status}`);
	expectNoSecret(JSON.stringify(error.toBody()), secrets);
	expectNoSecret(error.message, secrets);
	return error;
}

/** Throws when `text` contains any of `secrets` (ignoring empty ones and case for hex). */
export function expectNoSecret(text: string, secrets: readonly string[]): void {
	for (const secret of secrets) {
		if (secret.length >= 8 && text.toLowerCase().includes(secret.toLowerCase())) {
			throw new Error(`a secret (${secret.slice(0, 4)}…) appears in: ${text.slice(0, 200)}`);
		}
	}
}

/** Runs `fn`; a CallbackError of `codes` is a documented result, anything else thrown fails. */
export function outcomeOf<T>(fn: () => T, codes: readonly number[], secrets: readonly string[] = []): Outcome<T> {
	try {
		return { ok: true, value: fn() };
	} catch (error) {
		return { ok: false, error: expectDocumented(error, codes, secrets) };
	}
}

export async function asyncOutcomeOf<T>(fn: () => Promise<T>, codes: readonly number[], secrets: readonly string[] = []): Promise<Outcome<T>> {
	try {
		return { ok: true, value: await fn() };
	} catch (error) {
		return { ok: false, error: expectDocumented(error, codes, secrets) };
	}
}

/** A planted secret: 32 random bytes (hex), fresh per test file. */
export function plantedSecret(bytes = 32): string {
	return randomBytes(bytes).toString('hex');
}

// ---- arbitraries ---------------------------------------------------------------------------------

/** Any string, including lone surrogates, control characters and long runs. */
export const anyString = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 64 }),
	fc.string({ maxLength: 16 }),
	fc.constantFrom('', ' ', '\u0000', '\r\n', '__proto__', 'constructor', 'toString', '%', '%zz', '\uFEFF', '\uD800', '💥'),
);

/** Keys as a hostile caller chooses them. */
export const anyKey = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', ''));

/** JSON-ish values (what n8n's parsers produce) plus undefined, nulls and odd numbers. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
	{ depthSize: 'small' },
	fc.jsonValue({ maxDepth: 4 }),
	anyString,
	fc.constantFrom(undefined, null, 0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, -1, true, false),
	fc.array(anyString, { maxLength: 4 }),
	fc.dictionary(anyKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

/** A value nested `depth` levels deep (objects and arrays alternating). */
export function nested(depth: number, leaf: unknown = 'x'): unknown {
	let value: unknown = leaf;
	for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
	return value;
}

/** Bytes: random, valid UTF-8 text, or UTF-8 with a broken sequence. */
export const anyBytes = fc.oneof(
	fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
	fc.string({ maxLength: 64 }).map((s) => Buffer.from(s, 'utf8')),
	fc.string({ maxLength: 32 }).map((s) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0xc3, 0x28])])),
);
