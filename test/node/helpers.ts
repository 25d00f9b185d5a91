/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- test code: runs in Jest on Node, never inside n8n; evaluates n8n expressions (`{{ … }}`) with Function, as n8n's own expression engine does */
/**
 * Mocked n8n contexts for the node tier (test/node/): each node's execute() and webhook() run
 * against `mock<IExecuteFunctions>()` / `mock<IWebhookFunctions>()` from jest-mock-extended,
 * with what n8n itself would hand them (parameters with the description's defaults, the request,
 * a recording response, credentials, static data, `$execution.resumeUrl`, helpers.httpRequest).
 *
 * `FakeN8n` answers helpers.httpRequest the way n8n 2.41 (or 1.123) does on loopback: the
 * public API's executions (newest first, `{ lastId, limit }` cursors), `/healthz/readiness`,
 * and `/webhook-waiting/<id>/<suffix>` (n8n's resume-token check, then the wait node's own
 * webhook() in that execution, in process). Shapes: ../shared/notes/n8n-runtime-facts.md.
 * Nothing here opens a socket.
 */
import { createHash } from 'node:crypto';
import { forgetReadiness } from '../../nodes/callback/n8n/incoming';
import { clearHints } from '../../nodes/callback/targeting/hints';
import { type MockProxy, mock } from 'jest-mock-extended';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

export const BASE = 'http://127.0.0.1:5678';
export const WORKFLOW_ID = 'wf-orders';
export const PACKAGE = 'n8n-nodes-external-callback';
export const WAIT_TYPE = `${PACKAGE}.externalCallbackWait`;
export const GENERATE_TYPE = `${PACKAGE}.generateCallbackUrl`;
export const TRIGGER_TYPE = `${PACKAGE}.externalCallbackTrigger`;
/** The wait node as it stands in the workflow (its id is the resume URL's path suffix). */
export const WAIT_NODE = { id: '8a1f3c2e-wait', name: 'Wait for Payment', webhookId: '5d0e-stable-hook' };
export const GENERATOR_NAME = 'Generate Callback URL';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
export const N8N_API_KEY = 'n8n_api_test_key_0001';
/** The headers of a JSON body. */
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A resume token of the shape n8n 2.x gives each execution (64 hex characters). */
export function tokenFor(executionId: string): string {
	return createHash('sha256').update(`resume-token:${executionId}`).digest('hex');
}

/** `$execution.resumeUrl` on n8n 2.x (with the token) or 1.x (without). */
export function n8nResumeUrl(executionId: string, version: 1 | 2 = 2): string {
	const url = `${BASE}/webhook-waiting/${executionId}`;
	return version === 2 ? `${url}?signature=${tokenFor(executionId)}` : url;
}

// ---- parameters ---------------------------------------------------------------------------------

/** The defaults of a node's top-level properties, as n8n fills them in for unset parameters. */
export function defaultsOf(node: INodeType): IDataObject {
	const out: IDataObject = {};
	for (const p of node.description.properties as INodeProperties[]) {
		if (p.type === 'notice') continue;
		out[p.name] = p.default as IDataObject[string];
	}
	return out;
}

function atPath(source: IDataObject, path: string): unknown {
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as IDataObject)[key];
	}
	return current;
}

/** n8n's lookup: the parameter's value (default filled in), else the caller's fallback. */
function parameter(params: IDataObject, name: string, fallback: unknown): unknown {
	const value = atPath(params, name);
	return value === undefined ? fallback : value;
}

// ---- expressions --------------------------------------------------------------------------------

export interface GeneratorRun {
	/** Node name (default GENERATOR_NAME). */
	name?: string;
	/** Its "Wait Node" parameter ('' targets the next wait node). */
	waitNode?: string;
	disabled?: boolean;
	/** Its last output item's json; undefined: the node has not run in this execution. */
	output?: IDataObject;
}

interface ExpressionScope {
	resumeUrl: string;
	json: IDataObject;
	nodes: Record<string, IDataObject | undefined>;
}

const BASE64_DECODE = /"([A-Za-z0-9+/=]*)"\.base64Decode\(\)/g;

