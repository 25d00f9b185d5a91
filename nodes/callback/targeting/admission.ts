import { randomInt } from 'node:crypto';

/**
 * A bound on the stable URL's work per n8n process: at most STABLE_MAX_IN_FLIGHT calls are being
 * targeted at once; a call above it is answered at once with 503, `Retry-After` and code 1039,
 * before any work (no credential read, no request to n8n's API, nothing forwarded), so a burst
 * slows its senders down instead of taking n8n down. Process memory only counts work in flight
 * (no correctness state): each n8n process (main, webhook processors) has its own bound.
 */
export const STABLE_MAX_IN_FLIGHT = 12;
/** Seconds a refused caller is asked to wait at least. */
export const BUSY_RETRY_AFTER_S = 1;
/** Spread of the Retry-After of a refused call: 1 … 4 s, so that a burst's retries do not all come back at once. */
const RETRY_SPREAD_S = 4;

/** The Retry-After (seconds) for a call refused as busy. */
export function busyRetryAfter(random: (n: number) => number = (n) => randomInt(n)): number {
	return BUSY_RETRY_AFTER_S + random(RETRY_SPREAD_S);
}

let inFlight = 0;

/** A slot for one call (call `release` when done), or undefined when the process is at its bound. */
export function admit(limit = STABLE_MAX_IN_FLIGHT): { release: () => void } | undefined {
	if (inFlight >= limit) return undefined;
	inFlight++;
	let released = false;
	return {
		release: () => {
			if (released) return;
			released = true;
			inFlight--;
		},
	};
}

/** Calls in flight now (tests, logs). */
export function stableInFlight(): number {
	return inFlight;
}
