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

/** Truthiness as a user means it: true, 'true', non-zero numbers. */
export function isTrue(value: unknown): boolean {
	if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
	return value === true || (typeof value === 'number' && value !== 0);
}
