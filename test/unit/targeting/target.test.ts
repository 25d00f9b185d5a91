import { ErrorCodes } from '../../../nodes/callback/pipeline/errors';
import type { HttpSend, OutboundRequest } from '../../../nodes/callback/targeting/forward';
import type { ApiGet } from '../../../nodes/callback/targeting/search';
import { type TargetIO, type TargetSpec, readTarget, runTarget } from '../../../nodes/callback/targeting/target';
import { encodeState } from '../../../nodes/callback/urls/state';

const TOKEN = 'a'.repeat(64);
const waiting = (id: string) => ({ id, workflowId: 'wf1', status: 'waiting', startedAt: `2026-01-01T00:00:${id.padStart(2, '0')}Z`, data: { resumeToken: TOKEN, resultData: { lastNodeExecuted: 'Wait' } } });

/** A fake n8n: its API lists `ids` as waiting at node "Wait"; each resume URL answers `resumed`. */
function io(o: { ids?: string[]; credential?: boolean; lose?: string[]; fail?: Record<string, 'reset' | 500 | 503>; takenByAnother?: string[]; nodeVersion?: number } = {}) {
	const sent: OutboundRequest[] = [];
	const looks: Record<string, number> = {};
	const get: ApiGet = async (path) => {
		const one = /^\/api\/v1\/executions\/([^?]+)/.exec(path);
		if (one) {
			looks[one[1]] = (looks[one[1]] ?? 0) + 1;
			// resumed by another call between the first look and the forward (a lost race): running now
			if ((o.takenByAnother ?? []).includes(one[1]) && looks[one[1]] > 1) return { status: 200, body: { ...waiting(one[1]), status: 'running' } };
			return (o.ids ?? []).includes(one[1]) ? { status: 200, body: waiting(one[1]) } : { status: 404, body: {} };
		}
		return { status: 200, body: { data: (o.ids ?? []).map(waiting), nextCursor: null } };
	};
	const send: HttpSend = async (request) => {
		sent.push(request);
		if (request.headers['x-external-callback-probe']) {
			return { status: 200, headers: { 'x-external-callback-outcome': 'probe', 'x-external-callback-workflow': 'wf1', 'x-external-callback-node': 'n-1' } };
		}
		const failing = Object.entries(o.fail ?? {}).find(([id]) => request.url.includes(`/webhook-waiting/${id}/`))?.[1];
		if (failing === 'reset') throw new Error('socket hang up');
		if (failing) return { status: failing, headers: {} };
		const lost = (o.lose ?? []).some((id) => request.url.includes(`/webhook-waiting/${id}/`));
		if (lost) return { status: 409, headers: {} };
		// as n8n answers "When Last Node Finishes": the last node's first item, with the wait node's headers
		return { status: 200, headers: { 'x-external-callback-outcome': 'resumed', 'content-type': 'application/json; charset=utf-8', 'x-internal': 'no' }, body: '{"callId":"c-1"}' };
	};
	const target: TargetIO = {
		workflowId: 'wf1',
		nodeId: 'n-1',
		nodeVersion: o.nodeVersion ?? 1,
		nodeName: 'Wait',
		n8nApi: async () => (o.credential === false ? undefined : { apiKey: 'key', baseUrl: 'http://127.0.0.1:5678/', webhookBaseUrl: '' }),
		apiGet: () => get,
		// n8n 1.x: no data table API, the execution list is used (test/unit/targeting/indexed.test.ts: the index)
		apiCall: () => async () => ({ status: 404, body: {} }),
		correlation: { enabled: false },
		send,
		ownBaseUrl: () => 'http://127.0.0.1:1',
		staticData: () => ({}),
	};
	const spec: TargetSpec = { repeatedStatus: 200, stateParameter: 'state', io: target };
	return { spec, sent };
}

const call = { incoming: { method: 'POST', contentType: 'application/json', headers: {}, query: {}, body: {}, rawBody: Buffer.from('{}') }, identity: undefined, carryIdentity: false };

