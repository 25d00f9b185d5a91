import type { IWebhookFunctions } from 'n8n-workflow';

import { ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import { FORWARD_HEADER, ORIGIN_HEADER, PROBE_HEADER, originOf, signForward } from '../../../nodes/callback/targeting/forward';
import { ownBinding } from '../../../nodes/callback/n8n/incoming';
import { answerProbe, checkResumeCall as checkHeaders, isProbe as isProbeHeaders } from '../../../nodes/callback/pipeline/gate';

/**
 * The checks a call to a wait node's resume or fail URL passes before the guards (what the wait
 * node's webhook() does with n8n's context). The context is the few methods the gate reads; the
 * e2e suite (test/e2e/isolation.test.ts) runs the same gate inside a real n8n.
 */
function context(o: { headers?: Record<string, string>; executionId?: string; workflowId?: string; nodeId?: string }) {
	const sent: { status?: number; headers: Record<string, string>; body?: string } = { headers: {} };
	const res = {
		headersSent: false,
		status(code: number) {
			sent.status = code;
			return res;
		},
		setHeader(name: string, value: string) {
			sent.headers[name.toLowerCase()] = value;
		},
		json(body: unknown) {
			sent.body = JSON.stringify(body);
		},
		end(body?: string) {
			sent.body = body ?? '';
		},
	};
	const ctx = {
		getHeaderData: () => o.headers ?? {},
		getExecutionId: () => o.executionId ?? '42',
		getWorkflow: () => ({ id: o.workflowId ?? 'wfA', active: true }),
		getNode: () => ({ id: o.nodeId ?? 'n-1', name: 'External Callback Wait' }),
		getResponseObject: () => res,
	} as unknown as IWebhookFunctions;
	return { ctx, sent };
}

type Headers = Record<string, string | string[] | undefined>;
/** The gate as the wait node calls it: its headers and its binding (n8n/incoming.ts ownBinding). */
const checkResumeCall = async (ctx: IWebhookFunctions, webhook: string, reader: (() => Promise<string | undefined>) | undefined) =>
	await checkHeaders(ctx.getHeaderData() as Headers, ownBinding(ctx, webhook), reader);
const isProbe = (ctx: IWebhookFunctions) => isProbeHeaders(ctx.getHeaderData() as Headers);

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const KEY = 'n8n_api_key_shared_by_two_workflows';
const keyReader = () => async () => KEY;
const now = Date.now();

describe('resume gate: forwards and origins', () => {
	it('a direct call (no forward, no origin) passes to the guards without reading the key', async () => {
		let reads = 0;
		const { ctx } = context({});
		const gate = await checkResumeCall(ctx, 'default', async () => {
			reads++;
			return KEY;
		});
		expect(gate).toEqual({ kind: 'direct' });
		expect(reads).toBe(0);
	});

	it("a forward of this node's stable URL for this execution carries its identity", async () => {
		const identity = { user: { apiKey: 'key#1' }, roles: [] };
		const header = signForward(KEY, { executionId: '42', workflowId: 'wfA', nodeId: 'n-1' }, identity, now);
		const { ctx } = context({ headers: { [FORWARD_HEADER]: header } });
		expect(await checkResumeCall(ctx, 'default', keyReader())).toEqual({ kind: 'forwarded', identity });
	});

	it.each([
		['a twin workflow with the same node id', { workflowId: 'wfB' }],
		['another wait node of the same workflow', { nodeId: 'n-2' }],
		['another execution', { executionId: '41' }],
	])('a forward made for %s (same key) is refused as foreign (1034)', async (_what, made) => {
		const header = signForward(KEY, { executionId: '42', workflowId: 'wfA', nodeId: 'n-1', ...made }, undefined, now);
		const { ctx } = context({ headers: { [FORWARD_HEADER]: header } });
		const gate = await checkResumeCall(ctx, 'default', keyReader());
		expect(gate.kind).toBe('refused');
		if (gate.kind === 'refused') {
			expect([gate.error.status, gate.error.code]).toEqual([403, ErrorCodes.FORWARD_FOREIGN]);
			expect(JSON.stringify(gate.error.toBody())).not.toContain(KEY);
		}
	});

	it('a valid forward replayed at the fail URL of the same node is refused as foreign', async () => {
		const header = signForward(KEY, { executionId: '42', workflowId: 'wfA', nodeId: 'n-1' }, undefined, now);
		const { ctx } = context({ headers: { [FORWARD_HEADER]: header } });
		const gate = await checkResumeCall(ctx, 'fail', keyReader());
		expect(gate.kind === 'refused' && gate.error.code).toBe(ErrorCodes.FORWARD_FOREIGN);
	});

	it('a forward this node cannot check (its stable URL is off: no key) or a bad one is refused as invalid (1035)', async () => {
		const header = signForward(KEY, { executionId: '42', workflowId: 'wfA', nodeId: 'n-1' }, undefined, now);
		for (const [value, reader] of [
			[header, undefined],
			[header, async () => undefined],
			['garbage', keyReader()],
			[header, async () => 'another key'],
		] as const) {
			const { ctx } = context({ headers: { [FORWARD_HEADER]: value } });
			const gate = await checkResumeCall(ctx, 'default', reader);
			expect(gate.kind === 'refused' && [gate.error.status, gate.error.code]).toEqual([401, ErrorCodes.FORWARD_INVALID]);
		}
	});

	it("an unsigned forward's origin must be this workflow and node, at the resume URL only", async () => {
		const own = context({ headers: { [ORIGIN_HEADER]: originOf('wfA', 'n-1') } });
		expect(await checkResumeCall(own.ctx, 'default', undefined)).toEqual({ kind: 'direct' });
		for (const [origin, webhook] of [
			[originOf('wfB', 'n-1'), 'default'], // the twin's stable URL
			[originOf('wfA', 'n-2'), 'default'], // another wait node's stable URL
			['', 'default'],
			[originOf('wfA', 'n-1'), 'fail'], // the stable URL never forwards to the fail URL
		] as const) {
			const { ctx } = context({ headers: { [ORIGIN_HEADER]: origin } });
			const gate = await checkResumeCall(ctx, webhook, undefined);
			expect(gate.kind === 'refused' && gate.error.code).toBe(ErrorCodes.FORWARD_FOREIGN);
		}
	});
});

describe('resume gate: probe', () => {
	it("answers with this execution's workflow and node id, empty body, and resumes nothing", () => {
		const { ctx, sent } = context({ headers: { [PROBE_HEADER]: '1' }, workflowId: 'wfA', nodeId: 'n-1' });
		expect(isProbe(ctx)).toBe(true);
		expect(answerProbe(ctx.getResponseObject(), ownBinding(ctx, 'default'))).toEqual({ noWebhookResponse: true });
		expect(sent.status).toBe(200);
		expect(sent.body).toBe('');
		expect(sent.headers['x-external-callback-workflow']).toBe('wfA');
		expect(sent.headers['x-external-callback-node']).toBe('n-1');
		expect(sent.headers['x-external-callback-outcome']).toBe('probe');
		expect(isProbe(context({}).ctx)).toBe(false);
	});
});
