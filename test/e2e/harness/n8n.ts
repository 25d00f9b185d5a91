/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
// Typed view of scripts/lib/n8n.js, the one implementation shared with `npm run demo`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../../scripts/lib/n8n.js');

export interface N8nInstall {
	nodeBin: string;
	n8nBin: string;
	version: string;
}

export interface InstanceInfo {
	baseUrl: string;
	port: number;
	pid: number;
	userFolder: string;
	logFile: string;
	apiKey: string;
	cookie: string;
	/** 1 for the 1.123 LTS line, 2 for 2.41.1 */
	n8nMajor: number;
}

/** Jest's global setup hands the shared n8n to its teardown on the global object. */
export type E2eGlobal = typeof globalThis & { __ECB_N8N__?: N8nInstance };

export interface N8nInstance {
	info: InstanceInfo;
	start(): Promise<InstanceInfo>;
	stop(): Promise<void>;
	restart(options?: { waitFor?: 'ready' | 'listening' | 'started' }): Promise<void>;
	destroy(): void;
	logTail(lines?: number): string;
	api(method: string, path: string, body?: unknown): Promise<unknown>;
	publish(wf: unknown): Promise<{ id: string; triggerUrl: string }>;
}

export const ROOT: string = lib.ROOT;
export const ensureN8n: (version?: string) => N8nInstall = lib.ensureN8n;
export const packAndInstall: () => { nodesDir: string; tarball: string } = lib.packAndInstall;
export const freePort: () => Promise<number> = lib.freePort;
export const sleep: (ms: number) => Promise<void> = lib.sleep;
export const until: <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number, intervalMs?: number) => Promise<T> =
	lib.until;
export const apiCall: (info: InstanceInfo, method: string, path: string, body?: unknown) => Promise<unknown> = lib.api;
export const publishWorkflow: (info: InstanceInfo, wf: unknown) => Promise<{ id: string; triggerUrl: string }> =
	lib.publish;
export interface QueueCluster {
	info: InstanceInfo & { webhookBaseUrl: string };
	stop(): Promise<void>;
	destroy(): void;
	logTail(n?: number): string;
}
export const startQueueCluster: (
	install: N8nInstall,
	nodesDir: string,
	options: { pgPort: number; redisPort: number; workers?: number },
) => Promise<QueueCluster> = lib.startQueueCluster;
export const newInstance = (
	install: N8nInstall,
	options: { nodesDir?: string; userFolder?: string; port?: number; extraEnv?: Record<string, string> } = {},
): N8nInstance => new lib.N8nInstance(install, options);
