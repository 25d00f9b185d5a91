import {
	ASSUMED_CALL_MS,
	MAX_RETRY_AFTER_S,
	MIN_TURN_SPACING_MS,
	STABLE_MAX_IN_FLIGHT,
	admit,
	averageCallMs,
	busyRetryAfter,
	resetPacing,
	stableInFlight,
} from '../../../nodes/callback/targeting/admission';

describe('the stable URL\'s bound on work in flight per process', () => {
	beforeEach(() => resetPacing());

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

	test('the time of admitted calls is averaged (a second release does not count again)', () => {
		let t = 0;
		const clock = () => t;
		expect(averageCallMs()).toBe(ASSUMED_CALL_MS);
		const slot = admit(3, clock)!;
		t = 6_000;
		slot.release();
		slot.release();
		const after = averageCallMs();
		expect(after).toBeGreaterThan(ASSUMED_CALL_MS);
		expect(after).toBeLessThan(6_000);
		expect(averageCallMs()).toBe(after);
		// fast calls bring it down again
		for (let i = 0; i < 50; i++) {
			const s = admit(3, clock)!;
			t += 100;
			s.release();
		}
		expect(averageCallMs()).toBeLessThan(150);
		expect(stableInFlight()).toBe(0);
	});

	test('Retry-After: each refused caller gets its own turn, limit per average call time, so a burst comes back spread', () => {
		const now = 1_000_000;
		// 1 s per call, 2 at a time: 2 turns per second
		const answers = Array.from({ length: 40 }, () => busyRetryAfter(2, now));
		expect(answers[0]).toBe(1);
		for (let i = 1; i < answers.length; i++) expect(answers[i]).toBeGreaterThanOrEqual(answers[i - 1]);
		expect(answers[answers.length - 1]).toBe(21);
		// at most `limit` callers come back in any one second
		const perSecond = new Map<number, number>();
		for (const a of answers) perSecond.set(a, (perSecond.get(a) ?? 0) + 1);
		expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(2);
		expect(perSecond.size).toBeGreaterThanOrEqual(20);
	});

	test('Retry-After: turns at least MIN_TURN_SPACING_MS apart, however fast the calls were', () => {
		const now = 1_000_000;
		let t = 0;
		for (let i = 0; i < 30; i++) {
			const s = admit(12, () => t)!;
			t += 10;
			s.release();
		}
		const answers = Array.from({ length: 100 }, () => busyRetryAfter(12, now));
		const perSecond = new Map<number, number>();
		for (const a of answers) perSecond.set(a, (perSecond.get(a) ?? 0) + 1);
		expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(Math.ceil(1000 / MIN_TURN_SPACING_MS));
		expect(answers[answers.length - 1]).toBe(1 + Math.ceil((99 * MIN_TURN_SPACING_MS) / 1000));
	});

	test('Retry-After: turns already past are not handed out (a refusal later starts again at 1 s), never more than the cap', () => {
		const now = 1_000_000;
		for (let i = 0; i < 30; i++) busyRetryAfter(10, now);
		expect(busyRetryAfter(10, now + 60_000)).toBe(1);
		const many = Array.from({ length: 5_000 }, () => busyRetryAfter(2, now + 120_000));
		expect(Math.max(...many)).toBe(MAX_RETRY_AFTER_S);
		expect(many.every((s) => Number.isInteger(s) && s >= 1 && s <= MAX_RETRY_AFTER_S)).toBe(true);
	});

	test('Retry-After follows the measured call time: slower calls, later turns', () => {
		const now = 1_000_000;
		const fast = Array.from({ length: 40 }, () => busyRetryAfter(4, now));
		resetPacing();
		let t = 0;
		for (let i = 0; i < 30; i++) {
			const s = admit(4, () => t)!;
			t += 3_000;
			s.release();
		}
		const slow = Array.from({ length: 40 }, () => busyRetryAfter(4, now));
		expect(slow[39]).toBeGreaterThan(fast[39] * 2);
	});
});
