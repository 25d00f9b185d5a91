/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
/**
 * HTTP-level fuzz of the wait node in a real n8n: one execution waits (wait-basic: Generate
 * Callback URL → External Callback Wait, stable URL on with an n8n API credential, a condition
 * that only a call carrying a random release code meets). Then ECB_HTTP_FUZZ_CALLS random calls
 * (default 2,000; `npm run soak` sets 10,000) go to its resume URL and fail URL WITH the valid
 * token, and to the stable URL (random query strings, `execution=<its id>`, any, all, states):
 * random methods, headers (this package's internal ones too), content types, bodies (JSON,
 * malformed, deep, binary, form, XML, multipart, large) and query strings (long, repeated,
 * `signature` twice). None knows the release code, so none may resume it.
 *
 * Every reply must be JSON (or an empty body: the condition's 200, HEAD, OPTIONS), carry no stack
 * trace or file path, never echo the resume token, and never carry the stable URL's internal
 * outcome header (except the probe's own answer). At the end the execution still waits; one
 * valid call resumes it, exactly once.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';

import { runPool } from '../../nodes/callback/targeting/pool';

import { type HttpResult, http, nodeOutput, nodeRuns, postJson } from './harness/client';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const CALLS = Number(process.env.ECB_HTTP_FUZZ_CALLS ?? 2000);
const SEED = Number(process.env.ECB_FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 4;

const { api, state } = shared();
const scenario = scenarios(api);
const RELEASE = randomBytes(16).toString('hex');

interface FuzzCall {
	target: 'resume' | 'fail' | 'stable';
	method: string;
	/** query parameters appended to the URL (the resume token stays) */
	query: Array<[string, string]>;
	/** appended raw, as sent (may be malformed) */
	rawQuery: string;
	headers: Record<string, string>;
	body?: string | Buffer;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'PURGE', 'MKCOL', 'COPY', 'LOCK', 'SEARCH'];
