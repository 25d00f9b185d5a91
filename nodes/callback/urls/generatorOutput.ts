import { NODE_TYPES, PARAMS, isNodeType } from '../constants';

/** What reading a generator's output needs from n8n's context (execute or webhook). */
export interface GeneratorContext {
	getNode(): { name: string };
	getParentNodes(
		name: string,
		options?: { includeNodeParameters?: boolean },
	): Array<{ name: string; type: string; disabled?: boolean; parameters?: Record<string, unknown> }>;
	evaluateExpression(expression: string, itemIndex: number): unknown;
}

/**
 * Reads what the Generate Callback URL nodes before this wait node, and targeting it (by name,
 * or the unnamed default), output in this execution: `expression` gets `$("<generator>")` and
 * returns an n8n expression; its value is read from the execution's own run data, so a caller
 * cannot change it. A generator whose expression fails is skipped.
 */
export function fromGenerators(ctx: GeneratorContext, expression: (ref: string) => string): unknown[] {
	const self = ctx.getNode().name;
	const values: unknown[] = [];
	for (const parent of ctx.getParentNodes(self, { includeNodeParameters: true })) {
		if (!isNodeType(parent.type, NODE_TYPES.generate) || parent.disabled) continue;
		const target = String(parent.parameters?.[PARAMS.waitNode] ?? '').trim();
		if (target && target !== self) continue;
		try {
			values.push(ctx.evaluateExpression(expression(`$(${JSON.stringify(parent.name)})`), 0));
		} catch {
			continue;
		}
	}
	return values;
}
