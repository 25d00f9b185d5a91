/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { http, loadFixture, node, nodeOutput, nodeRuns, postJson } from './client';
import type { JsonAnswer, N8nApi, OutputJson, WorkflowJson, WorkflowNode } from './client';
import { FakeServer } from './fakeServer';
import { sleep, until } from './n8n';

/** The seed's orders payload, as the payment gateway confirms it. */
export const CONFIRMATION = {
	data: [
		{ name: 'shampoo', price: 9.95 },
		{ name: 'conditioner', price: 12.5 },
	],
};

/**
 * The seed scenario on an n8n instance: Webhook order → Generate Callback URL → a fake payment
 * gateway (answers 202, then confirms to the callback URL in the background, retrying any non-2xx
 * like a real gateway) → External Callback Wait → Complete Order. Asserts every step.
 */
export async function paymentSeedScenario(api: N8nApi): Promise<void> {
	const callbacks: Array<{ status: number; attempt: number }> = [];
	const gateway = new FakeServer((req, res) => {
		res.writeHead(202, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ accepted: true }));
		const { callbackUrl } = JSON.parse(req.body) as { callbackUrl: string };
		void (async () => {
			for (let attempt = 1; attempt <= 40; attempt++) {
				await sleep(250);
				const r = await postJson(callbackUrl, CONFIRMATION);
				callbacks.push({ status: r.status, attempt });
				if (r.status >= 200 && r.status < 300) return;
			}
		})();
	});
	await gateway.start();
	try {
		const wf = loadFixture('seed-order', { GATEWAY: gateway.url });
		const { id: workflowId, triggerUrl } = await api.publish(wf);

		const order = await postJson(triggerUrl, { orderId: 'ORD-1001', total: 22.45 });
		expect(order.status).toBe(200);

		const [exec] = await until('the order execution to finish', async () => {
			const list = await api.executions(workflowId, 'success');
			return list.length ? list : undefined;
		});
		const full = await api.execution(exec.id);
		expect(full.status).toBe('success');

		// The gateway got the unguessable callback URL of this execution.
		expect(gateway.requests).toHaveLength(1);
		const payment = JSON.parse(gateway.requests[0].body);
		expect(payment).toMatchObject({ orderId: 'ORD-1001', amount: 22.45 });
		expect(payment.callbackUrl).toMatch(new RegExp(`/webhook-waiting/${exec.id}/[0-9a-f-]{36}\\?signature=[0-9a-f]{32,}$`));

		const waitOut = nodeOutput<{ data: { data: Array<{ name: string }> } }>(full, 'Wait for Payment')![0];
		expect(waitOut.data).toEqual(CONFIRMATION);
		expect(waitOut.data.data[0].name).toBe('shampoo');

		const [completed] = nodeOutput(full, 'Complete Order')!;
		expect(completed).toEqual({ orderId: 'ORD-1001', firstProduct: 'shampoo', paidTotal: 22.45, status: 'complete' });
		expect(callbacks.at(-1)!.status).toBe(200);
	} finally {
		await gateway.stop();
	}
}

/** What a fixture's trigger answers when an execution starts (wait-basic: its URLs and id). */
export type Started = JsonAnswer & {
	/** with `readGenerated`: the Generate Callback URL node's output item */
	generated: OutputJson;
};

export interface WaitSetup {
	/** default wait-basic (Webhook → Generate Callback URL → Respond → External Callback Wait → Done) */
	fixture?: string;
	/** the wait node's parameters (replace the fixture's; default none) */
	wait?: Record<string, unknown>;
	/** the wait node's typeVersion (default: the fixture's, 1) */
	waitVersion?: number;
	waitCredentials?: Record<string, unknown>;
	/** the generator's parameters (replace the fixture's when given) */
	generate?: Record<string, unknown>;
	generateCredentials?: Record<string, unknown>;
	/** the orderId `start()` sends by default (default o-1) */
	orderId?: string;
	/** `start()` also reads the execution and returns the generator's output as `generated` */
	readGenerated?: boolean;
}

export interface PublishedWait {
	workflowId: string;
	triggerUrl: string;
	wf: WorkflowJson;
	/** the External Callback Wait node as published (its id, webhookId, parameters) */
	wait: WorkflowNode;
	/** the wait node's stable URL (live when the wait node has `stableUrl: true`) */
	stableUrl: string;
	/**
	 * Starts one execution and waits until it waits. An orderId, or a body merged over
	 * { orderId: <the default> }.
	 */
	start: (order?: string | Record<string, unknown>) => Promise<Started>;
}

