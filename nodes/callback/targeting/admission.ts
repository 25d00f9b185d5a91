/**
 * A bound on the stable URL's work per n8n process: at most STABLE_MAX_IN_FLIGHT calls are being
 * targeted at once; a call above it is answered at once with 503, `Retry-After` and code 1039,
 * before any work (no credential read, no request to n8n's API, nothing forwarded), so a burst
 * slows its senders down instead of taking n8n down. Process memory only counts work in flight
 * and paces the refused (no correctness state): each n8n process (main, webhook processors) has
 * its own bound.
 *
 * Pacing: every refused call still costs n8n its own webhook handling before the node runs (a
 * database read of the workflow and, on n8n 2.x, an expression isolate), so callers that all come
 * back after the same few seconds keep n8n as busy as the burst itself. Each refused caller is
 * therefore given its own turn: turns are handed out one after another, `callMs / limit` apart
 * (the rate at which this process finishes calls, `callMs` being the recent average time of an
 * admitted call) and at least MIN_TURN_SPACING_MS apart, and `Retry-After` is the time until the
 * caller's turn. 500 callers at once come back spread over the time the process needs to serve
 * them, about once each, instead of every 1–4 s.
 */
/**
 * 12. A bound of 4 kept n8n's readiness failing for one ping (5 s) instead of 11–18 s at the
 * start of a burst of 500 on the 2-core CI machine (docs/benchmarks.md), but it refused ordinary
 * traffic: 10 concurrent calls from one sender (the queue-mode and fault e2e tests) got 503s, and
 * senders that do not retry (GitHub) would lose deliveries. The turns below do most of the work.
 */
export const STABLE_MAX_IN_FLIGHT = 12;
/** Seconds a refused caller is asked to wait at least. */
export const BUSY_RETRY_AFTER_S = 1;
/** Seconds a refused caller is asked to wait at most (its turn may be later; it is then refused again and gets a new one). */
export const MAX_RETRY_AFTER_S = 300;
/**
 * Turns are at least this far apart (ms): at most 4 refused callers per second per process are
 * asked back, whatever the measured call time (after a quiet spell it reflects calls made
 * without load, and the burst's own calls have not finished yet), so that the refused callers'
 * own cost to n8n stays small while the burst is served.
 */
export const MIN_TURN_SPACING_MS = 250;
/** The time one admitted call is assumed to take before any has finished (ms). */
export const ASSUMED_CALL_MS = 1_000;
/** Weight of the newest call in the running average of call times. */
const AVERAGE_WEIGHT = 0.2;

let inFlight = 0;
let callMs = ASSUMED_CALL_MS;
/** When the last turn handed out begins (ms since the epoch). */
let lastTurnAt = 0;

/** A slot for one call (call `release` when done), or undefined when the process is at its bound. */
export function admit(limit = STABLE_MAX_IN_FLIGHT, now: () => number = Date.now): { release: () => void } | undefined {
	if (inFlight >= limit) return undefined;
	inFlight++;
	const started = now();
	let released = false;
	return {
		release: () => {
			if (released) return;
			released = true;
			inFlight--;
			const took = Math.max(0, now() - started);
			callMs += AVERAGE_WEIGHT * (took - callMs);
		},
	};
}

/**
 * The Retry-After (seconds) for a call refused as busy: the time until its turn (see above), at
 * least BUSY_RETRY_AFTER_S, at most MAX_RETRY_AFTER_S.
 */
export function busyRetryAfter(limit = STABLE_MAX_IN_FLIGHT, now = Date.now()): number {
	const spacing = Math.max(MIN_TURN_SPACING_MS, callMs / Math.max(1, limit));
	// turns begin no earlier than a second from now (a caller waits at least that long)
	lastTurnAt = Math.min(Math.max(lastTurnAt + spacing, now + BUSY_RETRY_AFTER_S * 1000), now + MAX_RETRY_AFTER_S * 1000);
	return Math.min(MAX_RETRY_AFTER_S, Math.max(BUSY_RETRY_AFTER_S, Math.ceil((lastTurnAt - now) / 1000)));
}

/** Calls in flight now (tests, logs). */
export function stableInFlight(): number {
	return inFlight;
}

/** The running average time of an admitted call (ms; tests, logs). */
export function averageCallMs(): number {
	return callMs;
}

/** Forgets the pacing (tests). */
export function resetPacing(): void {
	callMs = ASSUMED_CALL_MS;
	lastTurnAt = 0;
}
