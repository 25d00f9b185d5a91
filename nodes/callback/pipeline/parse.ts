import { bodyTooLarge, invalidEncoding, invalidJson, queryTooLong, tooDeep, unsupportedContentType } from './errors';
import { redactHeaders, redactQuery } from './redact';

/** What the pipeline needs of an incoming HTTP request, independent of n8n's objects. */
export interface IncomingCallback {
	method: string;
	/** Length of the raw query string, when known. */
	queryLength?: number;
	/** Lower-cased mime type without parameters, '' when absent. */
	contentType: string;
	headers: Record<string, string | string[] | undefined>;
	query: Record<string, unknown>;
	/** The body as n8n parsed it (JSON, form, text, XML); multipart: `{ data, files }`. */
	body: unknown;
	/** Raw body bytes when n8n read them (not for multipart). */
	rawBody?: Buffer;
	/** Declared content length, when given. */
	contentLength?: number;
	/** The public URL the caller called (n8n's public base + path + query as received), when known. */
	url?: string;
}

export interface UploadedFile {
	/** Binary property name on the output item. */
	property: string;
	filepath: string;
	fileName?: string;
	mimeType?: string;
	size?: number;
}

export interface ParsedCallback {
	method: string;
	contentType: string;
	/** Trigger data: GET/DELETE query parameters, POST/PUT/PATCH body. */
	data: unknown;
	query: Record<string, unknown>;
	headers: Record<string, string | string[]>;
	/** A body that is neither JSON, form, text nor XML: kept as bytes for a binary property. */
	binaryBody?: { buffer: Buffer; mimeType: string };
	files: UploadedFile[];
}

export interface ParseOptions {
	/** Lower-case mime types accepted; empty means any. */
	allowedContentTypes?: string[];
	/** Body size limit in bytes; 0 or undefined means n8n's own limit only. */
	maxBodyBytes?: number;
	/** Query parameter names that carry a credential for this node (never output). */
	secretQueryParams?: readonly string[];
	/** Header names that carry this node's credential (a custom API key or signature header): never in the output. */
	secretHeaders?: readonly string[];
	/** Top-level fields dropped from query and body data (e.g. the state of a state-form URL). */
	stripFields?: readonly string[];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/**
 * Deeper data gets 422: n8n accepts a 200,000-level JSON array and then cannot read the
 * execution back ("Found corrupted execution data").
 */
export const MAX_DEPTH = 64;

/** Depth of nested objects/arrays, measured without recursion (hostile input cannot overflow the stack). */
export function depthOf(value: unknown, limit = MAX_DEPTH): number {
	let max = 0;
	const stack: Array<[unknown, number]> = [[value, 0]];
	while (stack.length) {
		const [v, d] = stack.pop()!;
		if (v === null || typeof v !== 'object') continue;
		if (d + 1 > max) max = d + 1;
		if (max > limit) return max;
		for (const child of Object.values(v as Record<string, unknown>)) {
			if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
		}
	}
	return max;
}

/** Longer query strings get 414 (Node itself refuses request heads over 16 KB with 431). */
export const MAX_QUERY_LENGTH = 8192;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Buffer): boolean {
	try {
		UTF8.decode(bytes);
		return true;
	} catch {
		return false;
	}
}

function isTextual(contentType: string): boolean {
	return (
		contentType === 'text/plain' ||
		contentType === 'application/x-www-form-urlencoded' ||
		contentType === 'application/json' ||
		contentType.endsWith('+json') ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml')
	);
}
const N8N_PARSED_TYPES = new Set([
	'application/json',
	'application/x-www-form-urlencoded',
	'text/plain',
	'multipart/form-data',
]);

function isXml(contentType: string) {
	return contentType.endsWith('/xml') || contentType.endsWith('+xml');
}

function isJsonFamily(contentType: string) {
	return contentType === 'application/json' || contentType.endsWith('+json');
}

