/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { http, nodeOutput, postJson, type Execution, type WorkflowJson } from './harness/client';
import { FakeServer } from './harness/fakeServer';
import { ROOT, until } from './harness/n8n';
import { shared } from './harness/shared';
import { decodeState } from '../../nodes/callback/urls/state';

const { api, state, logTail } = shared();
// n8n 1.123's public API leaves out executions that went to wait since the process started
// (see stable.test.ts): examples built on `any`/`all` run on 2.x only (README, "Supported n8n
// versions"); the state form needs no listing and runs on both lines.
const major = Number(String(state.install.version).split('.')[0]);
const listLine = major >= 2 ? test : test.skip;

const EXAMPLES_DIR = join(ROOT, 'examples');
/** Every file in examples/ and the test below that runs it. */
const RUN_HERE = [
	'approval-with-roles.json',
	'broadcast-all.json',
	'oauth-redirect-state.json',
	'payment-confirmation.json',
	'ticket-triage.json',
];

type ExampleNode = WorkflowJson['nodes'][number] & { credentials?: Record<string, { id: string | null; name: string }> };
type Example = Omit<WorkflowJson, 'nodes'> & { nodes: ExampleNode[] };

/** The example file as a user imports it; `replace` swaps placeholder hosts for loopback fakes. */
function example(file: string, replace: Record<string, string> = {}): Example {
	let text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
	for (const [from, to] of Object.entries(replace)) {
		if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
		text = text.split(from).join(to);
	}
	return JSON.parse(text) as Example;
}

const nodeOf = (wf: Example, name: string) => {
	const n = wf.nodes.find((x) => x.name === name);
	if (!n) throw new Error(`${wf.name} has no node "${name}"`);
	return n;
};

/**
 * Creates the credentials an example names (n8n resolves a reference with `id: null` by name and
 * type when the workflow is saved, as after an import) with the given data per credential type.
 */
const created = new Map<string, string>();
async function createNamedCredentials(wf: Example, dataByType: Record<string, Record<string, unknown>>) {
	for (const n of wf.nodes) {
		for (const [type, ref] of Object.entries(n.credentials ?? {})) {
			expect(ref.id).toBeNull();
			const key = `${type}/${ref.name}`;
			if (created.has(key)) continue;
			if (!dataByType[type]) throw new Error(`no test data for credential type ${type}`);
			const c = await api.api('POST', '/credentials', { name: ref.name, type, data: dataByType[type] });
			created.set(key, c.id);
		}
	}
}

/** Publishes the example; checks that n8n wired every credential reference by its name. */
async function publishExample(wf: Example) {
	const published = await api.publish(wf);
	const stored = await api.api<{ nodes: ExampleNode[] }>('GET', `/workflows/${published.id}`);
	for (const n of wf.nodes.filter((x) => x.credentials)) {
		const storedNode = stored.nodes.find((x: ExampleNode) => x.name === n.name) as ExampleNode;
		for (const [type, ref] of Object.entries(n.credentials!)) {
			expect(storedNode.credentials![type]).toEqual({ id: created.get(`${type}/${ref.name}`), name: ref.name });
		}
	}
	return published;
}

/**
 * The wait node's stable URL, polled until n8n serves it: a call without a target → 400, or 401
 * where the node authenticates callers and takes its key from the call (ticket triage).
 */
async function stableUrlOf(wf: Example, waitNode: string) {
	const url = `${api.base}/webhook/${nodeOf(wf, waitNode).webhookId}/callback`;
	await until(`stable URL ${url}`, async () => ([400, 401].includes((await http('GET', url)).status) ? true : undefined));
	return url;
}

const n8nApiData = () => ({ baseUrl: state.instance.baseUrl, apiKey: state.instance.apiKey });
const statusOf = async (id: string) => (await api.execution(id, false)).status;
const succeeded = (id: string) => api.waitForStatus(id, ['success']);
const withQuery = (url: string, q: Record<string, string>) => `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams(q)}`;

async function deactivate(workflowId: string) {
	await api.api('POST', `/workflows/${workflowId}/deactivate`);
}

