/**
 * Bounded concurrency: runs `task(i)` for i in [0, count) with at most `limit` in flight, in
 * order of i, and stops starting new ones once `shouldStop()` says so (a deadline, a budget).
 * A task that throws records `{ error }` for its index; the others go on. Returns the results of
 * the tasks that were started (index = i) and how many finished. Plain TypeScript, no I/O: the
 * stable URL's `all`, the benchmark and the e2e tests share it.
 */
export type PoolResult<R> = R | { error: unknown };

export async function runPool<R>(
	count: number,
	limit: number,
	task: (index: number) => Promise<R>,
	shouldStop: () => boolean = () => false,
): Promise<{ results: Array<PoolResult<R>>; done: number }> {
	let next = 0;
	let done = 0;
	const results: Array<PoolResult<R>> = new Array<PoolResult<R>>(count);
	const worker = async () => {
		while (next < count && !shouldStop()) {
			const i = next++;
			try {
				results[i] = await task(i);
			} catch (error) {
				results[i] = { error };
			}
			done++;
		}
	};
	await Promise.all(Array.from({ length: Math.max(0, Math.min(limit, count)) }, worker));
	return { results: results.slice(0, next), done };
}