function evaluateBlock(code: string, scope: ExpressionScope): unknown {
	const $ = (name: string) => {
		if (!(name in scope.nodes)) throw new Error(`Referenced node doesn't exist: ${name}`);
		const json = scope.nodes[name];
		return {
			isExecuted: json !== undefined,
			last: () => {
				if (json === undefined) throw new Error(`Node "${name}" has not run`);
				return { json };
			},
		};
	};
	const b64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');
	const source = code.replace(BASE64_DECODE, (_m, text: string) => `__b64(${JSON.stringify(text)})`);
	const run = new Function('$json', '$', '$execution', '__b64', `return (${source});`) as (...args: unknown[]) => unknown;
	return run(scope.json, $, { id: '', resumeUrl: scope.resumeUrl }, b64);
}

/**
 * n8n's evaluateExpression for the expressions these nodes evaluate: `$execution.resumeUrl`,
 * `$json` (the waiting item), `$("Node").isExecuted / .last().json`, and a condition with its
 * `$callback` inlined (`JSON.parse("…".base64Decode())`). One `{{ }}` block returns its value.
 */
export function evaluate(expression: string, scope: ExpressionScope): unknown {
	const text = expression.startsWith('=') ? expression.slice(1) : expression;
	const whole = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
	if (whole && !whole[1].includes('{{')) return evaluateBlock(whole[1], scope);
	return text.replace(/\{\{([\s\S]*?)\}\}/g, (_m, code: string) => String(evaluateBlock(code, scope)));
}

// ---- request and response -----------------------------------------------------------------------

export interface CallSpec {
	method?: string;
	headers?: Record<string, string | string[]>;
	query?: IDataObject;
	/** The body n8n parsed (JSON, form fields, text; multipart: `{ data, files }`). */
	body?: unknown;
	/** The exact bytes (default: the JSON/text of `body` for a body-carrying call). */
	raw?: Buffer | string;
	/** Local address the call arrived on (how the node finds its own n8n). */
	localPort?: number;
}

export type Request = ReturnType<IWebhookFunctions['getRequestObject']>;
export type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

const N8N_PARSED = /^(application\/json|application\/x-www-form-urlencoded|text\/plain)$/;

/** A request as n8n's body parser leaves it: parsed types have rawBody; others need readRawBody(). */
export function makeRequest(call: CallSpec) {
	const method = (call.method ?? (call.body === undefined ? 'GET' : 'POST')).toUpperCase();
	const headers: Record<string, string | string[]> = {};
	for (const [k, v] of Object.entries(call.headers ?? {})) headers[k.toLowerCase()] = v;
	const contentType = String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	let raw: Buffer | undefined;
	if (call.raw !== undefined) raw = Buffer.isBuffer(call.raw) ? call.raw : Buffer.from(call.raw, 'utf8');
	else if (call.body !== undefined && contentType !== 'multipart/form-data') {
		raw = Buffer.from(
			typeof call.body === 'string'
				? call.body
				: contentType === 'application/x-www-form-urlencoded'
					? new URLSearchParams(call.body as Record<string, string>).toString()
					: JSON.stringify(call.body),
			'utf8',
		);
	}
	if (raw && headers['content-length'] === undefined) headers['content-length'] = String(raw.length);
	const query = call.query ?? {};
	const search = new URLSearchParams();
	for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
	const qs = search.toString();
	const req = {
		method,
		url: `/webhook${qs ? `?${qs}` : ''}`,
		originalUrl: `/webhook${qs ? `?${qs}` : ''}`,
		headers,
		query,
		body: call.body ?? {},
		contentType: contentType || undefined,
		rawBody: N8N_PARSED.test(contentType) ? raw : undefined,
		readRawBody: jest.fn(async () => {
			req.rawBody = raw;
		}),
		socket: { localPort: call.localPort ?? 5678, localAddress: '::ffff:127.0.0.1' },
	};
	return req;
}

/** Records what the node writes to express's response (status, headers, body), as express would. */
export class FakeResponse {
	statusCode = 200;
	headers: Record<string, string> = {};
	body: unknown = undefined;
	headersSent = false;
	status = jest.fn((code: number) => {
		this.statusCode = code;
		return this;
	});
	setHeader = jest.fn((name: string, value: string | number | readonly string[]) => {
		this.headers[name.toLowerCase()] = String(value);
		return this;
	});
	json = jest.fn((body: unknown) => {
		this.headers['content-type'] ??= 'application/json; charset=utf-8';
		this.body = body;
		this.headersSent = true;
		return this;
	});
	end = jest.fn((body?: unknown) => {
		this.body = body;
		this.headersSent = true;
		return this;
	});
	/** The JSON body written with json() or end(text). */
	get jsonBody(): unknown {
		return typeof this.body === 'string' && this.body ? JSON.parse(this.body) : this.body;
	}
}

