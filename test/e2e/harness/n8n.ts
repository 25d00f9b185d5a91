/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
// Typed view of scripts/lib/n8n.js (types: scripts/lib/n8n.d.ts), the one implementation shared
// with `npm run demo` and `npm run bench`; the names the e2e files use.
import { N8nInstance, api, publish, startQueueCluster } from '../../../scripts/lib/n8n';
import type { InstanceOptions, N8nInstall } from '../../../scripts/lib/n8n';

export { ROOT, ensureN8n, freePort, packAndInstall, sleep, until } from '../../../scripts/lib/n8n';
export type { InstanceInfo, N8nInstall, N8nInstance, QueueCluster } from '../../../scripts/lib/n8n';
export { startQueueCluster };

/** Jest's global setup hands the shared n8n to its teardown on the global object. */
export type E2eGlobal = typeof globalThis & { __ECB_N8N__?: N8nInstance };

export const apiCall = api;
export const publishWorkflow = publish;
export const newInstance = (install: N8nInstall, options: InstanceOptions = {}): N8nInstance => new N8nInstance(install, options);
