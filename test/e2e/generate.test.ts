/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';

import { http, nodeOutput, postJson, type OutputJson } from './harness/client';
import { sleep } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api, state } = shared();
const major = state.instance.n8nMajor ?? Number(String(state.install.version).split('.')[0]);

const scenario = scenarios(api);
/** wait-basic with these generator and wait parameters (the credentials on both); a starter with the generator's output. */
async function publish(generate: Record<string, unknown>, wait: Record<string, unknown> = {}, creds?: Record<string, unknown>) {
	const p = await scenario.publishWait({ generate, wait, generateCredentials: creds, waitCredentials: creds, orderId: 'G-1', readGenerated: true });
	return Object.assign(() => p.start(), { workflowId: p.workflowId, triggerUrl: p.triggerUrl });
}

// A URL that expires in 2 s: checked last, after n8n's wait tracker (≤ 70 s) timed it out.
let expiring: { executionId: string; callbackUrl: string; generated: OutputJson };
beforeAll(async () => {
	const start = await publish({ expiry: 'lifetime', expiryAmount: 2, expiryUnit: 'seconds' });
	expiring = await start();
});

test('base URL override: the URL shows the proxy origin and path prefix, and resolves through the proxy', async () => {
	// a loopback reverse proxy that serves n8n under /n8n-prefix
	const target = new URL(api.base);
	const proxy: Server = createServer((req, res) => {
		if (!req.url?.startsWith('/n8n-prefix/')) {
			res.writeHead(404).end();
			return;
		}
		const upstream = request(
			{ host: target.hostname, port: target.port, path: req.url.slice('/n8n-prefix'.length), method: req.method, headers: { ...req.headers, host: target.host } },
			(up) => {
				res.writeHead(up.statusCode ?? 502, up.headers);
				up.pipe(res);
			},
		);
		req.pipe(upstream);
	});
	await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
	const proxyBase = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/n8n-prefix`;
	try {
		const start = await publish({ baseUrl: proxyBase });
		const s = await start();
		expect(s.callbackUrl.startsWith(`${proxyBase}/webhook-waiting/${s.executionId}/`)).toBe(true);
		expect(s.failUrl.startsWith(`${proxyBase}/webhook-waiting/`)).toBe(true);
		const r = await postJson(s.callbackUrl, { via: 'proxy' });
		expect(r.status).toBe(200);
		expect(nodeOutput(await api.waitForStatus(s.executionId, ['success']), 'Done')![0].data).toEqual({ via: 'proxy' });
	} finally {
		proxy.closeAllConnections();
		await new Promise<void>((r) => proxy.close(() => r()));
	}
});

test('base URL override is validated: plain http to a public host is refused', async () => {
	const start = await publish({ baseUrl: 'http://hooks.example.com' });
	const r = await postJson(start.triggerUrl, { orderId: 'G-1' });
	// The workflow fails before its Respond to Webhook node: n8n 2.x answers 500, n8n 1.123
	// answers 200 with an empty body. Either way the execution failed with the node's message.
	expect(r.status).toBe(major >= 2 ? 500 : 200);
	expect(r.text).not.toContain('callbackUrl');
	const [failed] = await api.executions(start.workflowId, 'error');
	const e = await api.execution(failed.id);
	expect(e.data.resultData.error.message).toBe('Base URL must start with https:// (http:// only for localhost/loopback)');
	expect(e.data.resultData.lastNodeExecuted).toBe('Generate Callback URL');
});

test('API key in the URL: the generated URL carries it and works; without it the call is refused', async () => {
	const cred = await api.api('POST', '/credentials', {
		name: `url key ${randomUUID().slice(0, 6)}`,
		type: 'externalCallbackApiKeyApi',
		data: { apiKeys: 'url-key-1', location: 'query', name: 'key' },
	});
	const creds = { externalCallbackApiKeyApi: { id: cred.id, name: cred.name } };
	const start = await publish({ addApiKey: true }, { authentication: 'apiKey', onFail: 'error' }, creds);
	const s = await start();
	expect(new URL(s.callbackUrl).searchParams.get('key')).toBe('url-key-1');
	const without = new URL(s.callbackUrl);
	without.searchParams.delete('key');
	const refused = await http('GET', without.toString());
	expect(refused.status).toBe(401);
	expect(refused.json).toEqual({ code: 1001, message: 'Authentication required: no API key in the request' });
	expect((await api.execution(s.executionId, false)).status).toBe('waiting');
	const ok = await http('GET', `${s.callbackUrl}&status=done`);
	expect(ok.status).toBe(200);
	const out = nodeOutput(await api.waitForStatus(s.executionId, ['success']), 'Done')![0];
	expect(out.data).toEqual({ status: 'done' });
	expect(JSON.stringify(out)).not.toContain('url-key-1');
});

test('an expired URL → 410 JSON and nothing resumed, even before n8n times the wait out; then the timeout path runs', async () => {
	expect(Date.parse(expiring.generated.expiresAt)).toBeGreaterThan(Date.now() - 120_000);
	await sleep(Math.max(0, Date.parse(expiring.generated.expiresAt) + 500 - Date.now()));
	const r = await postJson(expiring.callbackUrl, { late: true });
	expect(r.status).toBe(410);
	expect(r.json).toEqual({ code: 1040, message: `This callback URL expired at ${expiring.generated.expiresAt}` });
	const e = await api.waitForStatus(expiring.executionId, ['success'], 150_000);
	const out = nodeOutput(e, 'Done')![0];
	expect(out.timedOut).toBe(true);
	expect(out.data).toBeUndefined();
}, 200_000);