describe('stage "target": which execution(s)', () => {
	test('an id, any, all or a state; anything else is a bad target (1030)', () => {
		expect(readTarget({ execution: '12' }, undefined, 'state')).toEqual({ kind: 'id', id: '12' });
		expect(readTarget({ executionId: 'any' }, undefined, 'state')).toEqual({ kind: 'any' });
		expect(readTarget({ execution: 'all' }, undefined, 'state')).toEqual({ kind: 'all' });
		expect(readTarget({}, { RelayState: encodeState('7', TOKEN) }, 'RelayState')).toMatchObject({ kind: 'state', execution: { id: '7' } });
		for (const query of [{}, { execution: 'a/b' }, { execution: '1', executionId: '2' }, { execution: ['1', '2'] }, { state: 'nope' }]) {
			expect(() => readTarget(query, undefined, 'state')).toThrow(expect.objectContaining({ code: ErrorCodes.BAD_TARGET }));
		}
	});

	test('found by fuzzing: an execution parameter that is an object (even without a prototype) is a bad target (1030), not a TypeError', () => {
		const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: '1' });
		for (const value of [bare, { a: '1' }, null, true]) {
			expect(() => readTarget({ execution: value }, undefined, 'state')).toThrow(expect.objectContaining({ code: ErrorCodes.BAD_TARGET }));
		}
	});

	test('all: every execution waiting here, in a bounded pool, ids ascending; lost ones are left out', async () => {
		const { spec, sent } = io({ ids: ['3', '1', '2'], lose: ['2'] });
		await expect(runTarget({ kind: 'all' }, call, spec)).resolves.toEqual({ kind: 'all', ids: ['1', '3'] });
		expect(sent).toHaveLength(3);
		expect(sent[0].url).toMatch(/^http:\/\/127\.0\.0\.1:5678\/webhook-waiting\/\d\/n-1\?signature=a+$/);
	});

	test('an id: forwarded to its resume URL; one not waiting here is 1031', async () => {
		const { spec } = io({ ids: ['5'] });
		await expect(runTarget({ kind: 'id', id: '5' }, call, spec)).resolves.toEqual({ kind: 'one', id: '5' });
		await expect(runTarget({ kind: 'id', id: '6' }, call, spec)).rejects.toMatchObject({ status: 404, code: ErrorCodes.NOT_WAITING });
	});

	test('a state: probed, then forwarded; no n8n API credential needed', async () => {
		const { spec, sent } = io({ credential: false });
		await expect(runTarget({ kind: 'state', execution: { id: '9', resumeToken: TOKEN, startedAt: '' } }, call, spec)).resolves.toEqual({ kind: 'one', id: '9' });
		expect(sent.map((r) => r.url.split('?')[0])).toEqual(['http://127.0.0.1:1/webhook-waiting/9/n-1', 'http://127.0.0.1:1/webhook-waiting/9/n-1']);
	});

	test('version 2 of the wait node: forwards and probes go to n8n\'s own resume URL with ?node=<node id>, set after the caller\'s query (a caller\'s node= never wins)', async () => {
		const { spec, sent } = io({ ids: ['5'], nodeVersion: 2 });
		const withNode = { ...call, incoming: { ...call.incoming, query: { node: 'n-other', x: '1' } } };
		await expect(runTarget({ kind: 'id', id: '5' }, withNode, spec)).resolves.toEqual({ kind: 'one', id: '5' });
		const url = new URL(sent[sent.length - 1].url);
		expect(url.pathname).toBe('/webhook-waiting/5');
		expect(url.searchParams.getAll('node')).toEqual(['n-1']);
		expect(url.searchParams.get('x')).toBe('1');
		expect(url.searchParams.get('signature')).toBe(TOKEN);
		const state = io({ credential: false, nodeVersion: 2 });
		await expect(runTarget({ kind: 'state', execution: { id: '9', resumeToken: TOKEN, startedAt: '' } }, call, state.spec)).resolves.toEqual({ kind: 'one', id: '9' });
		expect(state.sent.map((r) => r.url)).toEqual([`http://127.0.0.1:1/webhook-waiting/9?node=n-1&signature=${TOKEN}`, `http://127.0.0.1:1/webhook-waiting/9?node=n-1&signature=${TOKEN}`]);
	});

	test('a forward that fails (connection reset, 5xx) is 503 (1054) with Retry-After, not "not waiting" (1031): the caller retries', async () => {
		for (const failure of ['reset', 500, 503] as const) {
			const { spec } = io({ ids: ['5', '6', '7'], fail: { '5': failure, '6': failure } });
			const byId = await runTarget({ kind: 'id', id: '5' }, call, spec).catch((e: unknown) => e);
			expect(byId).toMatchObject({ status: 503, code: ErrorCodes.FORWARD_FAILED, retryAfterS: 2 });
			expect(String((byId as Error).message)).toMatch(/retry the same call/);
			// any (n8n 1.x search): the oldest failed; no other one is tried (it may have taken the call)
			await expect(runTarget({ kind: 'any' }, call, spec)).rejects.toMatchObject({ status: 503, code: ErrorCodes.FORWARD_FAILED });
			// all: 7 resumed, 5 and 6 failed → 503 naming what was resumed; a retry reaches only what still waits
			await expect(runTarget({ kind: 'all' }, call, spec)).rejects.toMatchObject({ status: 503, code: ErrorCodes.FORWARD_FAILED, message: expect.stringContaining('2 waiting executions failed (resumed: 7)') });
			// the state form's probe getting no answer
			const state = { kind: 'state' as const, execution: { id: '5', resumeToken: TOKEN, startedAt: '' } };
			await expect(runTarget(state, call, io({ credential: false, fail: { '5': failure } }).spec)).rejects.toMatchObject({ status: 503, code: ErrorCodes.FORWARD_FAILED });
		}
		// n8n's 500 to the loser of a race ("already being resumed by another process"): the execution
		// is not waiting any more, so it is 1031 as before, not a retry
		await expect(runTarget({ kind: 'id', id: '5' }, call, io({ ids: ['5'], fail: { '5': 500 }, takenByAnother: ['5'] }).spec)).rejects.toMatchObject({ status: 404, code: ErrorCodes.NOT_WAITING });
		// a 4xx from the resume URL (409: not waiting any more) stays 1031
		await expect(runTarget({ kind: 'id', id: '5' }, call, io({ ids: ['5'], lose: ['5'] }).spec)).rejects.toMatchObject({ status: 404, code: ErrorCodes.NOT_WAITING });
	});

	test('passReply ("When Last Node Finishes"): one execution resumed now carries the resume URL\'s status, content type and body, no other header', async () => {
		const { spec } = io({ ids: ['5', '6'] });
		const reply = { status: 200, contentType: 'application/json; charset=utf-8', body: '{"callId":"c-1"}' };
		await expect(runTarget({ kind: 'id', id: '5' }, call, { ...spec, passReply: true })).resolves.toEqual({ kind: 'one', id: '5', reply });
		await expect(runTarget({ kind: 'any' }, call, { ...spec, passReply: true })).resolves.toEqual({ kind: 'one', id: '5', reply });
		// without it (any other Respond option), none; `all` answers the ids
		await expect(runTarget({ kind: 'id', id: '6' }, call, spec)).resolves.toEqual({ kind: 'one', id: '6' });
		await expect(runTarget({ kind: 'all' }, call, { ...spec, passReply: true })).resolves.toEqual({ kind: 'all', ids: ['5', '6'] });
	});

	test('id, any and all without an n8n API credential: 503 (1051)', async () => {
		const { spec } = io({ credential: false });
		await expect(runTarget({ kind: 'any' }, call, spec)).rejects.toMatchObject({ status: 503, code: ErrorCodes.N8N_API_UNAVAILABLE });
	});
});
