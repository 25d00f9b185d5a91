// Issue 16 part 3 asked for an "n8n User" authentication (the caller's n8n session cookie,
// checked with validateCookieAuth as n8n's Form node does). It cannot be built as a community
// node: n8n removes its session cookie from every webhook request before the node runs (at
// resume URLs always, elsewhere unless the node is one of n8n's own allow-listed types; see
// docs/architecture.md, "n8n user sessions").
// These tests pin that behaviour of the real n8n, on both lines, so that the decision is
// revisited when a pinned n8n changes it: they fail the day n8n hands the cookie to other nodes.
import { randomUUID } from 'node:crypto';

import { http, loadFixture, node, nodeOutput, postJson, type WorkflowJson } from './harness/client';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OWNER } = require('../../scripts/lib/n8n.js') as { OWNER: { email: string; password: string } };

const { api } = shared();
const scenario = scenarios(api);
const base = api.base;

/** The `n8n-auth=…` cookie of a real login, as a browser gets it. */
async function ownerSession(): Promise<string> {
	const r = await postJson(`${base}/rest/login`, { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
	const cookie = r.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	if (!cookie) throw new Error('the login set no n8n-auth cookie');
	return cookie.split(';')[0];
}

let session: string;
beforeAll(async () => {
	session = await ownerSession();
	// the session is valid: n8n's own REST API accepts it
	expect((await http('GET', `${base}/rest/login`, { headers: { cookie: session } })).status).toBe(200);
});

/** wait-basic's trigger and reply, then `rest` (the workflow's other nodes, connected in order). */
function workflow(reply: string, rest: WorkflowJson['nodes']): WorkflowJson {
	const wf = loadFixture('wait-basic');
	const start = node(wf, 'Start');
	const hand = node(wf, 'Hand Out URL');
	hand.parameters.responseBody = reply;
	wf.nodes = [start, hand, ...rest];
	const chain = wf.nodes.map((n) => n.name);
	wf.connections = Object.fromEntries(
		chain.slice(0, -1).map((name, i) => [name, { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] }]),
	);
	return wf;
}

test("a live webhook of a node n8n does not allow-list gets the caller's cookies without n8n's session cookie", async () => {
	// n8n's own Webhook node stands for every node outside the allow-list (the check is on the type)
	const wf = workflow('={{ { cookie: $json.headers.cookie ?? null } }}', []);
	const { triggerUrl } = await api.publish(wf);
	const r = await postJson(triggerUrl, {}, { cookie: `${session}; other=1` });
	expect(r.status).toBe(200);
	expect(r.json).toEqual({ cookie: 'other=1' });
});

test("a waiting webhook (resume URL) gets no session cookie either: n8n's Wait node resumed with one", async () => {
	const wait = {
		id: randomUUID(),
		name: 'Wait',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: [600, 0] as [number, number],
		webhookId: randomUUID(),
		parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
	};
	const done = { ...node(loadFixture('wait-basic'), 'Done'), id: randomUUID() };
	const wf = workflow('={{ { callbackUrl: $execution.resumeUrl, executionId: $execution.id } }}', [wait, done]);
	const { triggerUrl } = await api.publish(wf);
	const started = await scenario.startExecution(triggerUrl);
	const r = await postJson(started.callbackUrl, { approved: true }, { cookie: `other=1; ${session}` });
	expect(r.status).toBe(200);
	const exec = await api.waitForStatus(started.executionId, ['success']);
	const headers = nodeOutput(exec, 'Wait')![0].headers as Record<string, string>;
	expect(headers.cookie).toBe('other=1');
	expect(JSON.stringify(exec.data)).not.toContain(session.split('=')[1]);
});
