import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { nodeOutput, postJson, type WorkflowJson } from './harness/client';
import { until } from './harness/n8n';
import { shared } from './harness/shared';

const { api } = shared();

const example = (file: string) =>
	JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8')) as WorkflowJson;

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
	await api.api('POST', `/workflows/${id}/deactivate`);
});
