import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { apiCall, publishWorkflow, until } from './n8n';
import type { InstanceInfo } from './n8n';

export interface HttpResult {
	status: number;
	headers: Headers;
	text: string;
	json: any;
}

/** Plain HTTP over loopback; never follows redirects. */
export async function http(
	method: string,
	url: string,
	init: { headers?: Record<string, string>; body?: string | Buffer | FormData } = {},
): Promise<HttpResult> {
	const r = await fetch(url, {
		method,
		headers: init.headers,
		body: init.body as any,
		redirect: 'manual',
	});
	const text = await r.text();
	let json: any;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: r.status, headers: r.headers, text, json };
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
	http('POST', url, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

export interface WorkflowJson {
	name: string;
	nodes: Array<{
		id: string;
		name: string;
		type: string;
		typeVersion: number;
		position: [number, number];
		parameters: Record<string, any>;
		webhookId?: string;
	}>;
	connections: Record<string, any>;
	settings?: Record<string, any>;
}

export const WAIT_TYPE = 'n8n-nodes-external-callback.externalCallbackWait';

/** Loads test/e2e/fixtures/<name>.json with fresh node ids, webhook ids and webhook paths. */
export function loadFixture(name: string, vars: Record<string, string> = {}): WorkflowJson {
	let text = readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8');
	const all: Record<string, string> = { PATH: `e2e-${randomUUID()}`, ...vars };
	for (const [k, v] of Object.entries(all)) text = text.split(`__${k}__`).join(v);
	const wf = JSON.parse(text) as WorkflowJson;
	for (const node of wf.nodes) {
		node.id = randomUUID();
		if (node.webhookId !== undefined) node.webhookId = randomUUID();
	}
	wf.name = `${wf.name} ${randomUUID().slice(0, 8)}`;
	return wf;
}

export function node(wf: WorkflowJson, name: string) {
	const n = wf.nodes.find((x) => x.name === name);
	if (!n) throw new Error(`fixture ${wf.name} has no node "${name}"`);
	return n;
}

export interface Execution {
	id: string;
	status: string;
	finished: boolean;
	workflowId: string;
	data?: any;
}

/** Public API client of one n8n instance (X-N8N-API-KEY). */
export class N8nApi {
	constructor(readonly info: InstanceInfo) {}

	get base() {
		return this.info.baseUrl;
	}

	async api(method: string, path: string, body?: unknown): Promise<any> {
		return await apiCall(this.info, method, path, body);
	}

	/** Creates and publishes a workflow, then waits until its trigger webhook answers. */
	async publish(wf: WorkflowJson): Promise<{ id: string; triggerUrl: string }> {
		return await publishWorkflow(this.info, wf);
	}

	async execution(id: string | number, includeData = true): Promise<Execution> {
		return await this.api('GET', `/executions/${id}?includeData=${includeData}`);
	}

	async executions(workflowId: string, status?: string): Promise<Execution[]> {
		const q = new URLSearchParams({ workflowId, limit: '250' });
		if (status) q.set('status', status);
		return (await this.api('GET', `/executions?${q}`)).data;
	}

	async waitForStatus(id: string | number, statuses: string[], timeoutMs = 30_000): Promise<Execution> {
		return await until(
			`execution ${id} to reach ${statuses.join('/')}`,
			async () => {
				const e = await this.execution(id, true);
				// n8n 1.123 briefly reports a resumed execution as `success` (finished: true) while the
				// nodes after the wait are still on its execution stack and missing from its run data
				// (observed: stack length 1, the wait node's last run without a status); done means an
				// empty stack. n8n 2.41.1 never shows that state.
				if (e.status === 'success' && (e.data?.executionData?.nodeExecutionStack?.length ?? 0) > 0) return undefined;
				return statuses.includes(e.status) ? e : undefined;
			},
			timeoutMs,
		);
	}
}

/** The items a node produced on an output in the last run of an execution. */
export function nodeOutput(exec: Execution, nodeName: string, output = 0, run = -1): any[] | undefined {
	const runs = exec.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) return undefined;
	const r = runs.at(run);
	return r?.data?.main?.[output]?.map((i: any) => i.json);
}

export function nodeRuns(exec: Execution, nodeName: string): number {
	return exec.data?.resultData?.runData?.[nodeName]?.length ?? 0;
}
