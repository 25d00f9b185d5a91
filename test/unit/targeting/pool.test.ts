/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n */
import { runPool } from '../../../nodes/callback/targeting/pool';

describe('runPool', () => {
	test('runs every task once, never more than the limit at a time, results by index', async () => {
		let inFlight = 0;
		let most = 0;
		const { results, done } = await runPool(25, 4, async (i) => {
			inFlight++;
			most = Math.max(most, inFlight);
			await new Promise((r) => setTimeout(r, (i * 7) % 5));
			inFlight--;
			return i * 2;
		});
		expect(done).toBe(25);
		expect(most).toBe(4);
		expect(results).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
	});

	test('a throwing task records its error and the others go on', async () => {
		const boom = new Error('boom');
		const { results, done } = await runPool(3, 2, async (i) => {
			if (i === 1) throw boom;
			return i;
		});
		expect(done).toBe(3);
		expect(results).toEqual([0, { error: boom }, 2]);
	});

	test('stops starting tasks once told to, and an empty or zero-limit pool does nothing', async () => {
		let started = 0;
		const { results } = await runPool(100, 3, async () => {
			started++;
			return started;
		}, () => started >= 10);
		expect(started).toBeGreaterThanOrEqual(10);
		expect(started).toBeLessThan(13);
		expect(results).toHaveLength(started);
		expect((await runPool(0, 4, async () => 1)).results).toEqual([]);
		expect((await runPool(5, 0, async () => 1)).done).toBe(0);
	});
});
