/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
// Links for people in a real n8n (both lines): Ignore Bots on the wait node and the trigger (a
// mail scanner's or a chat unfurler's fetch resumes nothing), and Confirm in Browser — a GET
// shows a page, HEAD/OPTIONS/prefetch/forged POSTs resume nothing, and Debian's Chromium
// (playwright-core, as the editor test launches it) renders the page and clicks Approve: only
// that click resumes, once, with the choice as data. The browser part runs on n8n 1.x too: the
// page is this package's own, not n8n's editor (which is why the editor test skips 1.x).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser } from 'playwright-core';

import { http, loadFixture, nodeOutput, nodeRuns, type WorkflowJson } from './harness/client';
import { ROOT, until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api, state } = shared();
const scenario = scenarios(api);

const CHROMIUM = process.env.ECB_CHROMIUM || '/usr/bin/chromium';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SCANNERS: Record<string, string> = {
	'Defender Safe Links': 'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b',
	'Slack unfurl': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
	'Teams preview':
		'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.79 Safari/537.36 Edge/14.14393 SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
};
const MESSAGE = 'Refund <script>alert(1)</script> of 12 € — "approve" it?';

const tokenOf = (html: string) => /name="ecb_token" value="([^"]+)"/.exec(html)?.[1];
const form = (fields: Record<string, string>) => ({
	headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': CHROME },
	body: new URLSearchParams(fields).toString(),
});

test('Ignore Bots (plain mode): scanner and unfurler GETs, a prefetch and HEAD resume nothing; a person\'s GET resumes', async () => {
	const { start } = await scenario.publishWait({ wait: { options: { ignoreBots: true } }, orderId: 'H-1' });
	const s = await start();
	for (const [name, ua] of Object.entries(SCANNERS)) {
		const r = await http('GET', s.callbackUrl, { headers: { 'user-agent': ua } });
		expect([name, r.status, r.json?.code]).toEqual([name, 403, 1060]);
		expect(r.text).not.toContain('signature');
	}
	const curl = await http('GET', s.callbackUrl, { headers: { 'user-agent': 'curl/8.5.0' } });
	expect([curl.status, curl.json?.code]).toEqual([403, 1060]);
	const prefetch = await http('GET', s.callbackUrl, { headers: { 'user-agent': CHROME, 'sec-purpose': 'prefetch' } });
	expect([prefetch.status, prefetch.json?.code]).toEqual([403, 1061]);
	// HEAD: n8n matches waiting webhooks by method and none is HEAD, so n8n answers it itself
	const head = await http('HEAD', s.callbackUrl, { headers: { 'user-agent': CHROME } });
	expect(head.status).toBe(404);
	await scenario.expectStillWaiting(s.executionId);

	const person = await http('GET', `${s.callbackUrl}&note=hi`, { headers: { 'user-agent': CHROME } });
	expect(person.status).toBe(200);
	const out = await scenario.doneOutput(s.executionId);
	expect(out).toMatchObject({ method: 'GET', data: { note: 'hi' }, failed: false });
});

test('Ignore Bots on the trigger: an unfurler starts nothing, a person starts one execution', async () => {
	const wf: WorkflowJson = loadFixture('trigger-basic');
	wf.nodes[0].parameters = { ...wf.nodes[0].parameters, options: { ignoreBots: true } };
	const { id, triggerUrl } = await api.publish(wf);
	const before = (await api.executions(id)).length;
	const bot = await http('GET', `${triggerUrl}?x=1`, { headers: { 'user-agent': SCANNERS['Slack unfurl'] } });
	expect([bot.status, bot.json?.code]).toEqual([403, 1060]);
	const person = await http('GET', `${triggerUrl}?x=2`, { headers: { 'user-agent': CHROME } });
	expect(person.status).toBe(200);
	const runs = await until('the person\'s execution', async () => {
		const list = (await api.executions(id)).filter((e) => e.status === 'success');
		return list.length > before ? list : undefined;
	});
	expect(runs).toHaveLength(before + 1);
	const out = nodeOutput(await api.execution(runs[0].id), 'External Callback Trigger')![0];
	expect(out.data).toEqual({ x: '2' });
});

