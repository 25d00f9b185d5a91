export const GENERATE_NODE_TYPE_SUFFIX = '.generateCallbackUrl';

interface ExpiryContext {
	getNode(): { name: string };
	getParentNodes(
		name: string,
		options?: { includeNodeParameters?: boolean },
	): Array<{ name: string; type: string; disabled?: boolean; parameters?: Record<string, unknown> }>;
	evaluateExpression(expression: string, itemIndex: number): unknown;
}

/**
 * The expiry a Generate Callback URL node put on this wait node's URL, read from that node's
 * output in the execution's own data (so a caller cannot change it). Undefined: no expiry.
 */
export function generatedExpiry(ctx: ExpiryContext): Date | undefined {
	const self = ctx.getNode().name;
	let latest: Date | undefined;
	for (const parent of ctx.getParentNodes(self, { includeNodeParameters: true })) {
		if (!parent.type.endsWith(GENERATE_NODE_TYPE_SUFFIX) || parent.disabled) continue;
		const target = String(parent.parameters?.waitNode ?? '').trim();
		if (target && target !== self) continue;
		const ref = `$(${JSON.stringify(parent.name)})`;
		let value: unknown;
		try {
			value = ctx.evaluateExpression(`{{ ${ref}.isExecuted ? ${ref}.last().json.expiresAt : null }}`, 0);
		} catch {
			continue;
		}
		if (typeof value !== 'string' || !value) continue;
		const at = new Date(value);
		if (!Number.isNaN(at.getTime()) && (!latest || at > latest)) latest = at;
	}
	return latest;
}
