/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { rmSync } from 'node:fs';

import { stateFile } from './globalSetup';
import type { E2eGlobal } from './n8n';

export default async function globalTeardown() {
	const instance = (globalThis as E2eGlobal).__ECB_N8N__;
	if (!instance) return;
	await instance.stop();
	rmSync(stateFile(), { force: true });
	if (!process.env.ECB_KEEP_N8N_FOLDER) instance.destroy();
}
