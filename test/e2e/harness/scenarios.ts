/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { expect } from '@jest/globals';

import { loadFixture, nodeOutput, postJson } from './client';
import type { N8nApi } from './client';
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
