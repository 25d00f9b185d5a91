import { decodeState, encodeState, resumeTokenOf } from '../../../nodes/callback/urls/state';

const token = 'a'.repeat(24) + '0123456789abcdef0123456789abcdef0123456789';

test('a state round-trips and is opaque', () => {
	const state = encodeState('42', token);
	expect(state).toMatch(/^ecb1\.[A-Za-z0-9_-]+$/);
	expect(state).not.toContain('42:');
	expect(decodeState(state)).toEqual({ executionId: '42', resumeToken: token });
});

test.each([
	['altered character', (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A')],
	['other prefix', (s: string) => s.replace('ecb1.', 'ecb2.')],
	['extra part', (s: string) => `${s}.x`],
	['non-base64url', (s: string) => s.replace(/.$/, '+')],
	['too long', (s: string) => s + 'A'.repeat(400)],
])('refuses a state with %s', (_what, alter) => {
	expect(decodeState(alter(encodeState('42', token)))).toBeUndefined();
});

test.each([undefined, '', 'ecb1.', 42, ['ecb1.x'], `ecb1.${Buffer.from('42:short').toString('base64url')}`, `ecb1.${Buffer.from('../x:' + token).toString('base64url')}`])(
	'refuses %j',
	(value) => {
		expect(decodeState(value)).toBeUndefined();
	},
);

test('resumeTokenOf reads the signature of a resume URL (with or without a suffix)', () => {
	expect(resumeTokenOf(`http://h/webhook-waiting/7?signature=${token}`)).toBe(token);
	expect(resumeTokenOf(`http://h/webhook-waiting/7?signature=${token}/node-1`)).toBe(token);
	expect(resumeTokenOf('http://h/webhook-waiting/7')).toBeUndefined();
});
