import { createHmac } from 'node:crypto';

import {
	FORWARD_MAX_AGE_MS,
	type ForwardBinding,
	checkForward,
	forwardIsSigned,
	originOf,
	signForward,
	verifyForward,
} from '../../../nodes/callback/targeting/forward';

describe('forwarded calls (stable URL → resume URL)', () => {
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
	const key = 'n8n_api_key_of_the_node';
	const now = 1_800_000_000_000;
	// the resume handler's own binding: execution 42 of workflow wfA, waiting at node n-1
	const here: ForwardBinding = { executionId: '42', workflowId: 'wfA', nodeId: 'n-1', webhook: 'default' };
	const made = { executionId: '42', workflowId: 'wfA', nodeId: 'n-1' };

	it('verifies its own signature and returns the identity it carries', () => {
		const identity = { user: { id: 'u1' }, roles: ['admin'] };
		const header = signForward(key, made, identity, now);
		expect(verifyForward(header, key, here, now + 1000)).toEqual({ identity });
		expect(checkForward(header, key, here, now + 1000)).toEqual({ valid: true, identity });
		expect(verifyForward(signForward(key, made, undefined, now), key, here, now)).toEqual({ identity: null });
	});

	it('refuses another key, an old or a tampered forward as invalid', () => {
		const header = signForward(key, made, undefined, now);
		expect(checkForward(header, 'other key', here, now)).toEqual({ valid: false, reason: 'invalid' });
		expect(checkForward(header, key, here, now + FORWARD_MAX_AGE_MS + 1)).toEqual({ valid: false, reason: 'invalid' });
		expect(checkForward(header, key, here, now - FORWARD_MAX_AGE_MS - 1)).toEqual({ valid: false, reason: 'invalid' });
		const [body, mac] = header.split('.');
		const forged = Buffer.from(
			JSON.stringify({ v: 2, e: '42', w: 'wfA', n: 'n-1', h: 'default', t: now, i: { user: { id: 'root' }, roles: ['admin'] } }),
		).toString('base64url');
		expect(checkForward(`${forged}.${mac}`, key, here, now)).toEqual({ valid: false, reason: 'invalid' });
		for (const bad of [`${body}.`, `${body}.${mac}.x`, 'garbage', '', undefined]) {
			expect(checkForward(bad, key, here, now)).toEqual({ valid: false, reason: 'invalid' });
			expect(verifyForward(bad, key, here, now)).toBeUndefined();
		}
		// no key to check with (the node's stable URL is off): invalid, never trusted
		expect(checkForward(header, '', here, now)).toEqual({ valid: false, reason: 'invalid' });
		expect(checkForward(header, undefined, here, now)).toEqual({ valid: false, reason: 'invalid' });
	});

	it('a forward of the format before the workflow/node binding (execution and time only) is not accepted', () => {
		const body = Buffer.from(JSON.stringify({ e: '42', t: now, i: null })).toString('base64url');
		for (const derivation of [`external-callback-forward:${key}`, `external-callback-forward:v2:${key}`]) {
			const old = `${body}.${createHmac('sha256', derivation).update(body).digest('base64url')}`;
			expect(checkForward(old, key, here, now).valid).toBe(false);
		}
	});

	it('is bound to the execution, the workflow, the wait node and the resume webhook: any other is foreign', () => {
		const header = signForward(key, made, { user: { apiKey: 'key#1' }, roles: [] }, now);
		const elsewhere: Array<Partial<ForwardBinding>> = [
			{ executionId: '43' }, // another execution
			{ workflowId: 'wfB' }, // a twin workflow with the same node ids, the same n8n API credential
			{ nodeId: 'n-2' }, // another wait node of the same workflow and execution
			{ webhook: 'fail' }, // the same node's fail URL
		];
		for (const other of elsewhere) {
			expect(checkForward(header, key, { ...here, ...other }, now)).toEqual({ valid: false, reason: 'foreign' });
			expect(verifyForward(header, key, { ...here, ...other }, now)).toBeUndefined();
		}
		// a forward made for the fail webhook is not valid at the resume webhook either
		const forFail = signForward(key, { ...made, webhook: 'fail' }, undefined, now);
		expect(checkForward(forFail, key, here, now)).toEqual({ valid: false, reason: 'foreign' });
		expect(checkForward(forFail, key, { ...here, webhook: 'fail' }, now).valid).toBe(true);
	});

	it('the origin of an unsigned forward names the workflow and the node', () => {
		expect(originOf('wfA', 'n-1')).toBe('wfA n-1');
		expect(originOf('wfA', 'n-1')).not.toBe(originOf('wfB', 'n-1'));
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