/**
 * The helpers every e2e file shares, bound to one n8n: publish a fixture with the wait node
 * configured, start executions until they wait, check one is still waiting, make credentials.
 */
export function scenarios(api: N8nApi) {
	const logTail = (n = 80) => {
		try {
			return readFileSync(api.info.logFile, 'utf8').split('\n').slice(-n).join('\n');
		} catch {
			return '(no log)';
		}
	};

	/** POSTs `body` to a trigger, expects 200 with an execution id, waits until that execution waits. */
	async function startExecution(triggerUrl: string, body: unknown = { orderId: 'o-1' }): Promise<JsonAnswer> {
		const r = await postJson(triggerUrl, body);
		if (r.status !== 200 || !r.json?.executionId) throw new Error(`start failed ${r.status} ${r.text}\n${logTail()}`);
		await api.waitForStatus(r.json.executionId, ['waiting']);
		return r.json;
	}

	/** Until a stable URL is live (a call without an execution answers 400). */
	async function waitForStableUrl(stableUrl: string, what = `stable URL ${stableUrl}`): Promise<void> {
		await until(what, async () => ((await http('GET', stableUrl)).status === 400 ? true : undefined));
	}

	/** Publishes a fixture with the wait node (and generator) configured; returns a starter. */
	async function publishWait(setup: WaitSetup = {}): Promise<PublishedWait> {
		const wf = loadFixture(setup.fixture ?? 'wait-basic');
		const wait = node(wf, 'External Callback Wait');
		wait.parameters = setup.wait ?? {};
		if (setup.waitVersion !== undefined) wait.typeVersion = setup.waitVersion;
		if (setup.waitCredentials) wait.credentials = setup.waitCredentials;
		if (setup.generate || setup.generateCredentials) {
			const gen = node(wf, 'Generate Callback URL');
			if (setup.generate) gen.parameters = setup.generate;
			if (setup.generateCredentials) gen.credentials = setup.generateCredentials;
		}
		const { id, triggerUrl } = await api.publish(wf);
		const stableUrl = `${api.base}/webhook/${wait.webhookId}/callback`;
		if (wait.parameters.stableUrl === true) await waitForStableUrl(stableUrl);
		const orderId = setup.orderId ?? 'o-1';
		const start = async (order?: string | Record<string, unknown>): Promise<Started> => {
			const body = typeof order === 'string' ? { orderId: order } : { orderId, ...order };
			const started = await startExecution(triggerUrl, body);
			if (!setup.readGenerated) return started as Started;
			const exec = await api.execution(started.executionId);
			return { ...started, generated: nodeOutput(exec, 'Generate Callback URL')![0] };
		};
		return { workflowId: id, triggerUrl, wf, wait, stableUrl, start };
	}

	/** The execution is still waiting at its wait node: nothing after it (Done) ran. */
	async function expectStillWaiting(executionId: string): Promise<void> {
		const exec = await api.execution(executionId);
		expect(exec.status).toBe('waiting');
		expect(nodeRuns(exec, 'Done')).toBe(0);
	}

	/** The Done node's output item once the execution finished with success. */
	async function doneOutput(executionId: string): Promise<OutputJson> {
		return nodeOutput(await api.waitForStatus(executionId, ['success']), 'Done')![0];
	}

	/** A credential made through the public API (the REST API on 1.x): its { id, name }. */
	async function credential(type: string, data: Record<string, unknown>): Promise<{ id: string; name: string }> {
		const created = await api.api('POST', '/credentials', { name: `${type} ${randomUUID().slice(0, 6)}`, type, data });
		return { id: created.id, name: created.name };
	}

	return { logTail, startExecution, waitForStableUrl, publishWait, expectStillWaiting, doneOutput, credential };
}

/** The results of a runPool in index order; throws the first task error (as Promise.all would). */
export function allOrThrow<R>({ results }: { results: Array<R | { error: unknown }> }): R[] {
	const failed = results.find((r): r is { error: unknown } => typeof r === 'object' && r !== null && 'error' in r && Object.keys(r).length === 1);
	if (failed) throw failed.error;
	return results as R[];
}
