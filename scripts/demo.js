#!/usr/bin/env node
// `npm run demo`: a local n8n (embedded SQLite) with this package installed from its packed
// tarball and the example "order waits for payment confirmation" workflow published.
// Runs until Ctrl-C. State lives in .n8n-demo/ (git-ignored); delete it to start over.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { request } = require('./lib/http');
const { ROOT, N8nInstance, ensureN8n, packAndInstall, until } = require('./lib/n8n');

const DEMO_DIR = path.join(ROOT, '.n8n-demo');
const PORT = Number(process.env.DEMO_PORT || 5678);
const OWNER = { email: 'demo@example.com', firstName: 'Demo', lastName: 'User', password: 'Demo-Passw0rd' };
const CONFIRMATION = { data: [{ name: 'shampoo', price: 9.95 }, { name: 'conditioner', price: 12.5 }] };

async function main() {
	console.log('[demo] checking the n8n install (the first run installs it into the cache: several minutes)');
	const install = ensureN8n();
	console.log('[demo] packing the package and installing it as a user would');
	const { nodesDir } = packAndInstall();
	const n8n = new N8nInstance(install, { nodesDir, userFolder: DEMO_DIR, port: PORT, owner: OWNER });
	const stop = async () => {
		console.log('\n[demo] stopping n8n');
		await n8n.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	console.log(`[demo] starting n8n on http://127.0.0.1:${PORT} (log: ${path.join(DEMO_DIR, 'n8n.log')})`);
	await n8n.start();

	const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/payment-confirmation.json'), 'utf8'));
	const existing = (await n8n.api('GET', '/workflows?limit=250')).data.filter((w) => w.name === example.name);
	for (const w of existing) {
		// n8n refuses to delete a published workflow: unpublish the previous run's copy first
		// (asynchronously: the delete is retried until n8n has finished unpublishing)
		if (w.active) await n8n.api('POST', `/workflows/${w.id}/deactivate`);
		await until(`workflow ${w.id} to be deleted`, () => n8n.api('DELETE', `/workflows/${w.id}`).then(() => true), 30000, 500);
	}
	const { triggerUrl } = await n8n.publish(example);

	// Place one order so that a ready-made confirmation call can be printed.
	const placed = JSON.parse((await request('POST', triggerUrl, { body: { orderId: 'ORD-1', total: 22.45 } })).text);
	const confirm = `curl -X POST '${placed.callbackUrl}' \\\n  -H 'content-type: application/json' \\\n  -d '${JSON.stringify(CONFIRMATION)}'`;

	console.log(`
n8n is running with n8n-nodes-external-callback installed.

  Editor:    http://127.0.0.1:${PORT}   (log in as ${OWNER.email} / ${OWNER.password})
  Workflow:  "${example.name}" (published)

Place an order (the reply holds the order's unguessable callback URL):

  curl -X POST '${triggerUrl}' \\
    -H 'content-type: application/json' -d '{"orderId":"ORD-2","total":22.45}'

Order ORD-1 was placed for you and is waiting. Confirm its payment as the gateway would:

  ${confirm}

Then open Executions in the editor: ORD-1 ends in "Complete Order" (products: shampoo,
conditioner; paidTotal: 22.45). Unpaid orders are cancelled after an hour.

Press Ctrl-C to stop.`);
}

main().catch((e) => {
	console.error(`[demo] failed: ${e.message}`);
	process.exit(1);
});