/** The branch nodes an execution went through, among `names`. */
const ranBranches = (exec: Execution, names: string[]) => names.filter((n) => nodeOutput(exec, n) !== undefined);

// Secrets of this run (never in the repository): the credentials the examples name get them.
const helpdeskKey = `hd-${randomBytes(12).toString('hex')}`;
const releaseKey = `op-${randomBytes(12).toString('hex')}`;
const jwtSecret = randomBytes(32).toString('hex');
/** Every key, secret and token a test sent; none may appear in n8n's log (checked last). */
const usedSecrets = [helpdeskKey, releaseKey, jwtSecret];

// A helpdesk that is down: the ticket-triage example tolerates it (helpdeskNotified: false).
const downHelpdesk = new FakeServer((_req, res) => {
	res.writeHead(503, { 'content-type': 'application/json' });
	res.end('{"message":"maintenance"}');
});
/** A ticket nobody assigns, started first with a 1 s limit and checked last (n8n's wait tracker fires within ~70 s). */
let lateTicket: { executionId: string };

beforeAll(async () => {
	await createNamedCredentials(example('ticket-triage.json'), {
		externalCallbackApiKeyApi: { apiKeys: helpdeskKey, location: 'query', name: 'token' },
		externalCallbackN8nApi: n8nApiData(),
	});
	await createNamedCredentials(example('approval-with-roles.json'), {
		externalCallbackJwtApi: { algorithms: ['HS256'], keyType: 'secret', secret: jwtSecret, audience: 'approvals-portal', rolesClaim: 'roles' },
	});
	await createNamedCredentials(example('broadcast-all.json'), {
		externalCallbackApiKeyApi: { apiKeys: releaseKey, location: 'header', name: 'x-api-key' },
		externalCallbackN8nApi: n8nApiData(),
	});

	// ticket-triage as shipped, but its own path and webhook ids and a 1 s wait limit
	await downHelpdesk.start();
	const wf = example('ticket-triage.json', { 'https://helpdesk.example.com': downHelpdesk.url });
	wf.name = `${wf.name} (1 s limit)`;
	nodeOf(wf, 'New Ticket').parameters.path = 'new-ticket-1s';
	for (const n of wf.nodes) if (n.webhookId) n.webhookId = randomUUID();
	Object.assign(nodeOf(wf, 'Wait for Assignment').parameters, { resumeAmount: 1, resumeUnit: 'seconds' });
	const { triggerUrl } = await publishExample(wf);
	const r = await postJson(triggerUrl, { ticketId: 'T-200', subject: 'Nobody home', priority: 'low' });
	if (r.status !== 200) throw new Error(`new ticket failed ${r.status} ${r.text}\n${logTail()}`);
	expect(r.json).toEqual({ ticketId: 'T-200', executionId: expect.any(String), status: 'awaiting assignment', helpdeskNotified: false });
	expect(downHelpdesk.requests).toHaveLength(1);
	lateTicket = { executionId: r.json.executionId };
	await api.waitForStatus(lateTicket.executionId, ['waiting', 'success']);
});
afterAll(() => downHelpdesk.stop());

test('every example in examples/ is run by this file and linked from the README; no credential ids or secrets in them', () => {
	const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
	expect(files).toEqual(RUN_HERE);
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	for (const file of files) {
		expect(readme).toContain(`](examples/${file})`);
		const wf = example(file);
		expect(wf.name).toEqual(expect.any(String));
		for (const n of wf.nodes) {
			for (const ref of Object.values(n.credentials ?? {})) expect(ref.id).toBeNull();
			if (n.type.startsWith('n8n-nodes-external-callback.')) {
				expect(['generateCallbackUrl', 'externalCallbackWait', 'externalCallbackTrigger']).toContain(n.type.split('.')[1]);
			}
		}
		// every connection points at a node of the workflow
		const names = new Set(wf.nodes.map((n) => n.name));
		for (const [from, outputs] of Object.entries(wf.connections)) {
			expect(names.has(from)).toBe(true);
			for (const out of (outputs as { main: Array<Array<{ node: string }>> }).main) for (const c of out) expect(names.has(c.node)).toBe(true);
		}
	}
});