// ---- the n8n around a webhook() call ---------------------------------------------------------------

export type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export interface WebhookSetup {
	node: INodeType;
	/** Parameters set on the node (the description's defaults fill the rest). */
	params?: IDataObject;
	/** 'default' (resume URL / trigger), 'fail' or 'stable'. */
	webhookName?: string;
	call?: CallSpec;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	executionId?: string;
	/** `$execution.resumeUrl` (default: n8n 2.x's for executionId). */
	resumeUrl?: string;
	/** The waiting item ($json). */
	waitingItem?: IDataObject;
	generators?: GeneratorRun[];
	http?: HttpRequest;
	staticData?: IDataObject;
	workflowId?: string;
	nodeInfo?: { id?: string; name?: string; type?: string; typeVersion?: number };
}

export interface WebhookHarness {
	ctx: MockProxy<IWebhookFunctions>;
	req: ReturnType<typeof makeRequest>;
	res: FakeResponse;
	http: jest.Mock<Promise<unknown>, [IHttpRequestOptions]>;
	logger: Record<'warn' | 'info' | 'debug' | 'error', jest.Mock>;
	staticData: IDataObject;
	prepareBinaryData: jest.Mock;
	copyBinaryFile: jest.Mock;
	node: INode;
}

/** The Generate Callback URL runs before this node, each with its name (default GENERATOR_NAME). */
function namedGenerators(generators: GeneratorRun[] = []): Array<GeneratorRun & { name: string }> {
	return generators.map((g) => ({ ...g, name: g.name ?? GENERATOR_NAME }));
}

/** getParentNodes(): those Generate Callback URL nodes, as n8n lists a node's parents. */
function parentGenerators(generators: Array<GeneratorRun & { name: string }>) {
	return generators.map((g) => ({
		name: g.name,
		type: GENERATE_TYPE,
		typeVersion: 1,
		disabled: g.disabled ?? false,
		parameters: { waitNode: g.waitNode ?? '' },
	}));
}

/** getCredentials(type): the credential set on the node, or the error n8n throws when there is none. */
function credentialsOf(credentials: Record<string, ICredentialDataDecryptedObject> | undefined, nodeName: string) {
	return async (type: string) => {
		const credential = credentials?.[type];
		if (!credential) throw new Error(`Node "${nodeName}" does not have any credentials of type "${type}" set`);
		return credential as never;
	};
}

