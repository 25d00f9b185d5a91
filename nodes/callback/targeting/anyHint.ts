/** `any`'s hint: where to look first for the oldest execution waiting (search.ts uses it). */

/**
 * Where the last search found the oldest waiting execution of the workflow, kept in the node's
 * workflow static data (n8n's database, saved by n8n after the stable URL's call; no process
 * memory). It only decides where the first probe looks: ids up to the hint + GUESS_AHEAD. When the
 * oldest has moved less than that since (a queue drained by `any`), that one page holds it and
 * every waiting id below the probe, and the search ends after one request instead of about
 * log2(highest id / page) of them. A stale, missing or altered hint costs one request more.
 */
export const ANY_HINT_KEY = 'oldestWaitingId';
const GUESS_AHEAD = 90; // < PROBE_PAGE (search.ts, 100): the probe's page can hold every id from the oldest up
const REWRITE_AFTER = 45; // ids the oldest may move before the hint is written again

export function guessFromHint(stored: unknown): number | undefined {
	const id = typeof stored === 'number' ? stored : Number.NaN;
	return Number.isSafeInteger(id) && id > 0 ? id + GUESS_AHEAD : undefined;
}

/**
 * The hint to store after a search found `oldest`, or undefined to leave it: written only when it
 * is off by more than REWRITE_AFTER, so a busy queue writes its workflow's static data every few
 * dozen calls, not on every call.
 */
export function hintToStore(stored: unknown, oldest: number): number | undefined {
	const id = typeof stored === 'number' ? stored : Number.NaN;
	return Number.isSafeInteger(id) && Math.abs(oldest - id) <= REWRITE_AFTER ? undefined : oldest;
}

/** The hint for waitingHereOldestFirst, read from and written back to the node's static data. */
export function staticDataHint(memo: Record<string, unknown>): { guess?: number; found: (oldest: number) => void } {
	const stored = memo[ANY_HINT_KEY];
	return {
		guess: guessFromHint(stored),
		found: (oldest) => {
			const store = hintToStore(stored, oldest);
			if (store !== undefined) memo[ANY_HINT_KEY] = store;
		},
	};
}