test('examples/payment-confirmation.json: an order is completed by the printed confirmation call', async () => {
	const { id, triggerUrl } = await api.publish(example('payment-confirmation.json'));
	const placed = await postJson(triggerUrl, { orderId: 'EX-1', total: 22.45 });
	expect(placed.status).toBe(200);
	expect(placed.json.orderId).toBe('EX-1');
	// The reply is sent before the execution reaches the wait; a call before that gets 409.
	const executionId = new URL(placed.json.callbackUrl).pathname.split('/')[2];
	await api.waitForStatus(executionId, ['waiting']);
	const confirm = await postJson(placed.json.callbackUrl, {
		data: [
			{ name: 'shampoo', price: 9.95 },
			{ name: 'conditioner', price: 12.5 },
		],
	});
	expect(confirm.status).toBe(200);
	const [done] = await until('the example execution to succeed', async () => {
		const list = await api.executions(id, 'success');
		return list.length ? list : undefined;
	});
	const exec = await api.execution(done.id);
	expect(nodeOutput(exec, 'Complete Order')).toEqual([
		{ orderId: 'EX-1', products: 'shampoo, conditioner', paidTotal: 22.45, status: 'complete' },
	]);
	expect(nodeOutput(exec, 'Cancel Order')).toBeUndefined();
	await deactivate(id);
});

describe('examples/oauth-redirect-state.json', () => {
	// The provider's authorize endpoint: sends the browser back to redirect_uri with a code (or an error) and the state.
	let deny = false;
	let issued = 0;
	const provider = new FakeServer((req, res) => {
		const url = new URL(req.url, 'http://x');
		if (url.pathname !== '/oauth/authorize' || url.searchParams.get('client_id') !== 'n8n-example') {
			res.writeHead(400, { 'content-type': 'application/json' });
			res.end('{"error":"invalid_request"}');
			return;
		}
		const back = new URL(url.searchParams.get('redirect_uri')!);
		if (deny) back.searchParams.set('error', 'access_denied');
		else back.searchParams.set('code', `code-${++issued}`);
		back.searchParams.set('state', url.searchParams.get('state')!);
		res.writeHead(302, { location: back.toString() });
		res.end();
	});
	beforeAll(() => provider.start());
	afterAll(() => provider.stop());

	test('the browser is sent to the provider and back; the execution its state names resumes with the code', async () => {
		const wf = example('oauth-redirect-state.json', { 'https://auth.example.com': provider.url });
		const { id, triggerUrl } = await publishExample(wf);
		const stableUrl = await stableUrlOf(wf, 'Wait for Provider Redirect');

		/** A browser opening the sign-in URL: n8n redirects it to the provider's authorize page. */
		const signIn = async (user: string) => {
			const r = await http('GET', withQuery(triggerUrl, { user }));
			expect(r.status).toBe(302);
			const authorize = new URL(r.headers.get('location')!);
			expect(`${authorize.origin}${authorize.pathname}`).toBe(`${provider.url}/oauth/authorize`);
			expect(authorize.searchParams.get('response_type')).toBe('code');
			expect(authorize.searchParams.get('scope')).toBe('openid profile');
			// the one fixed redirect URI to register with the provider: the wait node's stable URL
			expect(authorize.searchParams.get('redirect_uri')).toBe(stableUrl);
			const stateValue = authorize.searchParams.get('state')!;
			expect(stateValue).toMatch(/^ecb2\.[0-9]+\.[A-Za-z0-9_-]{43}$/);
			// the state names the execution (no listing needed, so this runs on n8n 1.x too)
			const executionId = decodeState(stateValue)!.executionId;
			const waiting = await api.waitForStatus(executionId, ['waiting']);
			expect(String(waiting.workflowId)).toBe(String(id));
			expect(nodeOutput(await api.execution(executionId), 'Build Authorize URL')?.[0]?.user).toBe(user);
			return { authorizeUrl: authorize.toString(), state: stateValue, executionId };
		};
		/** The provider's answer followed by the browser: the redirect back to the stable URL. */
		const comeBack = async (authorizeUrl: string) => {
			const atProvider = await http('GET', authorizeUrl);
			expect(atProvider.status).toBe(302);
			const back = atProvider.headers.get('location')!;
			expect(back.startsWith(`${stableUrl}?`)).toBe(true);
			return { back, reply: await http('GET', back) };
		};

		const alice = await signIn('alice');
		const bob = await signIn('bob');
		expect(alice.state).not.toBe(bob.state);

		// bob comes back first: only his execution resumes, with his code
		const bobBack = await comeBack(bob.authorizeUrl);
		expect(bobBack.reply.status).toBe(200);
		expect(bobBack.reply.headers.get('x-execution-id')).toBe(bob.executionId);
		// the browser lands on the node's page (Respond: Custom Response), not on an empty reply
		expect(bobBack.reply.headers.get('content-type')).toContain('text/html');
		expect(bobBack.reply.text).toContain('you can close this window');
		const bobDone = await succeeded(bob.executionId);
		expect(nodeOutput(bobDone, 'Signed In')).toEqual([
			{
				user: 'bob',
				code: 'code-1',
				redirectUri: stableUrl,
				next: "exchange the code at the provider's token endpoint (grant_type=authorization_code, the same redirect_uri)",
			},
		]);
		expect(nodeOutput(bobDone, 'Sign-In Failed')).toBeUndefined();
		expect(nodeOutput(bobDone, 'Wait for Provider Redirect')![0].data).toEqual({ code: 'code-1' });
		expect(JSON.stringify(nodeOutput(bobDone, 'Wait for Provider Redirect'))).not.toContain(bob.state);
		expect(await statusOf(alice.executionId)).toBe('waiting');

		// the same redirect again: that execution has finished, nothing more happens
		const replay = await http('GET', bobBack.back);
		expect(replay.status).toBe(404);
		expect(replay.json.code).toBe(1031);

		// alice denies consent: the provider redirects with error=access_denied
		deny = true;
		const aliceBack = await comeBack(alice.authorizeUrl);
		expect(aliceBack.reply.status).toBe(200);
		expect(aliceBack.reply.headers.get('x-execution-id')).toBe(alice.executionId);
		const aliceDone = await succeeded(alice.executionId);
		expect(nodeOutput(aliceDone, 'Sign-In Failed')).toEqual([{ user: 'alice', reason: 'access_denied' }]);
		expect(nodeOutput(aliceDone, 'Signed In')).toBeUndefined();
		await deactivate(id);
	});
});