const CONTENT_TYPES = [
	'application/json',
	'application/json; charset=utf-8',
	'application/vnd.api+json',
	'application/x-www-form-urlencoded',
	'text/plain',
	'text/xml',
	'application/xml',
	'application/soap+xml',
	'multipart/form-data; boundary=XyZ',
	'multipart/form-data',
	'application/octet-stream',
	'image/png',
	'text/csv',
	'application/json; charset=latin1',
	'garbage',
	'',
];
const INTERNAL = ['x-external-callback-forward', 'x-external-callback-origin', 'x-external-callback-probe', 'x-external-callback-outcome'];
const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 16 });
/** Header values a client can send (visible ASCII and spaces; no CR/LF). */
const headerValue = fc.oneof(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }), fc.constantFrom('', 'gzip', 'br', 'Bearer x', `${'a'.repeat(2000)}`));
const jsonBody = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null');
const deep = fc.integer({ min: 50, max: 300 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const body = fc.oneof(
	jsonBody,
	jsonBody.map((s) => s.slice(0, Math.max(0, s.length - 1))),
	fc.string({ maxLength: 200 }),
	deep,
	fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
	fc.dictionary(token, fc.string({ maxLength: 20 })).map((d) => new URLSearchParams(d).toString()),
	fc.string({ maxLength: 40 }).map((s) => `<?xml version="1.0"?><a>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</a>`),
	fc.string({ maxLength: 40 }).map((s) => `--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n${s}\r\n--XyZ--\r\n`),
	fc.constantFrom('--XyZ\r\nbroken', '{"a":', '\uFEFF{"a":1}', Buffer.from([0xff, 0xfe, 0x00]), 'x'.repeat(200_000)),
	fc.string({ maxLength: 30 }).map((s) => JSON.stringify({ release: `${s}`, nested: { release: RELEASE.slice(0, 8) } })),
);
const queryPair = fc.tuple(fc.oneof(token, fc.constantFrom('signature', 'execution', 'executionId', 'state', 'RelayState', 'any', '__proto__', 'a[b]', 'a[b][c][d][e][f][g]')), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('any', 'all', '1', '', 'ecb2.1.AAAA', 'ecb1.bm9wZQ')));
const rawQuery = fc.oneof(fc.constant(''), fc.constantFrom('&%zz', '&a=%E0%A4%A', '&&&', '&=', `&long=${'q'.repeat(9000)}`, '&a[]=1&a[]=2', '&a[__proto__][x]=1'));

/**
 * An XML-typed body is always a complete document here. n8n parses every XML body with one
 * shared xml2js 0.6.2 parser (async mode) that is not reentrant and does not recover from
 * malformed input: a body that ends inside a tag (`<a`), and after one such body even plain
 * text, never gets an answer, and later XML calls to the same process may hang behind it or
 * receive another call's parsed body (docs/verification.md). n8n parses before the node runs,
 * so that is not the package's to fix, and it would stall this test: malformed XML is left out.
 */
function xmlSafe(body: string | Buffer | undefined): string | Buffer | undefined {
	if (body === undefined) return undefined;
	const text = body.toString();
	if (/^<\?xml version="1\.0"\?><a>[^<]*<\/a>$/.test(text)) return text;
	return `<a>${text.replace(/[^\x20-\x7e]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</a>`;
}

const call: fc.Arbitrary<FuzzCall> = fc
	.record({
		target: fc.constantFrom('resume', 'resume', 'fail', 'stable', 'stable'),
		method: fc.constantFrom(...METHODS),
		query: fc.array(queryPair, { maxLength: 5 }),
		rawQuery,
		contentType: fc.constantFrom(...CONTENT_TYPES),
		headers: fc.dictionary(fc.oneof(token.map((t) => `x-${t}`), fc.constantFrom('accept', 'accept-encoding', 'content-encoding', 'user-agent', 'authorization', 'cookie', 'origin', ...INTERNAL)), headerValue, { maxKeys: 5 }),
		body: fc.option(body, { freq: 3 }),
	})
	.map(({ contentType, body: b, headers, ...c }) => {
		const h = { ...headers };
		if (contentType) h['content-type'] = contentType;
		return { ...c, headers: h, body: /[/+]xml/.test(contentType) ? xmlSafe(b ?? undefined) : (b ?? undefined) };
	});

/** A stack trace, a file path or an exception's name: never in a reply. */
const LEAK = /(\n\s+at \S|"stack"|stacktrace|node_modules|\/dist\/|\.js:\d+|\.ts:\d+|TypeError|ReferenceError)/i;

let waiting: { executionId: string; callbackUrl: string; failUrl: string };
let stableUrl: string;
let triggerUrl: string;
let resumeToken: string;

beforeAll(async () => {
	const credential = await scenario.credential('externalCallbackN8nApi', { baseUrl: state.instance.baseUrl, apiKey: state.instance.apiKey });
	const p = await scenario.publishWait({
		wait: { stableUrl: true, condition: `={{ $callback.data.release === "${RELEASE}" }}` },
		waitCredentials: { externalCallbackN8nApi: credential },
	});
	stableUrl = p.stableUrl;
	triggerUrl = p.triggerUrl;
	const started = await p.start('fuzz-1');
	waiting = { executionId: started.executionId, callbackUrl: started.callbackUrl, failUrl: started.failUrl };
	resumeToken = new URL(started.callbackUrl).searchParams.get('signature') ?? '';
	expect(resumeToken).toMatch(/^[0-9a-f]{64}$/);
}, 180_000);

function urlOf(c: FuzzCall): string {
	const base = c.target === 'resume' ? waiting.callbackUrl : c.target === 'fail' ? waiting.failUrl : stableUrl;
	const u = new URL(base);
	for (const [k, v] of c.query) u.searchParams.append(k, v);
	if (c.target === 'stable' && c.query.length % 2 === 0) u.searchParams.set('execution', c.query.length % 4 === 0 ? waiting.executionId : ['any', 'all'][c.query.length % 3 % 2]);
	const search = u.search ? u.search + c.rawQuery : c.rawQuery ? `?${c.rawQuery.slice(1)}` : '';
	return `${u.origin}${u.pathname}${search}`;
}

const isXml = (c: FuzzCall) => /[/+]xml$/.test((c.headers['content-type'] ?? '').split(';')[0]);

/**
 * n8n's own answer before the node runs, not the package's: a production webhook (the stable URL
 * registers GET and POST) called with another method and an Origin header gets Express's HTML
 * 500, because n8n's CORS set-up looks the webhook up outside its error handling
 * (webhook-request-handler.js setupCorsHeaders → findAccessControlOptions throws "not
 * registered"). The same call to n8n's own Webhook node answers the same (checked below).
 */
const n8nCorsBug = (c: FuzzCall, r: HttpResult) =>
	c.target === 'stable' && !['GET', 'POST', 'OPTIONS'].includes(c.method) && 'origin' in c.headers && r.status === 500 && r.text.includes('<pre>Internal Server Error</pre>');

/** What is wrong with a reply ('' when nothing). */
function problem(c: FuzzCall, r: HttpResult): string {
	const outcome = r.headers.get('x-external-callback-outcome');
	const probe = c.target !== 'stable' && Object.keys(c.headers).includes('x-external-callback-probe');
	if (r.status >= 200 && r.status < 300 && c.target !== 'stable' && !probe && r.text !== '') return 'a 2xx with a body (resumed?)';
	if (outcome && !(probe && outcome === 'probe') && !(outcome === 'refused' && c.target !== 'stable')) return `outcome header ${outcome}`;
	if (r.text.includes(resumeToken)) return 'the resume token echoed';
	if (n8nCorsBug(c, r)) return '';
	if (LEAK.test(r.text)) return 'a stack trace or file path';
	if (r.text === '') return c.method === 'HEAD' || r.status < 300 ? '' : `empty ${r.status}`;
	if (r.json === undefined) return `not JSON: ${r.text.slice(0, 80)}`;
	return '';
}

test(
	`${CALLS} random calls at a waiting execution's resume, fail and stable URLs: clean JSON replies, nothing resumed; then one valid call resumes it once`,
	async () => {
		const calls = fc.sample(call, { numRuns: CALLS, seed: SEED });
		const statuses: Record<string, number> = {};
		const dump: unknown[] = [];
		const bad: string[] = [];
		const t0 = Date.now();
		let corsBug = 0;
		const send = async (i: number) => {
			const c = calls[i];
			const t = Date.now();
			const r = await http(c.method, urlOf(c), { headers: c.headers, body: c.body }).catch((error: unknown) => {
				bad.push(`#${i} ${String(error)}: ${c.method} ${c.target} ${JSON.stringify(c.headers).slice(0, 300)} body ${JSON.stringify(String(c.body ?? '')).slice(0, 120)} (${String(c.body ?? '').length} chars)`);
				return undefined;
			});
			if (!r) return;
			if (process.env.ECB_FUZZ_DUMP) dump.push({ i, ms: Date.now() - t, target: c.target, method: c.method, headers: c.headers, url: urlOf(c).slice(0, 300), body: String(c.body ?? '').slice(0, 100), status: r.status, reply: r.text.slice(0, 120) });
			const key = `${c.target} ${r.status}${r.json?.code && r.json.code !== r.status ? ` ${r.json.code}` : ''}`;
			statuses[key] = (statuses[key] ?? 0) + 1;
			if (n8nCorsBug(c, r)) corsBug++;
			const p = problem(c, r);
			if (p) bad.push(`#${i} ${p}: ${c.method} ${c.target} ${JSON.stringify(c.headers).slice(0, 200)} body ${String(c.body ?? '').slice(0, 80)} -> ${r.status} ${r.text.slice(0, 200)}`);
		};
		// n8n parses every XML body with one shared xml2js parser, which is not reentrant: two XML
		// bodies parsed at once get each other's result, or one waits until a later XML body is
		// parsed (observed: about 115 s). Not the package's to fix; XML calls go one at a time.
		const xml = calls.map((c, i) => (isXml(c) ? i : -1)).filter((i) => i >= 0);
		const other = calls.map((c, i) => (isXml(c) ? -1 : i)).filter((i) => i >= 0);
		const first = await runPool(other.length, CONCURRENCY, async (k) => await send(other[k]));
		const second = await runPool(xml.length, 1, async (k) => await send(xml[k]));
		const results = [...first.results, ...second.results];
		const seconds = (Date.now() - t0) / 1000;
		if (process.env.ECB_FUZZ_DUMP) writeFileSync(process.env.ECB_FUZZ_DUMP, JSON.stringify(dump, null, 1));
		process.stdout.write(
			`[fuzz] seed ${SEED}: ${CALLS} calls (${xml.length} with XML bodies, one at a time) in ${seconds.toFixed(1)} s; n8n's CORS HTML 500: ${corsBug}; replies ${JSON.stringify(Object.entries(statuses).sort())}\n`,
		);
		expect(results.filter((r) => typeof r === 'object' && r !== null && 'error' in r).map((r) => String((r as { error: unknown }).error))).toEqual([]);
		expect(bad.slice(0, 20)).toEqual([]);

		// the HTML 500 is n8n's: its own Webhook node (the fixture's trigger, POST only) answers the same
		const control = await http('PATCH', triggerUrl, { headers: { origin: 'http://127.0.0.1' } });
		expect([control.status, control.text.includes('<pre>Internal Server Error</pre>')]).toEqual([500, true]);

		// the wait is intact
		await scenario.expectStillWaiting(waiting.executionId);
		// one valid call resumes it: no internal header for this direct caller
		const ok = await postJson(waiting.callbackUrl, { release: RELEASE, n: 1 });
		expect(ok.status).toBe(200);
		expect(ok.headers.get('x-external-callback-outcome')).toBeNull();
		const done = await api.waitForStatus(waiting.executionId, ['success'], 60_000);
		expect(nodeRuns(done, 'Done')).toBe(1);
		expect(nodeOutput<{ data: unknown; failed: boolean }>(done, 'Done')![0]).toMatchObject({ data: { release: RELEASE, n: 1 }, failed: false });
		// exactly once
		expect((await postJson(waiting.callbackUrl, { release: RELEASE, n: 2 })).status).toBe(409);
		expect(nodeRuns(await api.execution(waiting.executionId), 'Done')).toBe(1);
	},
	Math.max(600_000, CALLS * 300),
);
