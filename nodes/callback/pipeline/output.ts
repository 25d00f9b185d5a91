import type { ParsedCallback } from './parse';

export interface CallbackOutput {
	data: unknown;
	query: Record<string, unknown>;
	headers: Record<string, string | string[]>;
	method: string;
	executionId: string | undefined;
	receivedAt: string;
	[key: string]: unknown;
}

/** The JSON of the item a callback produces (binary properties are attached by the caller). */
export function buildOutputJson(
	parsed: ParsedCallback,
	executionId: string | undefined,
	receivedAt: Date = new Date(),
): CallbackOutput {
	return {
		data: parsed.data,
		query: parsed.query,
		headers: parsed.headers,
		method: parsed.method,
		executionId,
		receivedAt: receivedAt.toISOString(),
	};
}
