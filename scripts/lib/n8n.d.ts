// Types of scripts/lib/n8n.js: the one n8n control API of the demo, the benchmark and the e2e
// harness (test/e2e/harness/n8n.ts re-exports it).

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
	/** queue mode: the webhook processor's base URL */
	webhookBaseUrl?: string;
}

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

export interface InstanceOptions {
	nodesDir?: string;
	userFolder?: string;
	port?: number;
	owner?: Owner;
	extraEnv?: Record<string, string>;
	logToConsole?: boolean;
	/** n8n's command: 'start' (default), 'worker' or 'webhook' */
	command?: 'start' | 'worker' | 'webhook';
	skipOwner?: boolean;
}

export interface SpawnOptions {
	waitFor?: 'ready' | 'listening' | 'started';
}

/** A workflow as the public API takes it (the harness's WorkflowJson fits). */
export interface WorkflowInput {
	name: string;
	nodes: Array<{ type: string; parameters: Record<string, unknown> }>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

export interface Published {
	id: string;
	triggerUrl: string;
}

export class N8nInstance {
	constructor(install: N8nInstall, options?: InstanceOptions);
	readonly install: N8nInstall;
	readonly options: InstanceOptions;
	info: InstanceInfo;
	readonly command: 'start' | 'worker' | 'webhook';
	start(): Promise<InstanceInfo>;
	env(): Record<string, string | undefined>;
	spawn(options?: SpawnOptions): Promise<void>;
	stop(): Promise<void>;
	restart(options?: SpawnOptions): Promise<void>;
	destroy(): void;
	logTail(lines?: number): string;
	setupOwner(): Promise<void>;
	api(method: string, path: string, body?: unknown): Promise<unknown>;
	publish(wf: WorkflowInput): Promise<Published>;
}

export interface QueueCluster {
	main: N8nInstance;
	processes: N8nInstance[];
	info: InstanceInfo & { webhookBaseUrl: string };
	stop(): Promise<void>;
	destroy(): void;
	logTail(n?: number): string;
}

export const ROOT: string;
export const OWNER: Owner;
export function majorOf(install: Pick<N8nInstall, 'version'>): number;
export function ensureN8n(version?: string, options?: { quiet?: boolean }): N8nInstall;
export function packAndInstall(): { nodesDir: string; tarball: string };
export function freePort(): Promise<number>;
export function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs?: number, intervalMs?: number): Promise<T>;
export function sleep(ms: number): Promise<void>;
export function api(info: InstanceInfo, method: string, path: string, body?: unknown): Promise<unknown>;
export function publish(info: InstanceInfo, wf: WorkflowInput): Promise<Published>;
export function startQueueCluster(
	install: N8nInstall,
	nodesDir: string,
	/** extraEnv: n8n settings for every process of the cluster */
	options: { pgPort: number; redisPort: number; workers?: number; extraEnv?: Record<string, string> },
): Promise<QueueCluster>;
