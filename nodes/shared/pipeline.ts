import type { IBinaryKeyData, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { CallbackError, internalError } from './errors';
import { buildOutputJson } from './output';
import { type IncomingCallback, type ParseOptions, type ParsedCallback, parseCallback } from './request';
import { type ResponseOptions, type ResponsePlan, planResponse, sendError } from './response';

/**
 * The activation pipeline every entry point runs:
 * parse → authenticate → authorize → condition → target → activate → respond.
 * Node files supply the options and the `activate` step; nothing else lives in them.
 */
export interface PipelineSpec {
	parse: ParseOptions;
	response: ResponseOptions;
	/** Turns the accepted call's item into what n8n should do (resume or start). */
	activate: (item: INodeExecutionData, parsed: ParsedCallback) => INodeExecutionData[][];
}

interface N8nRequest {
	method?: string;
	headers: Record<string, string | string[] | undefined>;
	contentType?: string;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

const N8N_PARSED = /^(application\/json|application\/x-www-form-urlencoded|text\/plain|multipart\/form-data)$/;

/** Adapts n8n's request to the pipeline's plain IncomingCallback. */
export async function readIncoming(ctx: IWebhookFunctions): Promise<IncomingCallback> {
	const req = ctx.getRequestObject() as unknown as N8nRequest;
	const contentType = String(req.contentType ?? req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	if (contentType !== 'multipart/form-data' && !req.rawBody && typeof req.readRawBody === 'function') {
		// Bodies n8n does not parse (binary, vendor +json) are read here, within n8n's size limit.
		if (!N8N_PARSED.test(contentType)) await req.readRawBody();
	}
	const declared = Number(req.headers['content-length']);
	return {
		method: String(req.method ?? 'GET'),
		contentType,
		headers: ctx.getHeaderData() as Record<string, string | string[] | undefined>,
		query: (ctx.getQueryData() ?? {}) as Record<string, unknown>,
		body: ctx.getBodyData(),
		rawBody: req.rawBody,
		contentLength: Number.isFinite(declared) ? declared : undefined,
	};
}

async function attachBinary(ctx: IWebhookFunctions, parsed: ParsedCallback): Promise<IBinaryKeyData | undefined> {
	const binary: IBinaryKeyData = {};
	if (parsed.binaryBody) {
		binary.data = await ctx.helpers.prepareBinaryData(
			parsed.binaryBody.buffer,
			undefined,
			parsed.binaryBody.mimeType,
		);
	}
	for (const file of parsed.files) {
		binary[file.property] = await ctx.nodeHelpers.copyBinaryFile(
			file.filepath,
			file.fileName ?? file.property,
			file.mimeType ?? 'application/octet-stream',
		);
	}
	return Object.keys(binary).length ? binary : undefined;
}

function applyHeaders(ctx: IWebhookFunctions, plan: ResponsePlan) {
	const res = ctx.getResponseObject();
	for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value);
}

/** Runs the pipeline for one HTTP call. Refusals answer JSON and leave the execution as it was. */
export async function runPipeline(ctx: IWebhookFunctions, spec: PipelineSpec): Promise<IWebhookResponseData> {
	try {
		const parsed = parseCallback(await readIncoming(ctx), spec.parse);
		// Authentication, roles and the condition plug in here (activation guards).
		const plan = planResponse(spec.response);
		const item: INodeExecutionData = {
			json: buildOutputJson(parsed, ctx.getExecutionId()) as unknown as IDataObject,
			// Links the callback to the waiting item, so $('Earlier Node').item still resolves after it.
			pairedItem: { item: 0 },
		};
		const binary = await attachBinary(ctx, parsed);
		if (binary) item.binary = binary;
		const workflowData = spec.activate(item, parsed);
		applyHeaders(ctx, plan);
		return { workflowData, webhookResponse: plan.body };
	} catch (error) {
		const known = error instanceof CallbackError ? error : toCallbackError(ctx, error as Error);
		sendError(ctx.getResponseObject(), known);
		return { noWebhookResponse: true };
	}
}

function toCallbackError(ctx: IWebhookFunctions, error: Error): CallbackError {
	// A configuration mistake (bad redirect URL, header name) is the workflow's, not the caller's:
	// the caller gets a generic 500 JSON, the details go to n8n's log (messages hold no secrets).
	ctx.logger.warn(`External callback on node "${ctx.getNode().name}" failed: ${error?.message}`);
	return internalError();
}
