/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';

import { listExecutions, request } from '../../../scripts/lib/http';

import { apiCall, publishWorkflow, until } from './n8n';
import type { InstanceInfo } from './n8n';

/**
 * A JSON answer as the tests read it: the fields they look at, typed as the package's errors
 * ({ code, message }) and the fixture workflows' answers give them, plus any other field as
 * unknown. Typed, not checked: every test asserts the values (and the status) itself.
 */
export interface JsonAnswer {
	[field: string]: unknown;
	code: number;
	message: string;
	error: string;
	executionId: string;
	callbackUrl: string;
	approvalUrl: string;
	expiresAt: string;
	requestId: string;
	orderId: string;
	failUrl: string;
	methods: string[];
	/** two-waits: the callback URLs of its first and second wait node. */
	first: string;
	second: string;
}

export interface HttpResult {
	status: number;
	headers: Headers;
	text: string;
	/** The parsed body; undefined when it is empty or not JSON (the type does not say so). */
	json: JsonAnswer;
}

/** Node's headers object as a fetch `Headers` (what the tests read: `.get()`, `.forEach()`). */
function toHeaders(raw: IncomingHttpHeaders): Headers {
	const h = new Headers();
	for (const [name, value] of Object.entries(raw)) {
		if (value === undefined) continue;
		for (const v of Array.isArray(value) ? value : [value]) h.append(name, v);
	}
	return h;
}

/**
 * Plain HTTP over loopback through the scripts' one client (scripts/lib/http.js: keep-alive,
 * never follows redirects). A FormData body is encoded as fetch would (multipart, its boundary).
 */
export async function http(
	method: string,
	url: string,
	init: { headers?: Record<string, string>; body?: string | Buffer | FormData } = {},
): Promise<HttpResult> {
	let body: string | Buffer | undefined;
	const headers = { ...init.headers };
	if (init.body instanceof FormData) {
		const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: init.body });
		body = Buffer.from(await encoded.arrayBuffer());
		headers['content-type'] = encoded.headers.get('content-type')!;
	} else body = init.body;
	const r = await request(method, url, { headers, body });
	let json: JsonAnswer | undefined;
	try {
		json = r.text ? (JSON.parse(r.text) as JsonAnswer) : undefined;
	} catch {
		json = undefined;
	}
	return { status: r.status, headers: toHeaders(r.headers), text: r.text, json: json as JsonAnswer };
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
	http('POST', url, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, unknown>;
}

export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
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

/**
 * The json of a node's output item as the tests read it: the fields they look into, typed as the
 * package's nodes output them (data, user, headers, …), any other field unknown. Typed, not
 * checked: the tests assert the values.
 */
export interface OutputJson {
	[field: string]: unknown;
	data: Record<string, unknown>;
	user: Record<string, unknown>;
	headers: Record<string, string>;
	query: Record<string, unknown>;
	method: string;
	executionId: string;
	receivedAt: string;
	timedOut: boolean;
	/** Generate Callback URL */
	callbackUrl: string;
	expiresAt: string;
	state: string;
	stateParameter: string;
}

export interface OutputItem {
	json: OutputJson;
	/** n8n's binary data entries (mimeType, fileName, fileSize, …). */
	binary: Record<string, Record<string, string>>;
}

/** One run of a node (n8n's ITaskData), as far as the tests read it. */
export interface NodeRun {
	[field: string]: unknown;
	data: { main: OutputItem[][] };
}

/**
 * An execution of n8n's public API read with includeData=true, as far as the tests read it.
 * Typed, not checked (a field the tests look into is declared present): the tests assert it.
 */
export interface Execution {
	id: string;
	status: string;
	finished: boolean;
	workflowId: string;
	data: {
		resumeToken?: string;
		resultData: { runData: Record<string, NodeRun[]>; lastNodeExecuted: string; error: { message: string } };
		executionData?: { nodeExecutionStack?: unknown[] };
	};
	workflowData?: { nodes?: Array<{ name: string; type: string }> };
}

/** A workflow of the public API with its nodes' static data (where the stable URL keeps its any hint). */
export interface WorkflowWithStaticData {
	staticData?: Record<string, { oldestWaitingId?: number } | undefined> | null;
}

/** An answer of n8n's public API (a created credential or workflow, …) as the tests read it. */
export interface ApiAnswer {
	[field: string]: unknown;
	id: string;
	name: string;
}

/** Public API client of one n8n instance (X-N8N-API-KEY). */
export class N8nApi {
	constructor(readonly info: InstanceInfo) {}

	get base() {
		return this.info.baseUrl;
	}

	/** `T`: the answer's shape as the caller reads it (typed, not checked). */
	async api<T = ApiAnswer>(method: string, path: string, body?: unknown): Promise<T> {
		return (await apiCall(this.info, method, path, body)) as T;
	}

	/** Creates and publishes a workflow, then waits until its trigger webhook answers. */
	async publish(wf: WorkflowJson): Promise<{ id: string; triggerUrl: string }> {
		return await publishWorkflow(this.info, wf);
	}

	async execution(id: string | number, includeData = true): Promise<Execution> {
		return await this.api<Execution>('GET', `/executions/${id}?includeData=${includeData}`);
	}

	/** The newest 250 executions of a workflow (one page of the public API's list). */
	async executions(workflowId: string, status?: string): Promise<Execution[]> {
		return (await listExecutions(this.info, workflowId, { status, maxPages: 1 })) as Execution[];
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

/**
 * The items a node produced on an output in the last run of an execution. `T`: their json as the
 * caller reads it (typed, not checked).
 */
export function nodeOutput<T = OutputJson>(exec: Execution, nodeName: string, output = 0, run = -1): T[] | undefined {
	const runs = exec.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) return undefined;
	const r = runs.at(run);
	return r?.data?.main?.[output]?.map((i) => i.json as T);
}

export function nodeRuns(exec: Execution, nodeName: string): number {
	return exec.data?.resultData?.runData?.[nodeName]?.length ?? 0;
}
