import { CONDITION_ERROR_SENTINEL, bindCallback, isTrue, wrapForErrors } from '../../../nodes/callback/pipeline/condition';

/** Evaluates what n8n would see, with n8n's `.base64Decode()` extension on strings. */
function evaluate(expr: string, json: unknown = {}) {
	const inner = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(expr)![1];
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- evaluates the expression as n8n's engine would; test only
	return new Function('$json', `return (${inner});`)(json);
}
// The test mimics n8n's string extension so that the bound expression can run here.
Reflect.set(String.prototype, 'base64Decode', function (this: string) {
	return Buffer.from(this, 'base64').toString('utf8');
});

describe('bindCallback', () => {
	const callback = { data: { orderId: 'A-1', note: 'quotes " \\ }} {{ ü $callback' }, user: { id: 7 } };

	test('replaces every word-bounded $callback with the call, types kept', () => {
		const bound = bindCallback('{{ $callback.data.orderId === $json.orderId && $callback.user.id === 7 }}', callback);
		expect(bound).not.toContain('$callback');
		expect(evaluate(bound, { orderId: 'A-1' })).toBe(true);
		expect(evaluate(bound, { orderId: 'B-2' })).toBe(false);
	});

	test('payloads with }}, quotes, backslashes and non-ASCII survive', () => {
		expect(evaluate(bindCallback('{{ $callback.data.note }}', callback))).toBe(callback.data.note);
	});

	test('does not touch $callbackX, x$callback or $callback_2', () => {
		const bound = bindCallback('{{ [$callbackX, x$callback, $callback_2] }}', callback);
		expect(bound).toBe('{{ [$callbackX, x$callback, $callback_2] }}');
	});
});

describe('wrapForErrors', () => {
	test('a runtime error becomes the sentinel; a value passes through', () => {
		expect(evaluate(wrapForErrors('{{ undefined.startsWith("x") }}'))).toBe(CONDITION_ERROR_SENTINEL);
		expect(evaluate(wrapForErrors('{{ 1 + 1 === 2 }}'))).toBe(true);
	});

	test('templates that are not one {{ }} block are left as they are', () => {
		expect(wrapForErrors('order {{ $json.id }}')).toBe('order {{ $json.id }}');
		expect(wrapForErrors('{{ a }} and {{ b }}')).toBe('{{ a }} and {{ b }}');
	});
});

test('isTrue: true, "true", non-zero numbers; nothing else', () => {
	for (const v of [true, 'true', ' TRUE ', 1, -2]) expect(isTrue(v)).toBe(true);
	for (const v of [false, 'false', 'yes', 0, null, undefined, {}, [], CONDITION_ERROR_SENTINEL]) expect(isTrue(v)).toBe(false);
});
