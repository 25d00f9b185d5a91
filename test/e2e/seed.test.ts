import { paymentSeedScenario } from './harness/scenarios';
import { shared } from './harness/shared';

const { api } = shared();

describe('seed scenario: an order waits for the payment confirmation', () => {
	test('Webhook order → Generate Callback URL → gateway → wait → Complete Order', async () => {
		await paymentSeedScenario(api);
	});
});