interface FormidableFileLike {
	filepath?: string;
	originalFilename?: string | null;
	mimetype?: string | null;
	size?: number;
}

function collectFiles(files: unknown): UploadedFile[] {
	if (!files || typeof files !== 'object') return [];
	const out: UploadedFile[] = [];
	for (const [field, value] of Object.entries(files as Record<string, unknown>)) {
		const list = (Array.isArray(value) ? value : [value]) as FormidableFileLike[];
		list.forEach((file, index) => {
			if (!file?.filepath) return;
			out.push({
				property: list.length > 1 ? `${field}${index}` : field,
				filepath: file.filepath,
				fileName: file.originalFilename ?? undefined,
				mimeType: file.mimetype ?? undefined,
				size: file.size,
			});
		});
	}
	return out;
}

function bodyIsEmpty(body: unknown): boolean {
	if (body === undefined || body === null || body === '') return true;
	return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

/**
 * Stage 1 of the activation pipeline: turns the request into the callback's data.
 * Throws a CallbackError (413, 415, 422) for a request the node refuses.
 */
export function parseCallback(req: IncomingCallback, options: ParseOptions = {}): ParsedCallback {
	const method = req.method.toUpperCase();
	const contentType = (req.contentType ?? '').toLowerCase();
	const allowed = (options.allowedContentTypes ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean);

	if ((req.queryLength ?? 0) > MAX_QUERY_LENGTH) throw queryTooLong(MAX_QUERY_LENGTH);
	const size = req.rawBody?.length ?? req.contentLength ?? 0;
	if (options.maxBodyBytes && size > options.maxBodyBytes) throw bodyTooLarge(options.maxBodyBytes);
	// Bodies parsed as text must be UTF-8: n8n would decode broken bytes into U+FFFD and accept them.
	if (req.rawBody?.length && isTextual(contentType) && !isUtf8(req.rawBody)) throw invalidEncoding();

	const hasBody = size > 0 || !bodyIsEmpty(req.body);
	if (allowed.length && hasBody && !allowed.includes(contentType)) {
		throw unsupportedContentType(contentType, allowed);
	}

	const query = redactQuery(req.query, {
		dropTargeting: true,
		extraSecretParams: [...(options.secretQueryParams ?? []), ...(options.stripFields ?? [])],
	});
	const headers = redactHeaders(req.headers, options.secretHeaders ?? []);
	const parsed: ParsedCallback = { method, contentType, data: {}, query, headers, files: [] };

	let body: unknown = req.body;
	if (contentType === 'multipart/form-data') {
		const multipart = (body ?? {}) as { data?: unknown; files?: unknown };
		body = multipart.data ?? {};
		parsed.files = collectFiles(multipart.files);
	} else if (isJsonFamily(contentType) && contentType !== 'application/json' && req.rawBody?.length) {
		// n8n parses only application/json; vendor types such as application/vnd.api+json come raw.
		try {
			body = JSON.parse(req.rawBody.toString('utf8').replace(/^\uFEFF/, ''));
		} catch {
			throw invalidJson();
		}
	} else if (
		req.rawBody?.length &&
		!N8N_PARSED_TYPES.has(contentType) &&
		!isXml(contentType) &&
		!isJsonFamily(contentType)
	) {
		parsed.binaryBody = {
			buffer: req.rawBody,
			mimeType: contentType || 'application/octet-stream',
		};
		body = {};
	}

	const strip = options.stripFields ?? [];
	if (strip.length && body && typeof body === 'object' && !Array.isArray(body)) {
		body = Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !strip.includes(k)));
	}
	if (depthOf(body) > MAX_DEPTH || depthOf(req.query) > MAX_DEPTH) throw tooDeep(MAX_DEPTH);
	const useBody = BODY_METHODS.has(method) || (method === 'DELETE' && !bodyIsEmpty(body));
	parsed.data = useBody ? (body ?? {}) : query;
	return parsed;
}
