import { SetupError } from './setupError';

export type WaitUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export const UNIT_MS: Record<WaitUnit, number> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};

export interface WaitLimit {
	limitWaitTime: boolean;
	limitType?: 'afterTimeInterval' | 'atSpecifiedTime';
	resumeAmount?: number;
	resumeUnit?: WaitUnit;
	maxDateAndTime?: string | Date;
}

/** When the wait ends without a callback; undefined means wait indefinitely. */
export function computeWaitTill(limit: WaitLimit, now: Date = new Date()): Date | undefined {
	if (!limit.limitWaitTime) return undefined;
	if (limit.limitType === 'atSpecifiedTime') {
		const date = new Date(limit.maxDateAndTime as string);
		if (Number.isNaN(date.getTime())) {
			throw new SetupError('"Max Date and Time" is not a valid date', 'Set "Max Date and Time" to a date and time, or switch off "Limit Wait Time"');
		}
		return date;
	}
	const amount = Number(limit.resumeAmount);
	const unit = UNIT_MS[limit.resumeUnit ?? 'hours'];
	if (!Number.isFinite(amount) || amount <= 0 || unit === undefined) {
		throw new SetupError('"Amount" must be a number greater than 0', 'Set "Amount" to a number greater than 0, or switch off "Limit Wait Time"');
	}
	return new Date(now.getTime() + amount * unit);
}
