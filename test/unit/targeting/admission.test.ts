import { STABLE_MAX_IN_FLIGHT, admit, busyRetryAfter, stableInFlight } from '../../../nodes/callback/targeting/admission';

describe('the stable URL\'s bound on work in flight per process', () => {
	test('admits up to the bound, refuses above it, admits again once a slot is released (once)', () => {
		const slots = Array.from({ length: 3 }, () => admit(3));
		expect(slots.every(Boolean)).toBe(true);
		expect(stableInFlight()).toBe(3);
		expect(admit(3)).toBeUndefined();
		slots[0]!.release();
		slots[0]!.release(); // a second release frees nothing more
		expect(stableInFlight()).toBe(2);
		const again = admit(3);
		expect(again).toBeDefined();
		expect(admit(3)).toBeUndefined();
		for (const s of [again, slots[1], slots[2]]) s!.release();
		expect(stableInFlight()).toBe(0);
		expect(STABLE_MAX_IN_FLIGHT).toBeGreaterThan(0);
	});

	test('Retry-After of a busy answer: 1 to 4 s, spread', () => {
		expect(busyRetryAfter(() => 0)).toBe(1);
		expect(busyRetryAfter((n) => n - 1)).toBe(4);
		const seen = new Set(Array.from({ length: 200 }, () => busyRetryAfter()));
		expect([...seen].every((s) => s >= 1 && s <= 4)).toBe(true);
		expect(seen.size).toBeGreaterThan(1);
	});
});