describe('examples/ticket-triage.json', () => {
	// The helpdesk's API: records each ticket n8n creates there.
	let helpdeskIds = 0;
	const helpdesk = new FakeServer((req, res) => {
		res.writeHead(req.method === 'POST' && req.url === '/api/tickets' ? 201 : 404, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ id: `HD-${++helpdeskIds}` }));
	});
	beforeAll(() => helpdesk.start());
	afterAll(() => helpdesk.stop());

	listLine('the helpdesk is told about each ticket; its assignment event resumes exactly that ticket, routed by status', async () => {
		const key = helpdeskKey;
		const wf = example('ticket-triage.json', { 'https://helpdesk.example.com': helpdesk.url });
		const { id, triggerUrl } = await publishExample(wf);
		const stableUrl = await stableUrlOf(wf, 'Wait for Assignment');
		// what the helpdesk is configured with: no execution, no key (Key From Call reads the ticket id)
		const helpdeskUrl = withQuery(stableUrl, { token: key });

		const tickets = [
			{ ticketId: 'T-100', subject: 'Printer on fire', priority: 'high' },
			{ ticketId: 'T-101', subject: 'VPN drops every hour', priority: 'normal' },
			{ ticketId: 'T-102', subject: 'Password reset', priority: 'low' },
		];
		const exec: Record<string, string> = {};
		for (const t of tickets) {
			const r = await postJson(triggerUrl, t);
			if (r.status !== 200) throw new Error(`new ticket failed ${r.status} ${r.text}\n${logTail()}`);
			expect(r.json).toEqual({ ticketId: t.ticketId, executionId: expect.any(String), status: 'awaiting assignment', helpdeskNotified: true });
			exec[t.ticketId] = r.json.executionId;
			await api.waitForStatus(r.json.executionId, ['waiting']);
		}
		expect(helpdesk.requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual(
			tickets.map((t) => ['POST', '/api/tickets', { externalId: t.ticketId, subject: t.subject, priority: t.priority }]),
		);

		const event = (body: Record<string, unknown>, url = helpdeskUrl) => postJson(url, body);
		const allWaiting = async () => {
			for (const t of tickets) expect(await statusOf(exec[t.ticketId])).toBe('waiting');
		};

		// callers without the key are refused before anything is looked up
		const noKey = await event({ ticketId: 'T-101', status: 'assigned', assignee: 'alice' }, stableUrl);
		expect(noKey.status).toBe(401);
		expect(noKey.json.code).toBe(1001);
		const wrongKey = await event({ ticketId: 'T-101', status: 'assigned', assignee: 'alice' }, withQuery(stableUrl, { token: 'guess' }));
		expect(wrongKey.status).toBe(401);
		expect(wrongKey.json).toEqual({ code: 1002, message: 'Authentication failed: invalid API key' });
		// events the workflow does not wait for, and unknown tickets, resume nothing
		for (const other of [{ ticketId: 'T-101', status: 'commented', comment: 'looking' }, { ticketId: 'T-999', status: 'assigned', assignee: 'x' }]) {
			const r = await event(other);
			expect(r.status).toBe(404);
			expect(r.json).toEqual({ code: 1031, message: 'No execution waiting at this node has this key (or accepted the call)' });
		}
		await allWaiting();

		// T-101 is assigned to alice (not the oldest waiting ticket: its key picks it)
		const assigned = await event({ ticketId: 'T-101', status: 'assigned', assignee: 'alice' });
		expect(assigned.status).toBe(200);
		expect(assigned.headers.get('x-execution-id')).toBe(exec['T-101']);
		const t101 = await succeeded(exec['T-101']);
		expect(nodeOutput(t101, 'Notify Assignee')).toEqual([
			{ ticketId: 'T-101', assignee: 'alice', status: 'assigned', message: 'Ticket T-101 (normal: VPN drops every hour) is yours, alice' },
		]);
		expect(ranBranches(t101, ['Escalate Unassigned', 'Back to Triage'])).toEqual([]);
		expect(await statusOf(exec['T-100'])).toBe('waiting');

		// T-102 is rejected: back to triage with the helpdesk's reason
		expect((await event({ ticketId: 'T-102', status: 'rejected', reason: 'duplicate of T-7' })).headers.get('x-execution-id')).toBe(exec['T-102']);
		const t102 = await succeeded(exec['T-102']);
		expect(nodeOutput(t102, 'Back to Triage')).toEqual([{ ticketId: 'T-102', status: 'rejected', reason: 'duplicate of T-7' }]);
		expect(ranBranches(t102, ['Escalate Unassigned', 'Notify Assignee'])).toEqual([]);

		// T-100 to bob
		expect((await event({ ticketId: 'T-100', status: 'assigned', assignee: 'bob' })).status).toBe(200);
		const t100 = await succeeded(exec['T-100']);
		expect(nodeOutput(t100, 'Notify Assignee')![0]).toMatchObject({ ticketId: 'T-100', assignee: 'bob' });

		// the key never reaches the execution data
		for (const e of [t100, t101, t102]) expect(JSON.stringify(e.data)).not.toContain(key);
		await deactivate(id);
	});
});

