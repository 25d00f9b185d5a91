import { randomBytes } from 'node:crypto';

import { STATE_MAX_BYTES, decodeState, encodeState, resumeTokenOf } from '../../../nodes/callback/urls/state';

const token = 'a'.repeat(24) + '0123456789abcdef0123456789abcdef01234567';
/** The largest execution id n8n's sequences produce (SQLite INTEGER, and so Postgres SERIAL too). */
const MAX_N8N_ID = (2n ** 63n - 1n).toString();
/** A state in the previous form (what the version before made), built here as it did. */
const legacy = (id: string, t: string) => `ecb1.${Buffer.from(`${id}:${t}`, 'utf8').toString('base64url')}`;

test('a state round-trips: ecb2.<id>.<the 32 token bytes, base64url>', () => {
	const state = encodeState('42', token);
	expect(state).toBe(`ecb2.42.${Buffer.from(token, 'hex').toString('base64url')}`);
	expect(state).toMatch(/^ecb2\.42\.[A-Za-z0-9_-]{43}$/);
	expect(state).not.toContain(token);
	expect(decodeState(state)).toEqual({ executionId: '42', resumeToken: token });
});

test.each([
	['1', 1],
	['the largest n8n id (2^63-1)', MAX_N8N_ID],
	['a 31-character id (the longest the form takes)', 'A'.repeat(31)],
])('SAML: at most %s bytes for id %s', (_what, id) => {
	for (const t of [token, randomBytes(32).toString('hex'), '0'.repeat(64), 'f'.repeat(64)]) {
		const state = encodeState(String(id), t);
		expect(Buffer.byteLength(state, 'utf8')).toBeLessThanOrEqual(STATE_MAX_BYTES);
		expect(decodeState(state)).toEqual({ executionId: String(id), resumeToken: t });
	}
	expect(STATE_MAX_BYTES).toBe(80);
	expect(encodeState(MAX_N8N_ID, token)).toHaveLength(68);
});

test('states in the previous form (ecb1) still decode', () => {
	expect(decodeState(legacy('42', token))).toEqual({ executionId: '42', resumeToken: token });
	expect(decodeState(legacy(MAX_N8N_ID, token))).toEqual({ executionId: MAX_N8N_ID, resumeToken: token });
	// the previous form's token lengths (32 to 128 hex characters)
	expect(decodeState(legacy('7', 'ab'.repeat(16)))).toEqual({ executionId: '7', resumeToken: 'ab'.repeat(16) });
});

test('a token or id the compact form cannot hold falls back to the previous form', () => {
	for (const [id, t] of [
		['42', token.slice(2)],
		['42', token.toUpperCase()],
		['A'.repeat(32), token],
	]) {
		const state = encodeState(id, t);
		expect(state).toBe(legacy(id, t));
		expect(decodeState(state)).toEqual(t === token.toUpperCase() ? undefined : { executionId: id, resumeToken: t });
	}
});

const flip = (c: string) => (c === 'A' ? 'B' : 'A');
// An altered character of a well-formed state names another token (or id): n8n (2.x) or the
// wait node (1.x) refuses that token when the call is forwarded, so nothing resumes (404 1031).
test.each([
	['altered last token character', (s: string) => s.slice(0, -1) + flip(s.slice(-1))],
	['altered first token character', (s: string) => s.replace(/\.(.)([^.]{42})$/, (_m, c: string, r: string) => `.${flip(c)}${r}`)],
	['altered id', (s: string) => s.replace('.42.', '.43.')],
])('a state with %s names another token or execution', (_what, alter) => {
	const decoded = decodeState(alter(encodeState('42', token)));
	expect(decoded).toBeDefined();
	expect(decoded).not.toEqual({ executionId: '42', resumeToken: token });
});

// Malformed: the stable URL answers 400 1030 before anything is forwarded.
test.each([
	['non-canonical last character (spare bits set)', (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1)],
	['truncated token', (s: string) => s.slice(0, -1)],
	['truncated by two', (s: string) => s.slice(0, -2)],
	['overlong token', (s: string) => s + 'A'],
	['padding', (s: string) => s + '='],
	['other prefix', (s: string) => s.replace('ecb2.', 'ecb3.')],
	['the previous prefix', (s: string) => s.replace('ecb2.', 'ecb1.')],
	['extra part', (s: string) => `${s}.x`],
	['missing id', (s: string) => s.replace('.42.', '..')],
	['missing token', (s: string) => s.replace(/[^.]+$/, '')],
	['id and token swapped', (s: string) => s.replace(/^ecb2\.(42)\.([^.]+)$/, 'ecb2.$2.$1')],
	['a path in the id', (s: string) => s.replace('.42.', '.4/2.')],
	['an id of 32 characters (over 80 bytes)', (s: string) => s.replace('.42.', `.${'4'.repeat(32)}.`)],
	['non-base64url', (s: string) => s.replace(/.$/, '+')],
	['a space', (s: string) => `${s} `],
	['too long', (s: string) => s + 'A'.repeat(400)],
])('refuses a state with %s', (_what, alter) => {
	const altered = alter(encodeState('42', token));
	expect(altered).not.toBe(encodeState('42', token));
	expect(decodeState(altered)).toBeUndefined();
});

test('one token has one state: of the 64 last characters only its own decodes to it', () => {
	const state = encodeState('42', token);
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
	const decoded = [...alphabet].map((c) => decodeState(state.slice(0, -1) + c));
	expect(decoded.filter((d) => d?.resumeToken === token)).toHaveLength(1);
	// 16 characters are canonical (the last 2 of 258 bits zero), the rest refused
	expect(decoded.filter((d) => d !== undefined)).toHaveLength(16);
});

test.each([
	['a previous-form body truncated into the token', (s: string) => s.slice(0, 20)],
	['a previous-form body not from the encoder (one bit more)', (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1)],
	['extra part', (s: string) => `${s}.x`],
	['non-canonical body', (s: string) => s + 'A'],
	['too long', (s: string) => s + 'A'.repeat(400)],
])('refuses a previous-form state with %s', (_what, alter) => {
	expect(decodeState(alter(legacy('42', token)))).toBeUndefined();
});

test.each([
	undefined,
	null,
	'',
	'ecb1.',
	'ecb2.',
	'ecb2..',
	'ecb2.42.',
	42,
	{},
	['ecb1.x'],
	[encodeState('42', token)],
	`ecb1.${Buffer.from('42:short').toString('base64url')}`,
	`ecb1.${Buffer.from('../x:' + token).toString('base64url')}`,
	`ecb1.${Buffer.from('42:' + token).toString('base64')}=`,
	`ecb2.42.${Buffer.from(token, 'hex').toString('base64')}`,
	`ecb2.42.${Buffer.from(token.slice(2), 'hex').toString('base64url')}`,
	`ecb2.42.${Buffer.from(token + '00', 'hex').toString('base64url')}`,
	`ecb2.4\u00e92.${Buffer.from(token, 'hex').toString('base64url')}`,
])('refuses %j', (value) => {
	expect(decodeState(value)).toBeUndefined();
});

test('resumeTokenOf reads the signature of a resume URL (with or without a suffix)', () => {
	expect(resumeTokenOf(`http://h/webhook-waiting/7?signature=${token}`)).toBe(token);
	expect(resumeTokenOf(`http://h/webhook-waiting/7?signature=${token}/node-1`)).toBe(token);
	expect(resumeTokenOf('http://h/webhook-waiting/7')).toBeUndefined();
});
