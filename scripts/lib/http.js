// The one HTTP client of the scripts and the e2e harness: node:http with a keep-alive agent,
// loopback only, never follows redirects, a timeout on every request. No fetch: its 300 s header
// timeout would cut a long `?execution=all`, and it cannot time a request without its body.
// Also the public-API execution listing (cursor pages) that the benchmark and the tests share.
'use strict';
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** The parsed JSON of a body; undefined when it is empty or not JSON. */
function parseJson(text) {
	try {
		return text ? JSON.parse(text) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * One request. `body`: a string or Buffer as is, anything else as JSON (content-type
 * application/json unless given). Resolves { status, headers (node's lower-case object), text,
 * ms (sent → last byte) } for any status; rejects on a network error or after `timeoutMs`.
 * `agent`: another node:http Agent (the benchmark's burst needs more than 64 sockets).
 */
function request(method, url, { headers = {}, body, timeoutMs = 120_000, agent: via = agent } = {}, attempt = 0) {
	const u = new URL(url);
	if (u.protocol !== 'http:' || !LOOPBACK.has(u.hostname)) return Promise.reject(new Error(`refusing non-loopback URL ${url}`));
	const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
	const h = { ...headers };
	if (data !== undefined) {
		h['content-length'] = Buffer.byteLength(data);
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
	}
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const req = http.request(
			{ method, host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || 80, path: u.pathname + u.search, headers: h, agent: via },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }),
				);
				res.on('error', reject);
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${method} ${u.pathname}`)));
		req.on('error', (err) => {
			// A kept-alive socket the server closed meanwhile (idle timeout, restart): retry once on a
			// fresh one. Nothing reached the server on that socket.
			if (req.reusedSocket && attempt === 0 && ['ECONNRESET', 'EPIPE'].includes(err.code)) {
				resolve(request(method, url, { headers, body, timeoutMs, agent: via }, 1));
			} else reject(err);
		});
		if (data !== undefined) req.write(data);
		req.end();
	});
}

/** A public-API call (X-N8N-API-KEY of `info`); throws on a non-2xx answer; returns its JSON. */
async function apiRequest(info, method, apiPath, body) {
	const r = await request(method, `${info.baseUrl}/api/v1${apiPath}`, {
		headers: { 'X-N8N-API-KEY': info.apiKey, 'content-type': 'application/json' },
		body,
	});
	if (r.status < 200 || r.status >= 300) throw new Error(`${method} /api/v1${apiPath} -> ${r.status} ${r.text}`);
	return r.text ? JSON.parse(r.text) : undefined;
}

/**
 * Every execution of a workflow through the public API, following its cursor (pages of 250),
 * bounded by `maxPages` and `deadline`. `onPage({ ms, bytes })` sees each page's timing.
 */
async function listExecutions(info, workflowId, { status, includeData = false, deadline = Date.now() + 300_000, maxPages = 1000, onPage } = {}) {
	const out = [];
	let cursor;
	for (let page = 0; page < maxPages && Date.now() < deadline; page++) {
		const q = new URLSearchParams({ workflowId: String(workflowId), limit: '250', includeData: String(includeData) });
		if (status) q.set('status', status);
		if (cursor) q.set('cursor', cursor);
		const r = await request('GET', `${info.baseUrl}/api/v1/executions?${q}`, { headers: { 'X-N8N-API-KEY': info.apiKey } });
		if (r.status !== 200) throw new Error(`GET /executions -> ${r.status} ${r.text.slice(0, 300)}`);
		if (onPage) onPage({ ms: r.ms, bytes: r.text.length });
		const body = parseJson(r.text) || {};
		out.push(...(body.data || []));
		cursor = body.nextCursor;
		if (!cursor) break;
	}
	return out;
}

/** Closes the kept-alive sockets (lets a script's process exit). */
function closeIdle() {
	agent.destroy();
}

module.exports = { request, parseJson, apiRequest, listExecutions, closeIdle, agent };
