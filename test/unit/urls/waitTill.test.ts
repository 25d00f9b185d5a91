import { computeWaitTill } from '../../../nodes/callback/urls/waitTill';

const now = new Date('2024-03-10T12:00:00.000Z');

describe('computeWaitTill', () => {
	it('returns undefined when the wait is not limited', () => {
		expect(computeWaitTill({ limitWaitTime: false }, now)).toBeUndefined();
		expect(
			computeWaitTill({ limitWaitTime: false, limitType: 'afterTimeInterval', resumeAmount: -1 }, now),
		).toBeUndefined();
	});

	it.each([
		['seconds', 30, '2024-03-10T12:00:30.000Z'],
		['minutes', 15, '2024-03-10T12:15:00.000Z'],
		['hours', 2, '2024-03-10T14:00:00.000Z'],
		['days', 3, '2024-03-13T12:00:00.000Z'],
	] as const)('adds %s to now', (resumeUnit, resumeAmount, expected) => {
		const result = computeWaitTill(
			{ limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount, resumeUnit },
			now,
		);
		expect(result?.toISOString()).toBe(expected);
	});

	it('defaults to hours and to the interval form', () => {
		expect(computeWaitTill({ limitWaitTime: true, resumeAmount: 1 }, now)?.toISOString()).toBe(
			'2024-03-10T13:00:00.000Z',
		);
	});

	it('accepts fractional and numeric-string amounts', () => {
		expect(
			computeWaitTill({ limitWaitTime: true, resumeAmount: 1.5, resumeUnit: 'minutes' }, now)?.toISOString(),
		).toBe('2024-03-10T12:01:30.000Z');
		expect(
			computeWaitTill(
				{ limitWaitTime: true, resumeAmount: '10' as unknown as number, resumeUnit: 'seconds' },
				now,
			)?.toISOString(),
		).toBe('2024-03-10T12:00:10.000Z');
	});

	it('does not modify now', () => {
		const fixed = new Date(now);
		computeWaitTill({ limitWaitTime: true, resumeAmount: 5, resumeUnit: 'days' }, fixed);
		expect(fixed.toISOString()).toBe(now.toISOString());
	});

	it('uses the current time when now is not given', () => {
		const before = Date.now();
		const result = computeWaitTill({ limitWaitTime: true, resumeAmount: 1, resumeUnit: 'seconds' });
		const after = Date.now();
		expect(result!.getTime()).toBeGreaterThanOrEqual(before + 1000);
		expect(result!.getTime()).toBeLessThanOrEqual(after + 1000);
	});

	it.each([0, -5, NaN, Infinity, undefined])('throws for the amount %p', (resumeAmount) => {
		expect(() =>
			computeWaitTill({ limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount, resumeUnit: 'hours' }, now),
		).toThrow('"Amount" must be a number greater than 0');
	});

	it('throws for an unknown unit', () => {
		expect(() =>
			computeWaitTill(
				{ limitWaitTime: true, resumeAmount: 1, resumeUnit: 'weeks' as unknown as 'days' },
				now,
			),
		).toThrow(/Amount/);
	});

	it('returns the given date in the date form', () => {
		const result = computeWaitTill(
			{ limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime: '2030-01-02T03:04:05.000Z' },
			now,
		);
		expect(result).toBeInstanceOf(Date);
		expect(result?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
	});

	it('accepts a Date object in the date form and ignores the interval fields', () => {
		const date = new Date('2031-06-01T00:00:00.000Z');
		const result = computeWaitTill(
			{ limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime: date, resumeAmount: -1 },
			now,
		);
		expect(result?.getTime()).toBe(date.getTime());
	});

	it.each(['not a date', '', undefined, '2024-13-45T99:00:00Z'])('throws for the invalid date %p', (maxDateAndTime) => {
		expect(() =>
			computeWaitTill({ limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime }, now),
		).toThrow('"Max Date and Time" is not a valid date');
	});
});
