import { type GeneratorContext, fromGenerators } from './generatorOutput';

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
