import { FORWARD_MAX_AGE_MS, forwardIsSigned, signForward, verifyForward } from '../../nodes/shared/forward';

describe('forwarded calls (stable URL → resume URL)', () => {
	const key = 'n8n_api_key_of_the_node';
	const now = 1_800_000_000_000;

	it('verifies its own signature and returns the identity it carries', () => {
		const identity = { user: { id: 'u1' }, roles: ['admin'] };
		const header = signForward(key, '42', identity, now);
		expect(verifyForward(header, key, '42', now + 1000)).toEqual({ identity });
		expect(verifyForward(signForward(key, '42', undefined, now), key, '42', now)).toEqual({ identity: null });
	});

	it('refuses another key, another execution, an old or a tampered forward', () => {
		const header = signForward(key, '42', undefined, now);
		expect(verifyForward(header, 'other key', '42', now)).toBeUndefined();
		expect(verifyForward(header, key, '43', now)).toBeUndefined();
		expect(verifyForward(header, key, '42', now + FORWARD_MAX_AGE_MS + 1)).toBeUndefined();
		const [body, mac] = header.split('.');
		const forged = Buffer.from(JSON.stringify({ e: '42', t: now, i: { user: { id: 'root' }, roles: ['admin'] } })).toString('base64url');
		expect(verifyForward(`${forged}.${mac}`, key, '42', now)).toBeUndefined();
		expect(verifyForward(`${body}.`, key, '42', now)).toBeUndefined();
		expect(verifyForward('garbage', key, '42', now)).toBeUndefined();
		expect(verifyForward(undefined, key, '42', now)).toBeUndefined();
		expect(verifyForward(header, '', '42', now)).toBeUndefined();
	});

	it('is signed only when there is an identity to carry or no resume token (n8n 1.x)', () => {
		expect(forwardIsSigned({ apiKey: key, carryIdentity: true, resumeToken: 'tok' })).toBe(true);
		expect(forwardIsSigned({ apiKey: key, carryIdentity: false, resumeToken: '' })).toBe(true);
		// n8n 2.x, no authentication on the node: n8n's token proves the call, nothing to carry
		expect(forwardIsSigned({ apiKey: key, carryIdentity: false, resumeToken: 'tok' })).toBe(false);
		// no n8n API key (state form without credential): nothing to sign with
		expect(forwardIsSigned({ apiKey: '', carryIdentity: true, resumeToken: '' })).toBe(false);
	});
});