export function webhookContext(setup: WebhookSetup): WebhookHarness {
	const params: IDataObject = { ...defaultsOf(setup.node), ...setup.params };
	const executionId = setup.executionId ?? '101';
	const req = makeRequest(setup.call ?? {});
	const res = new FakeResponse();
	const staticData = setup.staticData ?? {};
	const generators = namedGenerators(setup.generators);
	const nodeInfo = setup.nodeInfo ?? {};
	const node: INode = {
		id: nodeInfo.id ?? WAIT_NODE.id,
		name: nodeInfo.name ?? WAIT_NODE.name,
		type: nodeInfo.type ?? WAIT_TYPE,
		// the version class's own version (External Callback Wait has 1 and 2)
		typeVersion: nodeInfo.typeVersion ?? (typeof setup.node.description.version === 'number' ? setup.node.description.version : 1),
		position: [0, 0],
		webhookId: WAIT_NODE.webhookId,
		parameters: params as INode['parameters'],
	};
	const scope: ExpressionScope = {
		resumeUrl: setup.resumeUrl ?? n8nResumeUrl(executionId),
		json: setup.waitingItem ?? {},
		nodes: Object.fromEntries(generators.map((g) => [g.name, g.output])),
	};
	const http = jest.fn(setup.http ?? unreachable);
	const logger = { warn: jest.fn(), info: jest.fn(), debug: jest.fn(), error: jest.fn() };
	const prepareBinaryData = jest.fn(async (buffer: Buffer, fileName?: string, mimeType?: string) => ({
		data: buffer.toString('base64'),
		mimeType: mimeType ?? 'application/octet-stream',
		fileName,
		fileSize: String(buffer.length),
	}));
	const copyBinaryFile = jest.fn(async (filePath: string, fileName: string, mimeType?: string) => ({
		data: '',
		id: `filesystem-v2:${filePath}`,
		fileName,
		mimeType: mimeType ?? 'application/octet-stream',
	}));
	const ctx = mock<IWebhookFunctions>();
	ctx.getWebhookName.mockReturnValue(setup.webhookName ?? 'default');
	ctx.getNodeParameter.mockImplementation((name: string, fallback?: unknown) => parameter(params, name, fallback) as never);
	ctx.getNode.mockReturnValue(node);
	ctx.getWorkflow.mockReturnValue({ id: setup.workflowId ?? WORKFLOW_ID, name: 'Orders', active: true });
	ctx.getExecutionId.mockReturnValue(executionId);
	ctx.getMode.mockReturnValue('webhook');
	ctx.getRequestObject.mockReturnValue(req as unknown as Request);
	ctx.getResponseObject.mockReturnValue(res as unknown as Response);
	ctx.getHeaderData.mockReturnValue(req.headers);
	ctx.getQueryData.mockReturnValue(req.query);
	ctx.getBodyData.mockReturnValue(req.body as IDataObject);
	ctx.getWorkflowStaticData.mockReturnValue(staticData);
	ctx.getCredentials.mockImplementation(credentialsOf(setup.credentials, node.name));
	ctx.getParentNodes.mockImplementation(() => parentGenerators(generators));
	ctx.evaluateExpression.mockImplementation((expression: string) => evaluate(expression, scope) as never);
	Object.assign(ctx, {
		logger,
		helpers: { httpRequest: http, prepareBinaryData },
		nodeHelpers: { copyBinaryFile },
	});
	return { ctx, req, res, http, logger, staticData, prepareBinaryData, copyBinaryFile, node };
}

/** Calls the node's webhook() as n8n does. */
export async function callWebhook(setup: WebhookSetup): Promise<WebhookHarness & { result: IWebhookResponseData }> {
	const context = webhookContext(setup);
	const result = await (setup.node.webhook as (this: IWebhookFunctions) => Promise<IWebhookResponseData>).call(context.ctx);
	return { ...context, result };
}

/** What a network failure looks like through n8n's request helper (axios). */
export function networkError(code = 'ECONNREFUSED'): Error {
	return Object.assign(new Error(`connect ${code} 127.0.0.1:5678`), { code });
}

async function unreachable(options: IHttpRequestOptions): Promise<never> {
	throw Object.assign(networkError(), { config: { url: options.url } });
}

// ---- the n8n around an execute() call -------------------------------------------------------------

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	disabled?: boolean;
	webhookId?: string;
	parameters?: IDataObject;
}

export interface ExecuteSetup {
	node: INodeType;
	params?: IDataObject;
	/** Per-item parameter overrides (item index → parameters). */
	itemParams?: IDataObject[];
	items?: INodeExecutionData[];
	executionId?: string;
	resumeUrl?: string;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The nodes of the running workflow (for findWaitNode). */
	workflowNodes?: WorkflowNode[];
	/** Names of the nodes connected after this one. */
	childNodes?: string[];
	generators?: GeneratorRun[];
	nodeInfo?: { name?: string; type?: string };
}

export interface ExecuteHarness {
	ctx: MockProxy<IExecuteFunctions>;
	items: INodeExecutionData[];
	putExecutionToWait: jest.Mock;
	node: INode;
}

