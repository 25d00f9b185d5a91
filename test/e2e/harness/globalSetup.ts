/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type E2eGlobal, ROOT, ensureN8n, newInstance, packAndInstall } from './n8n';

/**
 * Where globalSetup hands the shared n8n to the test files: one file per Jest run (globalSetup
 * names it in ECB_E2E_STATE_FILE, which the test files inherit), so that two runs on one
 * checkout do not read each other's n8n.
 */
export const stateFile = () => process.env.ECB_E2E_STATE_FILE ?? join(ROOT, 'test-artifacts', 'e2e-state.json');

/** Installs n8n (cached), packs the package, starts one shared n8n for all e2e files. */
export default async function globalSetup() {
	const t0 = Date.now();
	const install = ensureN8n();
	const { nodesDir, tarball } = packAndInstall();
	const instance = newInstance(install, { nodesDir });
	try {
		await instance.start();
	} catch (error) {
		await instance.stop();
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- Jest global setup, not a node: the start-up error as it is
		throw error;
	}
	(globalThis as E2eGlobal).__ECB_N8N__ = instance;
	mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
	process.env.ECB_E2E_STATE_FILE ??= join(ROOT, 'test-artifacts', `e2e-state-${process.pid}.json`);
	writeFileSync(stateFile(), JSON.stringify({ install, nodesDir, tarball, instance: instance.info }, null, 2));
	process.stdout.write(
		`\n[e2e] n8n ${install.version} up at ${instance.info.baseUrl} in ${Date.now() - t0} ms (log: ${instance.info.logFile})\n`,
	);
}