describe('Confirm in Browser', () => {
	let browser: Browser | undefined;

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/install-chromium.sh`);
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--disable-dev-shm-usage',
				'--no-proxy-server',
				'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
			],
		});
	}, 60_000);

	afterAll(async () => {
		await browser?.close();
	});

	const publish = async () =>
		await scenario.publishWait({
			wait: {
				confirmInBrowser: true,
				confirmTitle: '=Approve the refund of execution {{ $json.executionId }}?',
				confirmMessage: MESSAGE,
				options: { ignoreBots: true },
			},
			orderId: 'H-2',
		});

	test('machines get no resume: HEAD, OPTIONS, scanners, prefetch, other methods and forged POSTs; the GET is the page', async () => {
		const { start } = await publish();
		const s = await start();

		expect((await http('HEAD', s.callbackUrl, { headers: { 'user-agent': CHROME } })).status).toBe(404);
		expect((await http('OPTIONS', s.callbackUrl, { headers: { 'user-agent': CHROME } })).status).toBe(204);
		for (const ua of Object.values(SCANNERS)) {
			const r = await http('GET', s.callbackUrl, { headers: { 'user-agent': ua } });
			expect([r.status, r.json?.code]).toEqual([403, 1060]);
		}
		const prefetch = await http('GET', s.callbackUrl, { headers: { 'user-agent': CHROME, purpose: 'prefetch' } });
		expect([prefetch.status, prefetch.json?.code]).toEqual([403, 1061]);

		const page = await http('GET', s.callbackUrl, { headers: { 'user-agent': CHROME } });
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(page.headers.get('cache-control')).toBe('no-store');
		expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
		expect(page.headers.get('referrer-policy')).toBe('no-referrer');
		expect(page.headers.get('x-frame-options')).toBe('DENY');
		expect(page.headers.get('content-security-policy')).toBe(
			"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		);
		expect(page.text).toContain(`<h1>Approve the refund of execution ${s.executionId}?</h1>`);
		expect(page.text).not.toContain('<script');
		expect(page.text).toContain('Refund &#60;script&#62;alert(1)&#60;/script&#62; of 12 € — &#34;approve&#34; it?');
		const token = tokenOf(page.text)!;
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		// the page's token is not the URL's secret
		expect(s.callbackUrl).not.toContain(token);
		// the fail URL's page has its own token
		const failPage = await http('GET', s.failUrl, { headers: { 'user-agent': CHROME } });
		expect(failPage.status).toBe(200);
		expect(tokenOf(failPage.text)).not.toBe(token);

		const forged = [
			form({ choice: 'approve' }),
			form({ ecb_token: 'x'.repeat(43), choice: 'approve' }),
			form({ ecb_token: tokenOf(failPage.text)!, choice: 'approve' }),
			{ headers: { 'content-type': 'application/json', 'user-agent': CHROME }, body: JSON.stringify({ choice: 'approve' }) },
		];
		for (const init of forged) {
			const r = await http('POST', s.callbackUrl, init);
			expect([r.status, r.json]).toEqual([403, { code: 1062, message: 'This link is confirmed on its page: open it in a browser and choose there' }]);
		}
		const notOffered = await http('POST', s.callbackUrl, form({ ecb_token: token, choice: 'maybe' }));
		expect([notOffered.status, notOffered.json?.code]).toEqual([400, 1063]);
		const put = await http('PUT', s.callbackUrl, form({ ecb_token: token, choice: 'approve' }));
		expect([put.status, put.json?.code, put.headers.get('allow')]).toEqual([405, 1064, 'GET, POST']);
		// a token-less POST from a scanner's user agent is a bot first
		const botPost = await http('POST', s.callbackUrl, { ...form({ ecb_token: token, choice: 'approve' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': SCANNERS['Defender Safe Links'] } });
		expect(botPost.json?.code).toBe(1060);
		await scenario.expectStillWaiting(s.executionId);
	});

	test('a browser renders the page and clicks Approve: that click resumes, exactly once, with the choice in data', async () => {
		const { start } = await publish();
		const s = await start();
		// Headless Chromium says "HeadlessChrome" (a bot to isbot, so Ignore Bots would refuse it);
		// a person's Chrome does not: the context sends that of a desktop Chrome.
		const context = await browser!.newContext({ userAgent: CHROME });
		const problems: string[] = [];
		try {
			const page = await context.newPage();
			page.on('console', (m) => {
				if (m.type() === 'error') problems.push(m.text());
			});
			page.on('pageerror', (e) => problems.push(e.message));
			const requests: string[] = [];
			// (the browser's own favicon request is not the page's)
			page.on('request', (r) => {
				if (!r.url().endsWith('/favicon.ico')) requests.push(`${r.method()} ${r.url()}`);
			});

			const response = await page.goto(s.callbackUrl);
			expect(response!.status()).toBe(200);
			expect(response!.headers()['content-security-policy']).toContain("form-action 'self'");
			await expect(page.title()).resolves.toBe(`Approve the refund of execution ${s.executionId}?`);
			// the escaped script is shown as text and did not run
			await expect(page.locator('p').innerText()).resolves.toBe(MESSAGE);
			await expect(page.locator('button').allInnerTexts()).resolves.toEqual(['Approve', 'Reject']);
			const shots = join(ROOT, 'test-artifacts', 'screenshots');
			mkdirSync(shots, { recursive: true });
			await page.screenshot({ path: join(shots, 'human-confirm-page.png') });
			// opening the page (and reloading it) resumes nothing
			await page.reload();
			await scenario.expectStillWaiting(s.executionId);

			const [posted] = await Promise.all([
				page.waitForResponse((r) => r.request().method() === 'POST'),
				page.locator('button', { hasText: 'Approve' }).click(),
			]);
			expect(posted.status()).toBe(200);
			await page.getByText('Your choice:').waitFor();
			await expect(page.locator('body').innerText()).resolves.toContain('Your choice: Approve. You can close this window.');
			await page.screenshot({ path: join(shots, 'human-confirm-done.png') });
			// the page loaded nothing but itself; the click posted to the same URL, query string (the secret) kept
			expect(requests).toEqual([`GET ${s.callbackUrl}`, `GET ${s.callbackUrl}`, `POST ${s.callbackUrl}`]);
		} finally {
			await context.close();
		}
		expect(problems).toEqual([]);

		const done = await scenario.doneOutput(s.executionId);
		expect(done).toMatchObject({ data: { choice: 'approve' }, method: 'POST', failed: false, timedOut: false });
		expect(JSON.stringify(done)).not.toContain('ecb_token');
		const exec = await api.execution(s.executionId);
		expect(nodeRuns(exec, 'External Callback Wait')).toBe(1);
		expect(nodeRuns(exec, 'Done')).toBe(1);
		// the link is spent: the page is gone and a second click resumes nothing
		expect((await http('GET', s.callbackUrl, { headers: { 'user-agent': CHROME } })).status).toBe(409);
		expect(nodeRuns(await api.execution(s.executionId), 'Done')).toBe(1);
	});
});

test('Confirm in Browser with the API key in the URL (Generate Callback URL): the page only with the key; its POST keeps it and resumes', async () => {
	const key = await scenario.credential('externalCallbackApiKeyApi', { apiKeys: 'mail-key-1', location: 'query', name: 'key' });
	const creds = { externalCallbackApiKeyApi: key };
	const { start } = await scenario.publishWait({
		generate: { addApiKey: true },
		generateCredentials: creds,
		wait: { confirmInBrowser: true, authentication: 'apiKey', refusedCalls: 'fail' },
		waitCredentials: creds,
		orderId: 'H-3',
	});
	const s = await start();
	const without = new URL(s.callbackUrl);
	without.searchParams.delete('key');
	const refused = await http('GET', without.toString(), { headers: { 'user-agent': CHROME } });
	expect([refused.status, refused.json?.code]).toEqual([401, 1001]);
	await scenario.expectStillWaiting(s.executionId);
	const page = await http('GET', s.callbackUrl, { headers: { 'user-agent': CHROME } });
	expect(page.status).toBe(200);
	const posted = await http('POST', s.callbackUrl, form({ ecb_token: tokenOf(page.text)!, choice: 'reject' }));
	expect(posted.status).toBe(200);
	expect(posted.text).toContain('<strong>Reject</strong>');
	const out = await scenario.doneOutput(s.executionId);
	expect(out).toMatchObject({ data: { choice: 'reject' }, user: { apiKey: 'key#1' }, failed: false });
	expect(JSON.stringify(out)).not.toContain('mail-key-1');
});

test('Confirm in Browser does not cover the stable URL: a GET there resumes as without it', async () => {
	const n8nApi = await scenario.credential('externalCallbackN8nApi', { baseUrl: state.instance.baseUrl, apiKey: state.instance.apiKey });
	const { start, stableUrl } = await scenario.publishWait({
		wait: { stableUrl: true, confirmInBrowser: true },
		waitCredentials: { externalCallbackN8nApi: n8nApi },
		orderId: 'H-4',
	});
	const s = await start();
	// the execution's own URL is a link for people: the page
	expect((await http('GET', s.callbackUrl, { headers: { 'user-agent': CHROME } })).text).toContain('<form method="post">');
	const r = await http('GET', `${stableUrl}?execution=${s.executionId}&status=ok`, { headers: { 'user-agent': CHROME } });
	expect(r.status).toBe(200);
	expect(r.headers.get('x-execution-id')).toBe(s.executionId);
	expect((await scenario.doneOutput(s.executionId)).data).toEqual({ status: 'ok' });
});
