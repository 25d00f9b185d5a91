/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nApi } from './harness/client';
import { ensureN8n, newInstance } from './harness/n8n';
import type { N8nInstance } from './harness/n8n';
import { paymentSeedScenario } from './harness/scenarios';

/* eslint-disable @typescript-eslint/no-require-imports */
const { cleanPack } = require('../../scripts/lib/cleanPack.js') as {
	cleanPack: (o?: { log?: (m: string) => void }) => { tarball: string; manifest: { name: string; version: string } };
};
const { startRegistry, publishTarball, installLikeN8n, registryGet } = require('../../scripts/lib/registry.js') as {
	registryGet: (url: string) => Promise<Response>;
	startRegistry: () => Promise<{ url: string; token: string; stop: () => Promise<void> }>;
	publishTarball: (registry: { url: string; token: string }, tarball: string) => void;
	installLikeN8n: (
		registry: { url: string },
		userFolder: string,
		name: string,
		version: string,
	) => Promise<{ packageDir: string; sha512: string }>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * As users get it: the package published from a clean checkout to a registry (verdaccio on
 * loopback), installed by name with the steps n8n's installer runs, loaded by a fresh n8n at
 * start-up, and the payment seed scenario run on it.
 */
describe('installed by name from a registry, as n8n installs community packages', () => {
	let registry: Awaited<ReturnType<typeof startRegistry>>;
	let instance: N8nInstance | undefined;
	const log = (m: string) => process.stdout.write(`[registry] ${m}\n`);

	beforeAll(async () => {
		registry = await startRegistry();
	}, 10 * 60_000);
	afterAll(async () => {
		await instance?.stop();
		if (instance && !process.env.ECB_KEEP_N8N_FOLDER) instance.destroy();
		await registry?.stop();
	});

	test('clean-clone tarball → publish → install by name → n8n loads it → seed scenario', async () => {
		const packed = cleanPack({ log });
		const { name, version } = packed.manifest;
		expect(name).toBe('n8n-nodes-external-callback');
		publishTarball(registry, packed.tarball);

		// the registry serves what was published, under the package's name
		const meta = (await (await registryGet(`${registry.url}/${name}`)).json()) as { 'dist-tags': { latest: string } };
		expect(meta['dist-tags'].latest).toBe(version);

		const userFolder = mkdtempSync(join(tmpdir(), 'ecb-n8n-registry-'));
		const installed = await installLikeN8n(registry, userFolder, name, version);
		// byte for byte the clean-clone tarball
		expect(installed.sha512).toBe(createHash('sha512').update(readFileSync(packed.tarball)).digest('base64'));
		const pkg = JSON.parse(readFileSync(join(installed.packageDir, 'package.json'), 'utf8'));
		expect(pkg.version).toBe(version);
		expect(pkg.peerDependencies).toBeUndefined(); // n8n's installer strips them
		for (const f of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(existsSync(join(installed.packageDir, f))).toBe(true);
		const ledger = JSON.parse(readFileSync(join(userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'));
		expect(ledger.dependencies).toEqual({ [name]: version });

		instance = newInstance(ensureN8n(), { userFolder });
		await instance.start();
		log(`n8n up at ${instance.info.baseUrl} with ${name}@${version} from ${registry.url}`);
		await paymentSeedScenario(new N8nApi(instance.info));
	}, 15 * 60_000);
});