export function executeContext(setup: ExecuteSetup): ExecuteHarness {
	const params: IDataObject = { ...defaultsOf(setup.node), ...setup.params };
	const executionId = setup.executionId ?? '101';
	const items = setup.items ?? [{ json: { orderId: 'A-1' } }];
	const workflowNodes = setup.workflowNodes ?? [];
	const generators = namedGenerators(setup.generators);
	const node: INode = {
		id: 'self-node-id',
		name: setup.nodeInfo?.name ?? 'This Node',
		type: setup.nodeInfo?.type ?? GENERATE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: params as INode['parameters'],
	};
	const scope = (i: number): ExpressionScope => ({
		resumeUrl: setup.resumeUrl ?? n8nResumeUrl(executionId),
		json: items[i]?.json ?? {},
		nodes: Object.fromEntries(generators.map((g) => [g.name, g.output])),
	});
	const putExecutionToWait = jest.fn(async (waitTill: Date) => void waitTill);
	const ctx = mock<IExecuteFunctions>();
	ctx.getInputData.mockReturnValue(items);
	ctx.getNodeParameter.mockImplementation(((name: string, itemIndex: number, fallback?: unknown) =>
		parameter({ ...params, ...setup.itemParams?.[itemIndex] }, name, fallback)) as never);
	ctx.getNode.mockReturnValue(node);
	ctx.getExecutionId.mockReturnValue(executionId);
	ctx.getWorkflow.mockReturnValue({ id: WORKFLOW_ID, name: 'Orders', active: true });
	ctx.getMode.mockReturnValue('trigger');
	ctx.evaluateExpression.mockImplementation(((expression: string, i: number) => evaluate(expression, scope(i))) as never);
	ctx.getCredentials.mockImplementation(credentialsOf(setup.credentials, node.name));
	ctx.getChildNodes.mockImplementation(() =>
		(setup.childNodes ?? []).map((name) => {
			const n = workflowNodes.find((w) => w.name === name);
			return { name, type: n?.type ?? 'n8n-nodes-base.noOp', typeVersion: 1, disabled: n?.disabled ?? false };
		}),
	);
	ctx.getParentNodes.mockImplementation(() => parentGenerators(generators));
	ctx.putExecutionToWait.mockImplementation(putExecutionToWait);
	// n8n's execute context carries the running Workflow (its nodes by name, with their ids).
	Object.assign(ctx, {
		logger: { warn: jest.fn(), info: jest.fn(), debug: jest.fn(), error: jest.fn() },
		workflow: {
			id: WORKFLOW_ID,
			getNode: (name: string) => {
				const n = workflowNodes.find((w) => w.name === name);
				return n ? { typeVersion: 1, position: [0, 0], parameters: {}, ...n } : null;
			},
		},
	});
	return { ctx, items, putExecutionToWait, node };
}

export async function runExecute(setup: ExecuteSetup): Promise<ExecuteHarness & { output: INodeExecutionData[][] }> {
	const context = executeContext(setup);
	const output = await (setup.node.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(context.ctx);
	return { ...context, output };
}

// ---- a fake n8n behind helpers.httpRequest ---------------------------------------------------------

export interface FakeExecution {
	id: string;
	workflowId: string;
	status: 'new' | 'running' | 'waiting' | 'success' | 'error' | 'canceled' | 'crashed';
	/** lastNodeExecuted: the node it waits at. */
	lastNode: string;
	/** Id of that node (the resume URL's path suffix). */
	nodeId: string;
	/** n8n 2.x's resume token ('' on 1.x). */
	resumeToken: string;
	startedAt: string;
	/** The waiting item ($json at the wait node). */
	item: IDataObject;
	/** Node name → the items it output (run data). */
	runData: Record<string, IDataObject[]>;
}

export interface HttpResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: unknown;
}

export interface WaitingWebhookCall {
	execution: FakeExecution;
	/** 'default' (resume URL) or 'fail'. */
	webhookName: string;
	call: CallSpec;
	resumeUrl: string;
}

export type WaitingWebhookHandler = (call: WaitingWebhookCall) => Promise<HttpResponse>;

const FINISHED = new Set(['success', 'error', 'canceled', 'crashed']);

/**
 * n8n as helpers.httpRequest sees it on loopback. `version: 1` serves waiting webhooks without a
 * token check and lists executions with no `resumeToken` (n8n 1.123).
 */
export class FakeN8n {
	readonly executions = new Map<string, FakeExecution>();
	ready = true;
	apiKey = N8N_API_KEY;
	/** Status the public API answers every call with, when set (e.g. 500). */
	apiStatus?: number;
	/** Network failures to throw before answering normally (per request). */
	failNext = 0;
	readonly calls: IHttpRequestOptions[] = [];
	onWaitingWebhook?: WaitingWebhookHandler;

	constructor(readonly version: 1 | 2 = 2) {
		// a new n8n: no process of it has answered ready yet, and no hint of ours is in it
		forgetReadiness();
		clearHints();
	}

