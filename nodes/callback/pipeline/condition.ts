/**
 * Stage "condition": a user expression that may use `$callback` (the parsed call). n8n has no
 * expression variable for the incoming request, so every word-bounded `$callback` is replaced by
 * an inline decode of the call's JSON, and the expression is evaluated by n8n itself against the
 * waiting execution (`$json`, `$('Node')`).
 */
const CALLBACK_VARIABLE = /(?<![\w$])\$callback(?![\w$])/g;

export function bindCallback(expression: string, callback: unknown): string {
	const encoded = Buffer.from(JSON.stringify(callback ?? null), 'utf8').toString('base64');
	return expression.replace(CALLBACK_VARIABLE, `JSON.parse("${encoded}".base64Decode())`);
}

/** What a wrapped condition evaluates to when it throws. */
export const CONDITION_ERROR_SENTINEL = '\u0000external-callback:condition-error';

/**
 * n8n's backend evaluator turns a runtime error in an expression (e.g. calling a method of
 * undefined) into null, which would read as "false" and silently ignore the call. A condition
 * that is one `{{ … }}` block is wrapped so that such an error comes back as a sentinel.
 */
export function wrapForErrors(expression: string): string {
	const match = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(expression);
	if (!match || match[1].includes('{{') || match[1].includes('}}')) return expression;
	return `{{ (() => { try { return (${match[1]}); } catch (e) { return ${JSON.stringify(CONDITION_ERROR_SENTINEL)}; } })() }}`;
}

/** Truthiness as a user means it: true, 'true', non-zero numbers. */
export function isTrue(value: unknown): boolean {
	if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
	return value === true || (typeof value === 'number' && value !== 0);
}
