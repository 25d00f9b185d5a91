import { type GeneratorContext, fromGenerators } from './generatorOutput';
import { SetupError } from './setupError';
import { UNIT_MS, type WaitUnit } from './waitTill';

/**
 * The expiry a Generate Callback URL node put on this wait node's URL, read from that node's
 * output in the execution's own data (so a caller cannot change it). Undefined: no expiry.
 */
export function generatedExpiry(ctx: GeneratorContext): Date | undefined {
	let latest: Date | undefined;
	for (const value of fromGenerators(ctx, (ref) => `{{ ${ref}.isExecuted ? ${ref}.last().json.expiresAt : null }}`)) {
		if (typeof value !== 'string' || !value) continue;
		const at = new Date(value);
		if (!Number.isNaN(at.getTime()) && (!latest || at > latest)) latest = at;
	}
	return latest;
}

/** Generate Callback URL's Expiry parameters. */
export interface ExpirySettings {
	expiry: 'none' | 'lifetime' | 'date' | string;
	expiryDate?: string;
	expiryAmount?: number;
	expiryUnit?: WaitUnit;
}

/** When a generated URL expires (null: never), as Generate Callback URL writes it into its output. */
export function expiryOf(settings: ExpirySettings, now = Date.now()): Date | null {
	if (settings.expiry === 'none') return null;
	const at =
		settings.expiry === 'date'
			? new Date(settings.expiryDate ?? '')
			: new Date(now + Number(settings.expiryAmount ?? 15) * UNIT_MS[settings.expiryUnit ?? 'minutes']);
	if (Number.isNaN(at.getTime())) {
		throw new SetupError('"Expires At" is not a valid date', 'Set "Expires At" to a date and time, e.g. an ISO 8601 timestamp');
	}
	return at;
}