	/** A waiting execution of `workflowId` at `nodeName` (id numeric, ascending with time). */
	wait(id: number, o: Partial<FakeExecution> = {}): FakeExecution {
		const e: FakeExecution = {
			id: String(id),
			workflowId: WORKFLOW_ID,
			status: 'waiting',
			lastNode: WAIT_NODE.name,
			nodeId: WAIT_NODE.id,
			resumeToken: this.version === 2 ? tokenFor(String(id)) : '',
			startedAt: new Date(Date.UTC(2026, 11, 1, 10, 0, id)).toISOString(),
			item: { orderId: `A-${id}` },
			runData: {},
			...o,
		};
		this.executions.set(e.id, e);
		return e;
	}

	resumeUrlOf(e: FakeExecution): string {
		return n8nResumeUrl(e.id, this.version);
	}

	/** The requests made to a path prefix (e.g. '/webhook-waiting/'). */
	callsTo(prefix: string): IHttpRequestOptions[] {
		return this.calls.filter((c) => new URL(c.url).pathname.startsWith(prefix));
	}

	readonly http: HttpRequest = async (options) => {
		this.calls.push(options);
		if (this.failNext > 0) {
			this.failNext--;
			throw networkError('ECONNRESET');
		}
		const url = new URL(options.url);
		if (!['127.0.0.1:5678', 'localhost:5678'].includes(url.host)) throw networkError();
		let response: HttpResponse;
		if (url.pathname === '/healthz/readiness') {
			response = this.ready ? reply(200, { status: 'ok' }) : reply(503, { status: 'error' });
		} else if (url.pathname.startsWith('/api/v1/')) {
			response = this.api(url, options);
		} else if (url.pathname.startsWith('/webhook-waiting/')) {
			response = await this.waitingWebhook(url, options);
		} else {
			response = reply(404, { code: 404, message: `The requested webhook "${options.method ?? 'GET'} ${url.pathname}" is not registered.` });
		}
		if (!options.returnFullResponse) return response.body;
		return { ...response, statusMessage: '' };
	};

