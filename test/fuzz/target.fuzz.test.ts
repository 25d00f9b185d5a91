/**
 * Fuzz of the stable URL's target parser (targeting/target.ts readTarget): random queries and
 * bodies (strings, arrays, objects, null-prototype objects as node:querystring makes them) and
 * near-valid ones (ids, any, all, states, one character changed). Each ends in one target or a
 * 400 code 1030; a state names exactly the execution it was made for; no token in a message.
 */
import fc from 'fast-check';

import { EXECUTION_ID_PATTERN } from '../../nodes/callback/constants';
import { ErrorCodes } from '../../nodes/callback/pipeline/errors';
import { readTarget } from '../../nodes/callback/targeting/target';
import { encodeState } from '../../nodes/callback/urls/state';
import { TIMEOUT_MS, anyKey, anyString, anyValue, outcomeOf, params } from './fuzz';

const CODES = [ErrorCodes.BAD_TARGET];
const hexToken = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const id = fc.oneof(fc.nat().map(String), fc.constantFrom('any', 'all', ' any ', 'ALL', '', '7 OR 1=1', '../7', '1e3', '-1', '0x10'), fc.string({ maxLength: 12 }));
const state = fc.tuple(fc.nat().map(String), hexToken).map(([i, t]) => ({ id: i, token: t, state: encodeState(i, t) }));

/** node:querystring's objects have no prototype; express's extended parser makes plain ones. */
const nullProto = (entries: Array<[string, unknown]>) => Object.assign(Object.create(null) as Record<string, unknown>, Object.fromEntries(entries));
const targetValue = fc.oneof(id, fc.array(id, { maxLength: 3 }), anyValue, fc.array(fc.tuple(fc.string(), id)).map(nullProto));
const stateName = fc.constantFrom('state', 'RelayState', 'execution', '__proto__', 'constructor');

const query = fc
	.record(
		{
			execution: targetValue,
			executionId: targetValue,
			state: fc.oneof(state.map((s) => s.state), anyValue),
			RelayState: fc.oneof(state.map((s) => s.state), anyValue),
			other: anyValue,
		},
		{ requiredKeys: [] },
	)
	.chain((q) => fc.oneof(fc.constant(q), fc.constant(nullProto(Object.entries(q)))));
const body = fc.oneof(anyValue, fc.dictionary(fc.oneof(stateName, anyKey), fc.oneof(state.map((s) => s.state), anyString)));

describe('fuzz: readTarget', () => {
	test(
		'every query and body: one target or 400 code 1030, never another error',
		() => {
			fc.assert(
				fc.property(query, body, stateName, (q, b, name) => {
					const tokens = [q.state, q.RelayState, (b as Record<string, unknown> | null)?.[name]].filter((v): v is string => typeof v === 'string' && v.length > 20);
					const result = outcomeOf(() => readTarget(q, b, name), CODES, tokens);
					if (!result.ok) return;
					const t = result.value;
					if (t.kind === 'id') expect(EXECUTION_ID_PATTERN.test(t.id)).toBe(true);
					if (t.kind === 'state') expect(t.execution.resumeToken).toMatch(/^[0-9a-f]+$/);
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);

	test(
		'near-valid: an id, any, all or a state is read as exactly that',
		() => {
			fc.assert(
				fc.property(fc.oneof(fc.nat().map(String), fc.constantFrom('any', 'all')), fc.constantFrom('execution', 'executionId'), state, fc.boolean(), (value, param, s, inBody) => {
					const byId = readTarget({ [param]: value, other: 'x' }, {}, 'state');
					expect(byId).toEqual(value === 'any' || value === 'all' ? { kind: value } : { kind: 'id', id: value });
					const byState = inBody ? readTarget({}, { RelayState: s.state }, 'RelayState') : readTarget({ RelayState: s.state }, {}, 'RelayState');
					expect(byState).toEqual({ kind: 'state', execution: { id: s.id, resumeToken: s.token, startedAt: '' } });
					// a target and a state: the target wins (the state is then payload)
					expect(readTarget({ [param]: value, state: s.state }, {}, 'state').kind).not.toBe('state');
				}),
				params(),
			);
		},
		TIMEOUT_MS,
	);
});
