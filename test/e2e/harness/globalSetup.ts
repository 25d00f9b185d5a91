import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, ensureN8n, newInstance, packAndInstall } from './n8n';

export const STATE_FILE = join(ROOT, 'test-artifacts', 'e2e-state.json');

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
		throw error;
	}
	(globalThis as any).__ECB_N8N__ = instance;
	mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
	writeFileSync(STATE_FILE, JSON.stringify({ install, nodesDir, tarball, instance: instance.info }, null, 2));
	process.stdout.write(
		`\n[e2e] n8n ${install.version} up at ${instance.info.baseUrl} in ${Date.now() - t0} ms (log: ${instance.info.logFile})\n`,
	);
}