	private api(url: URL, options: IHttpRequestOptions): HttpResponse {
		const headers = (options.headers ?? {}) as Record<string, string>;
		if (headers['X-N8N-API-KEY'] !== this.apiKey) return reply(401, { message: "'X-N8N-API-KEY' header required" });
		if (this.apiStatus) return reply(this.apiStatus, { message: 'Internal Server Error' });
		const includeData = url.searchParams.get('includeData') === 'true';
		const single = /^\/api\/v1\/executions\/([^/]+)$/.exec(url.pathname);
		if (single) {
			const e = this.executions.get(decodeURIComponent(single[1]));
			return e ? reply(200, this.apiExecution(e, includeData)) : reply(404, { message: 'Not Found' });
		}
		if (url.pathname !== '/api/v1/executions') return reply(404, { message: 'Not Found' });
		const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 250);
		let lastId = Number.POSITIVE_INFINITY;
		const cursor = url.searchParams.get('cursor');
		if (cursor) {
			try {
				lastId = Number((JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { lastId: string }).lastId);
			} catch {
				return reply(400, { message: 'An invalid cursor was provided' });
			}
		}
		const status = url.searchParams.get('status');
		const workflowId = url.searchParams.get('workflowId');
		const rows = [...this.executions.values()]
			.filter((e) => (!status || e.status === status) && (!workflowId || e.workflowId === workflowId) && Number(e.id) < lastId)
			.sort((a, b) => Number(b.id) - Number(a.id));
		const page = rows.slice(0, limit);
		const more = rows.length > page.length;
		return reply(200, {
			data: page.map((e) => this.apiExecution(e, includeData)),
			nextCursor: more ? Buffer.from(JSON.stringify({ lastId: page[page.length - 1].id, limit })).toString('base64') : null,
		});
	}

	/** An execution as `GET /api/v1/executions` shows it. */
	private apiExecution(e: FakeExecution, includeData: boolean): IDataObject {
		const finished = e.status === 'success';
		const out: IDataObject = {
			id: Number(e.id),
			finished,
			mode: 'webhook',
			retryOf: null,
			retrySuccessId: null,
			status: e.status,
			startedAt: e.startedAt,
			stoppedAt: FINISHED.has(e.status) ? e.startedAt : null,
			workflowId: e.workflowId,
			waitTill: e.status === 'waiting' ? '3000-01-01T00:00:00.000Z' : null,
		};
		if (includeData) {
			out.data = {
				...(this.version === 2 ? { resumeToken: e.resumeToken } : {}),
				resultData: {
					lastNodeExecuted: e.lastNode,
					runData: Object.fromEntries(
						Object.entries(e.runData).map(([name, json]) => [name, [{ data: { main: [json.map((j) => ({ json: j }))] } }]]),
					),
				},
				executionData: { nodeExecutionStack: [{ data: { main: [[{ json: e.item }]] } }] },
			};
		}
		return out;
	}

	private async waitingWebhook(url: URL, options: IHttpRequestOptions): Promise<HttpResponse> {
		const [, , id, suffix] = url.pathname.split('/').map(decodeURIComponent);
		const e = this.executions.get(id);
		const method = String(options.method ?? 'GET');
		if (!e) return reply(404, { code: 404, message: `The execution "${id}" does not exist.` });
		if (e.status !== 'waiting') return reply(409, { code: 409, message: `The execution "${id}" is not waiting.` });
		if (this.version === 2) {
			const given = (url.searchParams.get('signature') ?? '').split('/')[0];
			if (given !== e.resumeToken) return reply(401, { error: 'Invalid token' });
		}
		const webhookName = suffix === e.nodeId ? 'default' : suffix === `${e.nodeId}-fail` ? 'fail' : undefined;
		if (!webhookName || !this.onWaitingWebhook) {
			return reply(404, { code: 404, message: `The requested webhook "${method} ${url.pathname}" is not registered.` });
		}
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries((options.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = String(v);
		const query: IDataObject = {};
		for (const [k, v] of url.searchParams) {
			const had = query[k];
			query[k] = had === undefined ? v : ([] as string[]).concat(had as string, v);
		}
		const raw = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(String(options.body));
		const contentType = (headers['content-type'] ?? '').split(';')[0].trim();
		let body: unknown;
		if (raw?.length) {
			if (contentType === 'application/json') body = JSON.parse(raw.toString('utf8'));
			else if (contentType === 'application/x-www-form-urlencoded') body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
			else body = raw.toString('utf8');
		}
		return await this.onWaitingWebhook({
			execution: e,
			webhookName,
			call: { method, headers, query, body, raw },
			resumeUrl: this.resumeUrlOf(e),
		});
	}
}

function reply(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
	return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

/**
 * Serves the waiting webhooks of `fake` with this wait node class, in process: n8n's route for
 * `/webhook-waiting/<id>/<node id>` runs the node's webhook() in that execution (its own
 * resume URL, waiting item and workflow); returned workflowData resumes it (status `success`,
 * the item in its run data); n8n's reply is what the node wrote, or its webhook response.
 */
export function serveWaitNode(
	fake: FakeN8n,
	node: INodeType,
	setup: Omit<WebhookSetup, 'node' | 'call'> = {},
): Array<{ execution: FakeExecution; item: INodeExecutionData }> {
	const resumed: Array<{ execution: FakeExecution; item: INodeExecutionData }> = [];
	fake.onWaitingWebhook = async ({ execution, webhookName, call, resumeUrl }) => {
		const { result, res } = await callWebhook({
			...setup,
			node,
			webhookName,
			call,
			executionId: execution.id,
			resumeUrl,
			waitingItem: execution.item,
			workflowId: execution.workflowId,
			nodeInfo: { id: execution.nodeId, name: execution.lastNode },
			http: setup.http ?? fake.http,
		});
		if (result.workflowData) {
			const item = result.workflowData[0][0];
			resumed.push({ execution, item });
			execution.status = 'success';
			execution.runData[execution.lastNode] = [item.json];
		}
		if (res.headersSent) {
			return { statusCode: res.statusCode, headers: res.headers, body: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) };
		}
		const params = { ...defaultsOf(node), ...setup.params };
		const status =
			params.respond === 'custom' ? Number(params.responseCode) : params.respond === 'redirect' ? Number(params.redirectStatus) : 200;
		return { statusCode: status, headers: res.headers, body: result.webhookResponse ?? '' };
	};
	return resumed;
}