describe('examples/approval-with-roles.json', () => {
	const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');
	const hs256 = (claims: Record<string, unknown>, secret: string) => {
		const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ aud: 'approvals-portal', ...claims }))}`;
		return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
	};
	const exp = () => Math.floor(Date.now() / 1000) + 300;

	test('only a caller with the approver role decides; others get 401/403 JSON and the request keeps waiting', async () => {
		const secret = jwtSecret;
		const wf = example('approval-with-roles.json');
		const { id, triggerUrl } = await publishExample(wf);

		const request = async (requestId: string, amount: number) => {
			const r = await postJson(triggerUrl, { requestId, amount, requester: 'sam' });
			if (r.status !== 200) throw new Error(`request failed ${r.status} ${r.text}\n${logTail()}`);
			expect(r.json.requestId).toBe(requestId);
			const expiresIn = Date.parse(r.json.expiresAt) - Date.now();
			expect(expiresIn).toBeGreaterThan(2 * 86_400_000 - 120_000);
			expect(expiresIn).toBeLessThanOrEqual(2 * 86_400_000);
			const executionId = new URL(r.json.approvalUrl).pathname.split('/')[2];
			await api.waitForStatus(executionId, ['waiting']);
			return { approvalUrl: r.json.approvalUrl as string, executionId };
		};

		const po1 = await request('PO-1', 1200);
		const viewer = hs256({ sub: 'victor', roles: ['viewer'], exp: exp() }, secret);
		const approver = hs256({ sub: 'dana', roles: ['employee', 'approver'], exp: exp() }, secret);
		const forged = hs256({ sub: 'mallory', roles: ['approver'], exp: exp() }, 'not-the-secret');
		const decision = { decision: 'approve', comment: 'within budget' };

		const anonymous = await postJson(po1.approvalUrl, decision);
		expect(anonymous.status).toBe(401);
		expect(anonymous.json.code).toBe(1001);
		const noRole = await postJson(po1.approvalUrl, decision, { authorization: `Bearer ${viewer}` });
		expect(noRole.status).toBe(403);
		expect(noRole.headers.get('content-type')).toContain('application/json');
		expect(noRole.json).toEqual({ code: 1000, message: 'Unable to execute the callback. User is missing required security role(s)' });
		const bad = await postJson(po1.approvalUrl, decision, { authorization: `Bearer ${forged}` });
		expect(bad.status).toBe(401);
		expect(bad.json).toEqual({ code: 1002, message: 'Authentication failed: signature invalid' });
		// an approver with an unknown decision: the condition ignores it (422), still waiting
		const unclear = await postJson(po1.approvalUrl, { decision: 'maybe' }, { authorization: `Bearer ${approver}` });
		expect(unclear.status).toBe(422);
		expect(await statusOf(po1.executionId)).toBe('waiting');

		const ok = await postJson(po1.approvalUrl, decision, { authorization: `Bearer ${approver}` });
		expect(ok.status).toBe(200);
		const done1 = await succeeded(po1.executionId);
		expect(nodeOutput(done1, 'Approved')).toEqual([{ requestId: 'PO-1', amount: 1200, status: 'approved', decidedBy: 'dana', comment: 'within budget' }]);
		expect(nodeOutput(done1, 'Rejected')).toBeUndefined();
		expect(nodeOutput(done1, 'Wait for Decision')![0].roles).toEqual(['employee', 'approver']);

		// the README's curl: a form-encoded rejection
		const po2 = await request('PO-2', 98_000);
		const erin = hs256({ sub: 'erin', roles: 'approver', exp: exp() }, secret);
		const no = await http('POST', po2.approvalUrl, {
			headers: { authorization: `Bearer ${erin}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'decision=reject&comment=over+budget',
		});
		expect(no.status).toBe(200);
		const done2 = await succeeded(po2.executionId);
		expect(nodeOutput(done2, 'Rejected')).toEqual([{ requestId: 'PO-2', status: 'rejected', decidedBy: 'erin', comment: 'over budget' }]);
		expect(nodeOutput(done2, 'Approved')).toBeUndefined();

		usedSecrets.push(viewer, approver, forged, erin);
		for (const e of [done1, done2]) {
			const text = JSON.stringify(e.data);
			for (const s of [secret, viewer, approver, forged, erin]) expect(text).not.toContain(s);
		}
		await deactivate(id);
	});
});

