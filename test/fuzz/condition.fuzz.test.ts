/**
 * Fuzz of the condition binding (pipeline/condition.ts): random call data (what n8n's parsers
 * produce) into random expressions. Every word-bounded `$callback` becomes an inline decode of
 * exactly that data, nothing else in the expression changes, and nothing throws.
 */
import fc from 'fast-check';

import { CONDITION_ERROR_SENTINEL, bindCallback, isTrue, wrapForErrors } from '../../nodes/callback/pipeline/condition';
import { TIMEOUT_MS, anyString, anyValue, nested, params } from './fuzz';

const VARIABLE = /(?<![\w$])\$callback(?![\w$])/g;
const INLINE = /JSON\.parse\("([A-Za-z0-9+/=]*)"\.base64Decode\(\)\)/g;

/** Expressions: random text with `$callback` (and look-alikes) spliced in. */
const expression = fc
	.array(fc.oneof(anyString, fc.constantFrom('$callback', '$callback.data', '$callbackX', 'x$callback', '$$callback', '{{', '}}', ' ', '"$callback"', '$&', "$'", '$1', '\n')), { maxLength: 12 })
	.map((parts) => parts.join(''));
const data = fc.oneof(
	anyValue,
	fc.record({ data: anyValue, query: fc.dictionary(fc.string(), anyValue), headers: fc.dictionary(fc.string(), fc.string()), method: fc.string(), user: fc.constant(null), roles: fc.array(fc.string()) }),
	fc.integer({ min: 0, max: 64 }).map((d) => nested(d, '}}"\\\u2028')),
);

describe('fuzz: bindCallback', () => {
	test(
		'every $callback becomes the data, the rest of the expression is unchanged',
		() => {
			fc.assert(
				fc.property(expression, data, (expr, value) => {
					const bound = bindCallback(expr, value);
					const matches = expr.match(VARIABLE)?.length ?? 0;
					const inlined = [...bound.matchAll(INLINE)];
					// no word-bounded $callback left, one inline decode per occurrence, each of the data
					expect(VARIABLE.test(bound)).toBe(false);
					expect(inlined.length).toBe(matches);
					const expected = JSON.stringify(value ?? null);
					for (const [, b64] of inlined) expect(Buffer.from(b64, 'base64').toString('utf8')).toBe(expected);
					// undoing the binding gives the expression back exactly
					expect(bound.replace(INLINE, '$callback')).toBe(expr);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'wrapForErrors wraps exactly one {{ … }} block, keeping its code; isTrue never throws',
		() => {
			fc.assert(
				fc.property(expression, anyValue, (expr, value) => {
					const wrapped = wrapForErrors(expr);
					const block = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(expr);
					if (!block || block[1].includes('{{') || block[1].includes('}}')) {
						expect(wrapped).toBe(expr);
					} else {
						expect(wrapped).toContain(`return (${block[1]});`);
						expect(wrapped).toContain(JSON.stringify(CONDITION_ERROR_SENTINEL));
						expect(wrapped.startsWith('{{ ') && wrapped.endsWith(' }}')).toBe(true);
					}
					expect(typeof isTrue(value)).toBe('boolean');
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);
});
