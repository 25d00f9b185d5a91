/**
 * A mistake in a node's set-up that execute() finds: what is wrong (the message) and what to do
 * about it (`hint`, which the node files pass to NodeOperationError as its `description`).
 * Messages and hints name parameters and nodes, never a key or a secret.
 */
export class SetupError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'SetupError';
	}
}

/** The hint of an error execute() reports: the SetupError's own, or `fallback`. */
export function hintOf(error: unknown, fallback: string): string {
	return error instanceof SetupError ? error.hint : fallback;
}