describe('examples/broadcast-all.json', () => {
	listLine('one call with execution=all releases every waiting job (of a batch); the reply lists their ids', async () => {
		const key = releaseKey;
		const wf = example('broadcast-all.json');
		const { id, triggerUrl } = await publishExample(wf);
		const stableUrl = await stableUrlOf(wf, 'Wait for Release');
		const releaseAll = withQuery(stableUrl, { execution: 'all' });

		const jobs = [
			{ jobId: 'J-1', batch: 'nightly' },
			{ jobId: 'J-2', batch: 'nightly' },
			{ jobId: 'J-3', batch: 'nightly' },
			{ jobId: 'J-4', batch: 'adhoc' },
		];
		const exec: Record<string, string> = {};
		for (const j of jobs) {
			const r = await postJson(triggerUrl, j);
			if (r.status !== 200) throw new Error(`queue failed ${r.status} ${r.text}\n${logTail()}`);
			expect(r.json).toEqual({ ...j, executionId: expect.any(String), status: 'queued until released' });
			exec[j.jobId] = r.json.executionId;
			await api.waitForStatus(r.json.executionId, ['waiting']);
		}

		const refused = await postJson(releaseAll, { release: 'r-0' });
		expect(refused.status).toBe(401);
		for (const j of jobs) expect(await statusOf(exec[j.jobId])).toBe('waiting');

		// the nightly batch: one call, three resumes
		const nightly = await postJson(releaseAll, { batch: 'nightly', release: '2026.11.2' }, { 'x-api-key': key });
		expect(nightly.status).toBe(200);
		expect(nightly.headers.get('content-type')).toContain('text/plain');
		const expected = ['J-1', 'J-2', 'J-3'].map((j) => exec[j]).sort((a, b) => Number(a) - Number(b));
		expect(nightly.text).toBe(expected.join(','));
		for (const j of ['J-1', 'J-2', 'J-3']) {
			const e = await succeeded(exec[j]);
			const [out] = nodeOutput<{ releasedAt: string }>(e, 'Run Job')!;
			expect(out).toEqual({ jobId: j, batch: 'nightly', release: '2026.11.2', releasedAt: expect.any(String), status: 'running' });
			expect(Number.isNaN(Date.parse(out.releasedAt))).toBe(false);
			expect(nodeOutput(e, 'Job Expired')).toBeUndefined();
			expect(JSON.stringify(e.data)).not.toContain(key);
		}
		expect(await statusOf(exec['J-4'])).toBe('waiting');

		// no batch in the call: everything still waiting, here the ad-hoc job
		const rest = await http('POST', releaseAll, { headers: { 'x-api-key': key } });
		expect(rest.status).toBe(200);
		expect(rest.text).toBe(exec['J-4']);
		expect(nodeOutput(await succeeded(exec['J-4']), 'Run Job')![0]).toMatchObject({ jobId: 'J-4', batch: 'adhoc', release: 'unnamed release' });

		// nothing left to release
		const none = await postJson(releaseAll, {}, { 'x-api-key': key });
		expect(none.status).toBe(404);
		expect(none.json).toEqual({ code: 1031, message: 'No execution waiting at this node accepted the call' });
		await deactivate(id);
	});
});

test('examples/ticket-triage.json: a ticket nobody assigns times out into Escalate Unassigned', async () => {
	const e = await api.waitForStatus(lateTicket.executionId, ['success'], 120_000);
	expect(nodeOutput(e, 'Wait for Assignment')![0]).toMatchObject({ ticketId: 'T-200', helpdeskNotified: false, timedOut: true });
	expect(nodeOutput(e, 'Escalate Unassigned')).toEqual([{ ticketId: 'T-200', status: 'escalated', reason: 'not assigned within a day' }]);
	expect(ranBranches(e, ['Notify Assignee', 'Back to Triage'])).toEqual([]);
}, 150_000);

test("no key, secret or token the examples' callers used appears in n8n's log", () => {
	const log = readFileSync(state.instance.logFile, 'utf8');
	expect(log.length).toBeGreaterThan(0);
	for (const secret of usedSecrets) expect(log).not.toContain(secret);
});
