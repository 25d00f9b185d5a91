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

export interface N8nInstance {
	info: InstanceInfo;
	start(): Promise<InstanceInfo>;
	stop(): Promise<void>;
	restart(options?: { waitFor?: 'ready' | 'listening' | 'started' }): Promise<void>;
	destroy(): void;
	logTail(lines?: number): string;
	api(method: string, path: string, body?: unknown): Promise<any>;
	publish(wf: unknown): Promise<{ id: string; triggerUrl: string }>;
}

export const ROOT: string = lib.ROOT;
export const ensureN8n: (version?: string) => N8nInstall = lib.ensureN8n;
export const packAndInstall: () => { nodesDir: string; tarball: string } = lib.packAndInstall;
export const freePort: () => Promise<number> = lib.freePort;
export const sleep: (ms: number) => Promise<void> = lib.sleep;
export const until: <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number, intervalMs?: number) => Promise<T> =
	lib.until;
export const apiCall: (info: InstanceInfo, method: string, path: string, body?: unknown) => Promise<any> = lib.api;
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
