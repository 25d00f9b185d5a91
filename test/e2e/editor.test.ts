/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
// Browser test of the nodes in n8n's real editor: playwright-core (no browser download) drives
// Debian's Chromium (scripts/install-chromium.sh installs it when missing) against the shared n8n.
// It logs in as the owner, opens every example workflow, each of our nodes (node details view)
// and each of our credential types (credential modal), and checks that they render: parameters
// visible, the parameters of each mode appear when the mode is switched on, no issue or error
// banners, no browser errors coming from our package. Screenshots: test-artifacts/screenshots/.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { http, type WorkflowJson } from './harness/client';
import { ROOT, until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OWNER } = require('../../scripts/lib/n8n.js') as { OWNER: { email: string; password: string } };

const { state, api } = shared();
const scenario = scenarios(api);
const base = state.instance.baseUrl;

const PKG = 'n8n-nodes-external-callback';
const CHROMIUM = process.env.ECB_CHROMIUM || '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const EXAMPLES = join(ROOT, 'examples');
const WAIT = `${PKG}.externalCallbackWait`;
const GENERATE = `${PKG}.generateCallbackUrl`;
const TRIGGER = `${PKG}.externalCallbackTrigger`;
/** A browser message is ours when it names our package, a node or a credential type of it. */
const OURS = /externalCallback|external-callback|External Callback|generateCallbackUrl|Generate Callback URL/i;

// What n8n actually loaded: the installed copy of the package, not the source tree.
const installed = join(state.nodesDir, 'node_modules', PKG);
const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
interface Prop {
	displayName: string;
	name: string;
	type: string;
	displayOptions?: unknown;
}
interface Described {
	name: string;
	displayName: string;
	properties: Prop[];
}
/** An instance of the class a dist file exports; `T`: what the test reads of it. */
const load = <T>(file: string): T => {
	const mod = require(join(installed, file)); // eslint-disable-line @typescript-eslint/no-require-imports
	return new (Object.values(mod)[0] as new () => T)();
};
const nodeDescriptions: Record<string, { displayName: string; properties: Prop[] }> = Object.fromEntries(
	(pkg.n8n.nodes as string[]).map((f) => {
		// a versioned node (External Callback Wait): the description of its default version
		const type = load<{ description: Described; getNodeType?: () => { description: Described } }>(f);
		const d = type.getNodeType ? type.getNodeType().description : type.description;
		return [`${PKG}.${d.name}`, d];
	}),
);
const credentialTypes: Described[] = (pkg.n8n.credentials as string[]).map((f) => load<Described>(f));

let browser: Browser;
let page: Page;
/** What is open now (our node or credential), for the console listeners. */
let scope: string | undefined;
const problems: string[] = [];
/** Workflows this file made (deleted at the end: other e2e files list the instance's workflows). */
const workflows: string[] = [];
const ignored: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shot = async (name: string) =>
	await page.screenshot({ path: join(SHOTS, `${name.replace(/[^a-zA-Z0-9._-]+/g, '_')}.png`) });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const loopback = (url: string) => /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url) || !/^(https?|wss?):/.test(url);

function watch(p: Page) {
	p.on('console', (m) => {
		if (m.type() !== 'error') return;
		const at = m.location()?.url ?? '';
		const text = `${m.text()}${at ? ` (at ${at})` : ''}`;
		// n8n's editor asks hosts outside this machine (e.g. the package registry for a community
		// node's details): the closed network refuses them. That is noise, even when it names us.
		const outside = at && !loopback(at) && /^Failed to load resource/.test(m.text());
		if (OURS.test(text) && !outside) problems.push(`[${scope ?? 'editor'}] console error: ${text}`);
		else ignored.push(`[${scope ?? 'editor'}] console error: ${text}`);
	});
	p.on('pageerror', (e) => {
		const text = e.stack || e.message;
		// An uncaught error while our node or credential is open, or one naming us, is ours.
		if (scope || OURS.test(text)) problems.push(`[${scope ?? 'editor'}] uncaught page error: ${text}`);
		else ignored.push(`[editor] uncaught page error: ${text}`);
	});
	p.on('response', (r) => {
		if (r.status() >= 400 && loopback(r.url()) && r.url().includes(PKG)) {
			problems.push(`[${scope ?? 'editor'}] HTTP ${r.status()} ${r.url()}`);
		}
	});
	p.on('requestfailed', (r) => {
		const error = r.failure()?.errorText ?? '';
		const text = `request failed: ${r.url()} ${error}`;
		// Our icons and assets come from n8n itself; aborted requests are navigation, not failures.
		if (loopback(r.url()) && r.url().includes(PKG) && error !== 'net::ERR_ABORTED') problems.push(`[${scope ?? 'editor'}] ${text}`);
		else ignored.push(`[${scope ?? 'editor'}] ${text}`);
	});
}

/** Fails the current test with the browser errors collected since the last call. */
function expectNoBrowserErrors() {
	expect(problems.splice(0)).toEqual([]);
}

// ---- node details view -----------------------------------------------------------------------
const ndv = () => page.locator('[data-test-id="ndv"]');
const param = (name: string) => ndv().locator(`[data-test-id="parameter-input-${name}"]`).first();

/** Opens a workflow in the editor and waits until all its nodes are on the canvas. */
async function openWorkflow(id: string, nodes: WorkflowJson['nodes']) {
	const STICKY = 'n8n-nodes-base.stickyNote';
	const names = nodes.filter((n) => n.type !== STICKY).map((n) => n.name).sort();
	await page.goto(`${base}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 30_000 });
	const onCanvas = async () =>
		(await page.locator('[data-test-id="canvas-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name') ?? '')))
			.filter((n) => names.includes(n))
			.sort();
	const deadline = Date.now() + 15_000;
	while ((await onCanvas()).length < names.length && Date.now() < deadline) await sleep(200);
	expect(await onCanvas()).toEqual(names);
	const stickies = nodes.filter((n) => n.type === STICKY).length;
	if (stickies) expect(await page.locator('[data-test-id="sticky"]').count()).toBe(stickies);
}

async function openNode(name: string) {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	await ndv().waitFor({ timeout: 15_000 });
	await ndv().locator('[data-test-id="node-parameters"]').waitFor({ timeout: 15_000 });
	await sleep(300);
}

async function closeNdv() {
	await ndv().locator('[data-test-id="ndv-close-button"]').click();
	await ndv().waitFor({ state: 'hidden', timeout: 10_000 });
	scope = undefined;
}

/** Issue markers of a node on the canvas (n8n 2 marks a missing credential there, not in the NDV). */
/** The subtitle a node shows on the canvas, once it is the expected one (or what it is at the timeout). */
async function canvasSubtitle(name: string, expected: string): Promise<string> {
	const box = page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	const read = async () => (await box.locator('[class*="subtitle"]').allInnerTexts()).map((t) => t.trim()).join(' | ');
	const deadline = Date.now() + 10_000;
	let text = await read();
	while (text !== expected && Date.now() < deadline) {
		await sleep(250);
		text = await read();
	}
	return text;
}

async function canvasIssues(name: string): Promise<string[]> {
	const marks = page
		.locator(`[data-test-id="canvas-node"][data-node-name="${name}"] [data-test-id="node-issues"]`)
		.filter({ visible: true });
	return (await marks.count()) ? [`${name}: issues marked on the canvas`] : [];
}

/** Issue markers (missing parameters or credentials) and error callouts in the open NDV. */
async function ndvIssues(): Promise<string[]> {
	const marks = ndv()
		.locator('[data-test-id="node-issues"], [data-test-id="parameter-issues"], [data-test-id="node-error-callout"]')
		.filter({ visible: true });
	const out: string[] = [];
	for (const m of await marks.all()) {
		out.push(((await m.getAttribute('data-test-id')) ?? '') + ': ' + ((await m.getAttribute('title')) || (await m.innerText()) || ''));
	}
	return out;
}

async function expectShown(names: string[]) {
	for (const n of names) {
		await param(n)
			.waitFor({ state: 'visible', timeout: 5_000 })
			.catch(() => {
				throw new Error(`parameter ${n} is not shown`);
			});
	}
}

async function expectHidden(names: string[]) {
	for (const n of names) {
		await param(n)
			.waitFor({ state: 'hidden', timeout: 5_000 })
			.catch(() => {
				throw new Error(`parameter ${n} is shown`);
			});
	}
}

/** Every property without display conditions is on screen (notices and collections by text). */
async function expectAlwaysShownParameters(type: string) {
	const props = nodeDescriptions[type].properties.filter((p) => !p.displayOptions && p.type !== 'hidden');
	expect(props.length).toBeGreaterThan(0);
	const list = ndv().locator('[data-test-id="node-parameters"]');
	for (const p of props) {
		if (['notice', 'collection', 'fixedCollection'].includes(p.type)) {
			await list
				.getByText(p.displayName.slice(0, 40), { exact: false })
				.first()
				.waitFor({ state: 'visible', timeout: 5_000 })
				.catch(() => {
					throw new Error(`${type}: ${p.type} "${p.displayName}" is not shown`);
				});
		} else {
			await expectShown([p.name]);
		}
	}
}

async function toggle(name: string) {
	await param(name).locator('.el-switch').first().click();
	await sleep(200);
}

async function choose(name: string, option: string) {
	await param(name).click();
	const item = page
		.locator('[data-test-id="parameter-input-item"]')
		.filter({ visible: true })
		.filter({ hasText: new RegExp(`^\\s*${escape(option)}`) })
		.first();
	await item.waitFor({ timeout: 5_000 });
	await item.click();
	await sleep(250);
}

async function credentialLabels(): Promise<string[]> {
	return await ndv().locator('[data-test-id="credentials-label"]').filter({ visible: true }).allInnerTexts();
}

/** The URLs of the Webhook URLs panel for one of its tabs ('test' or 'production'). */
async function webhookUrls(tab: 'test' | 'production'): Promise<string[]> {
	const panel = ndv().locator('.webhooks').first();
	await panel.waitFor({ timeout: 5_000 }).catch(() => {
		throw new Error('the NDV has no Webhook URLs panel');
	});
	if (!(await panel.locator(`[data-test-id="radio-button-${tab}"]`).isVisible())) {
		await panel.getByText('Webhook URLs', { exact: true }).click();
	}
	await panel.locator(`[data-test-id="radio-button-${tab}"]`).click();
	await sleep(300);
	return (await panel.locator('.webhook-url').allInnerTexts()).map((t) => t.trim());
}

/** Imports a workflow through the public API (not published) and returns its id. */
async function workflowWith(name: string, nodes: WorkflowJson['nodes'], connections: WorkflowJson['connections'] = {}): Promise<string> {
	const created = await api.api('POST', '/workflows', { name, nodes, connections, settings: {} });
	workflows.push(created.id);
	return created.id;
}

const node = (name: string, type: string, x: number, parameters: Record<string, unknown> = {}) => ({
	id: randomUUID(),
	name,
	type,
	typeVersion: 1,
	position: [x, 0] as [number, number],
	parameters,
});

// ---- set-up ----------------------------------------------------------------------------------
beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/install-chromium.sh`);
	rmSync(SHOTS, { recursive: true, force: true });
	mkdirSync(SHOTS, { recursive: true });
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
			// Loopback only: names other than the n8n under test do not resolve, so n8n's editor
			// (which asks e.g. the package registry about community nodes) reaches nothing outside.
			'--no-proxy-server',
			'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
		],
	});
	// chromium.launch starts the browser with a fresh temporary user-data-dir (removed on close).
	const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
	context.setDefaultTimeout(20_000);
	page = await context.newPage();
	watch(page);
	await page.goto(`${base}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((u) => !u.pathname.includes('signin'), { timeout: 30_000 });
}, 120_000);

beforeEach(() => {
	scope = undefined;
});

// Errors a failed test left behind are reported here and not blamed on the next test.
afterEach(() => {
	if (problems.length) process.stdout.write(`\n[editor] browser errors left by a failed test:\n  ${problems.splice(0).join('\n  ')}\n`);
});

afterAll(async () => {
	if (ignored.length) {
		writeFileSync(join(SHOTS, 'ignored-browser-messages.log'), ignored.join('\n') + '\n');
		process.stdout.write(`\n[editor] ${ignored.length} browser messages ignored (n8n noise, not from our package):\n  ${ignored.join('\n  ')}\n`);
	}
	await browser?.close();
	let deleted = 0;
	for (const id of workflows) deleted += await api.api('DELETE', `/workflows/${id}`).then(() => 1, () => 0);
	process.stdout.write(`[editor] deleted ${deleted} of the ${workflows.length} workflows this test made\n`);
});

// ---- tests -----------------------------------------------------------------------------------
test('the browser error listeners catch a console error and an uncaught error naming the package', async () => {
	await page.evaluate(() => {
		// eslint-disable-next-line no-console -- runs in the browser page: the listener self-check needs a console error
		console.error('n8n-nodes-external-callback: listener self-check');
		setTimeout(() => {
			throw new Error('externalCallbackWait: listener self-check');
		});
	});
	const deadline = Date.now() + 5_000;
	while (problems.length < 2 && Date.now() < deadline) await sleep(100);
	expect(problems.splice(0)).toEqual([
		expect.stringMatching(/console error: n8n-nodes-external-callback: listener self-check/),
		expect.stringMatching(/uncaught page error: .*externalCallbackWait: listener self-check/),
	]);
});

test('the node picker finds each node by its display name; the trigger added from it renders', async () => {
	await page.goto(`${base}/workflow/new`);
	await page.locator('[data-test-id="canvas-wrapper"]').waitFor({ timeout: 30_000 });
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	const search = page.locator('[data-test-id="node-creator-search-bar"]').first();
	const names = page.locator('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]');
	const found = async (term: string) => {
		await search.fill(term);
		await sleep(600);
		return await names.allInnerTexts();
	};
	expect(await found('External Callback')).toEqual(expect.arrayContaining(['External Callback Wait', 'External Callback Trigger']));
	await shot('picker-external-callback');
	expect(await found('Generate Callback URL')).toContain('Generate Callback URL');
	await shot('picker-generate-callback-url');
	for (const d of Object.values(nodeDescriptions)) expect(await found(d.displayName)).toContain(d.displayName);

	// Add the trigger from the picker: n8n places it and opens its NDV.
	await found('External Callback Trigger');
	scope = 'External Callback Trigger (added from the picker)';
	await names.filter({ hasText: /^External Callback Trigger$/ }).first().click();
	// A community node first shows its details panel ("Installed", "Add to workflow").
	const add = page.locator('[data-test-id="node-creator"]').getByRole('button', { name: 'Add to workflow' });
	await Promise.race([add.waitFor({ timeout: 10_000 }), ndv().waitFor({ timeout: 10_000 })]);
	await shot('picker-external-callback-trigger-details');
	if (await add.isVisible()) await add.click();
	await ndv().waitFor({ timeout: 15_000 });
	await ndv().locator('[data-test-id="node-parameters"]').waitFor();
	await expectAlwaysShownParameters(TRIGGER);
	expect(await ndvIssues()).toEqual([]);
	// The trigger serves its own webhook: the panel lists it under /webhook/.
	expect((await webhookUrls('production')).some((u) => /\/webhook\/[^/]+$/.test(u))).toBe(true);
	// Guards: a credential slot appears with an authentication method, roles only for role-aware ones.
	await expectHidden(['requiredRoles', 'rolesMatch', 'onFail']);
	await choose('authentication', 'JWT');
	await expectShown(['requiredRoles', 'rolesMatch', 'onFail']);
	expect((await credentialLabels()).join(' ')).toContain('External Callback: JWT API');
	await shot('node-externalCallbackTrigger-jwt');
	await closeNdv();
	// The subtitle names the method chosen by its label, not its value ("auth: jwt").
	expect(await canvasSubtitle('External Callback Trigger', 'auth: JWT')).toBe('auth: JWT');
	const saved = /\/workflow\/([^/?#]+)/.exec(new URL(page.url()).pathname)?.[1];
	if (saved && saved !== 'new') workflows.push(saved);
	expectNoBrowserErrors();
});

describe('example workflows', () => {
	const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
	test('there are examples', () => expect(files.length).toBeGreaterThan(0));
	test.each(files)('examples/%s opens, and each of our nodes in it renders without issues', async (file) => {
		const wf = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as WorkflowJson;
		const id = await workflowWith(`${wf.name} (editor test)`, wf.nodes, wf.connections);
		await openWorkflow(id, wf.nodes);
		await sleep(500);
		await shot(`example-${file.replace(/\.json$/, '')}`);
		const ours = wf.nodes.filter((n) => n.type.startsWith(`${PKG}.`));
		for (const n of ours) {
			expect(await canvasIssues(n.name)).toEqual([]);
			scope = `${file}: ${n.name}`;
			await openNode(n.name);
			await expectAlwaysShownParameters(n.type);
			expect({ node: n.name, issues: await ndvIssues() }).toEqual({ node: n.name, issues: [] });
			await shot(`example-${file.replace(/\.json$/, '')}-node-${n.name}`);
			await closeNdv();
		}
		expectNoBrowserErrors();
	});
});

test('External Callback Wait: stable URL, guards, respond modes and wait limit', async () => {
	const nodes = [node('Wait', WAIT, 0)];
	const id = await workflowWith('Editor test: wait', nodes);
	await openWorkflow(id, nodes);
	expect(await canvasIssues('Wait')).toEqual([]);
	expect(await canvasSubtitle('Wait', 'respond: Immediately, 200 With Empty Body')).toBe('respond: Immediately, 200 With Empty Body');
	scope = 'External Callback Wait';
	await openNode('Wait');
	await expectAlwaysShownParameters(WAIT);
	expect(await ndvIssues()).toEqual([]);
	// Next to the intro: n8n's $execution.resumeUrl does not resume this node, what does, and the docs.
	const notice = ndv().locator('[data-test-id="node-parameters"]').getByText('{{ $execution.resumeUrl }} does not resume this node', { exact: false });
	await notice.first().waitFor({ state: 'visible', timeout: 5_000 });
	const noticeText = await notice.first().innerText();
	expect(noticeText).toContain('Generate Callback URL');
	expect(noticeText).toContain('Stable URL');
	const docs = ndv().locator('a[href="https://github.com/n8n-nodes-external-callback/n8n-nodes-external-callback#external-callback-wait"]');
	expect(await docs.filter({ visible: true }).count()).toBe(1);
	await shot('node-externalCallbackWait-default');

	// Stable URL off: no stable-URL parameters, no n8n API credential slot, no /callback URL
	// under Webhook URLs (the resume webhooks are n8n's restart webhooks, never listed there).
	await expectHidden(['stateParameter', 'repeatedStatus']);
	expect((await credentialLabels()).join(' ')).not.toContain('External Callback: N8n API');
	const listed = (await ndv().locator('.webhooks').count())
		? [...(await webhookUrls('test')), ...(await webhookUrls('production'))]
		: [];
	expect(listed.filter((u) => u.endsWith('/callback'))).toEqual([]);
	await toggle('stableUrl');
	await expectShown(['stateParameter', 'repeatedStatus']);
	expect((await credentialLabels()).join(' ')).toContain('External Callback: N8n API');
	await ndv().getByText('Without authentication, anyone who knows the stable URL', { exact: false }).waitFor();
	const production = await webhookUrls('production');
	expect(production.some((u) => new RegExp(`^${escape(base)}/webhook/[0-9a-f-]+/callback$`).test(u))).toBe(true);
	const testUrls = await webhookUrls('test');
	expect(testUrls.some((u) => new RegExp(`^${escape(base)}/webhook-test/[0-9a-f-]+/callback$`).test(u))).toBe(true);
	expect(await ndvIssues()).toEqual([]);
	await shot('node-externalCallbackWait-stable-url');

	// Confirm in Browser: off hides the page's parameters; on shows title, message and buttons.
	await expectHidden(['confirmTitle', 'confirmMessage']);
	await toggle('confirmInBrowser');
	await expectShown(['confirmTitle', 'confirmMessage']);
	await ndv().locator('[data-test-id="node-parameters"]').getByText('Add Button', { exact: false }).first().waitFor();
	await ndv().getByText('its buttons post back to the same URL', { exact: false }).waitFor();
	expect(await ndvIssues()).toEqual([]);
	await shot('node-externalCallbackWait-confirm-in-browser');

	// Guards: each authentication method asks for its credential; roles only where they exist.
	const methods: Array<[string, string, boolean]> = [
		['API Key', 'External Callback: API Key API', false],
		['Backendless User Token', 'External Callback: Backendless User Token API', true],
		['JWT', 'External Callback: JWT API', true],
		['OAuth2 Token Introspection', 'External Callback: OAuth2 Token Introspection API', true],
		['User Lookup Endpoint', 'External Callback: User Lookup API', true],
		['Webhook Signature', 'External Callback: Webhook Signature API', false],
	];
	for (const [option, credential, roles] of methods) {
		await choose('authentication', option);
		expect((await credentialLabels()).join(' ')).toContain(credential);
		await expectShown(['onFail']);
		if (roles) await expectShown(['requiredRoles', 'rolesMatch']);
		else await expectHidden(['requiredRoles', 'rolesMatch']);
	}
	await shot('node-externalCallbackWait-auth-signature');
	await choose('authentication', 'None');
	await expectHidden(['requiredRoles', 'rolesMatch', 'onFail']);

	// Respond modes.
	await expectHidden(['responseCode', 'responseBody', 'redirectUrl', 'redirectStatus']);
	await choose('respond', 'Immediately, Custom Response');
	await expectShown(['responseCode', 'responseBody']);
	await expectHidden(['redirectUrl']);
	await choose('respond', 'Immediately, Redirect');
	await expectShown(['redirectUrl', 'redirectStatus']);
	await expectHidden(['responseCode', 'responseBody']);
	// The hint says $json (not the lint-cased $JSON of the description it replaced).
	expect(await ndv().locator('[data-test-id="node-parameters"]').innerText()).toContain('the waiting item ($json)');
	await shot('node-externalCallbackWait-respond-redirect');

	// Wait limit: off hides its parameters; interval vs date.
	await expectHidden(['limitType', 'resumeAmount', 'resumeUnit', 'maxDateAndTime']);
	await toggle('limitWaitTime');
	await expectShown(['limitType', 'resumeAmount', 'resumeUnit']);
	await expectHidden(['maxDateAndTime']);
	await choose('limitType', 'At Specified Time');
	await expectShown(['maxDateAndTime']);
	await expectHidden(['resumeAmount', 'resumeUnit']);
	await shot('node-externalCallbackWait-limit-date');
	await closeNdv();
	// Negative control: the redirect URL and the limit date are required and left empty, so the
	// canvas must mark the node — the issue check used everywhere else can fail. (n8n computes
	// canvas issues lazily after the NDV closes.)
	const deadline = Date.now() + 20_000;
	let issues = await canvasIssues('Wait');
	while (!issues.length && Date.now() < deadline) {
		await sleep(250);
		issues = await canvasIssues('Wait');
	}
	expect(issues).toEqual(['Wait: issues marked on the canvas']);
	expect(await canvasSubtitle('Wait', 'respond: Immediately, Redirect')).toBe('respond: Immediately, Redirect');
	expectNoBrowserErrors();
});

test('External Callback Wait version 2 (what the editor places): its notice, no issues, the stable URL listed only while on', async () => {
	const nodes = [{ ...node('Wait v2', WAIT, 0), typeVersion: 2 }];
	const id = await workflowWith('Editor test: wait version 2', nodes);
	await openWorkflow(id, nodes);
	expect(await canvasIssues('Wait v2')).toEqual([]);
	scope = 'External Callback Wait version 2';
	await openNode('Wait v2');
	expect(await ndvIssues()).toEqual([]);
	const params = ndv().locator('[data-test-id="node-parameters"]');
	await params.getByText('{{ $execution.resumeUrl }} resumes this node too', { exact: false }).first().waitFor({ state: 'visible', timeout: 5_000 });
	expect(await params.getByText('does not resume this node', { exact: false }).count()).toBe(0);
	const listed = (await ndv().locator('.webhooks').count()) ? [...(await webhookUrls('test')), ...(await webhookUrls('production'))] : [];
	expect(listed.filter((u) => u.endsWith('/callback'))).toEqual([]);
	await toggle('stableUrl');
	expect((await webhookUrls('production')).some((u) => new RegExp(`^${escape(base)}/webhook/[0-9a-f-]+/callback$`).test(u))).toBe(true);
	await shot('node-externalCallbackWait-v2');
	await closeNdv();
	expectNoBrowserErrors();
});

test('External Callback Wait waiting in a manual execution: the NDV shows its callback, fail and stable URLs', async () => {
	const published = await scenario.publishWait({ wait: { stableUrl: true } });
	workflows.push(published.workflowId);
	const path = String(published.wf.nodes.find((n) => n.name === 'Start')!.parameters.path);
	scope = 'External Callback Wait (waiting execution)';
	await openWorkflow(published.workflowId, published.wf.nodes);
	// n8n shows a waiting node's waitingNodeTooltip where the editor follows the execution: run the
	// workflow from the editor and call its test webhook.
	await page.locator('[data-test-id="execute-workflow-button"]').first().click();
	const started = await until('the test webhook to start the workflow', async () => {
		const r = await http('POST', `${base}/webhook-test/${path}`, { headers: { 'content-type': 'application/json' }, body: '{"orderId":"o-ed"}' });
		return r.status === 200 ? (JSON.parse(r.text) as { callbackUrl: string; failUrl: string; executionId: string }) : undefined;
	});
	const executionId = String(started.executionId);
	try {
		await api.waitForStatus(executionId, ['waiting']);
		const stable = `${published.stableUrl}?execution=${executionId}`;
		await sleep(1000);
		await openNode('External Callback Wait');
		const output = ndv().locator('[data-test-id="output-panel"]');
		await output
			.getByText('Waiting for a call to the callback URL', { exact: false })
			.first()
			.waitFor({ timeout: 15_000 })
			.catch(async () => {
				await shot('execution-waiting-ndv-failed');
				throw new Error(`the output panel shows no waiting tooltip; it reads:\n${await output.innerText()}`);
			});
		await shot('execution-waiting-ndv-tooltip');
		const text = await output.innerText();
		expect(text).toContain('Waiting for input');
		expect(text).toContain(`Waiting for a call to the callback URL of this execution: ${started.callbackUrl}`);
		expect(text).toContain(`Fail URL (resumes with failed: true): ${started.failUrl}`);
		expect(text).toContain(`Stable URL (while the workflow is published): ${stable}`);
		const links = await output.locator('a[target="_blank"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
		expect(links).toEqual(expect.arrayContaining([started.callbackUrl, started.failUrl, stable]));
		await closeNdv();
		expectNoBrowserErrors();
	} finally {
		// Leave nothing waiting on the shared n8n.
		await http('POST', started.callbackUrl, { headers: { 'content-type': 'application/json' }, body: '{}' });
		await api.waitForStatus(executionId, ['success']).catch(() => undefined);
	}
});

test('Generate Callback URL: URL forms, expiry modes and API key', async () => {
	const nodes = [node('Generate', GENERATE, 0), node('Wait', WAIT, 300)];
	const id = await workflowWith('Editor test: generate', nodes);
	await openWorkflow(id, nodes);
	expect([...(await canvasIssues('Generate')), ...(await canvasIssues('Wait'))]).toEqual([]);
	scope = 'Generate Callback URL';
	await openNode('Generate');
	await expectAlwaysShownParameters(GENERATE);
	expect(await ndvIssues()).toEqual([]);
	await shot('node-generateCallbackUrl-path');
	await choose('urlForm', 'State (Fixed URL Plus State Parameter)');
	await expectShown(['urlForm', 'waitNode', 'expiry', 'addApiKey', 'baseUrl']);
	expect(await param('urlForm').locator('input').first().inputValue()).toContain('State');
	expect(await ndvIssues()).toEqual([]);
	await shot('node-generateCallbackUrl-state');
	await choose('urlForm', 'Path (Resume URL of This Execution)');

	await expectHidden(['expiryAmount', 'expiryUnit', 'expiryDate']);
	await choose('expiry', 'After a Lifetime');
	await expectShown(['expiryAmount', 'expiryUnit']);
	await expectHidden(['expiryDate']);
	await choose('expiry', 'At a Date');
	await expectShown(['expiryDate']);
	await expectHidden(['expiryAmount', 'expiryUnit']);

	expect((await credentialLabels()).join(' ')).not.toContain('External Callback: API Key API');
	await toggle('addApiKey');
	expect((await credentialLabels()).join(' ')).toContain('External Callback: API Key API');
	await shot('node-generateCallbackUrl-api-key');
	await closeNdv();
	// (No canvas-issue check here: n8n fills the credential slot with any existing credential of
	// the type, and other tests on this shared n8n may have made one. The negative control of the
	// canvas check is at the end of the wait node's test.)
	expectNoBrowserErrors();
});

describe('credential types', () => {
	test('the package has 7 credential types', () => expect(credentialTypes).toHaveLength(7));
	test.each(credentialTypes.map((c) => [c.displayName, c] as const))('%s: the create dialog renders', async (_name, cred) => {
		scope = `credential ${cred.name}`;
		await page.goto(`${base}/home/credentials/create`);
		const select = page.locator('[data-test-id="new-credential-type-select"] input').first();
		await select.waitFor({ timeout: 20_000 });
		await select.click();
		await select.fill(cred.displayName);
		const option = page
			.locator('[data-test-id="new-credential-type-select-option"]')
			.filter({ hasText: new RegExp(`^\\s*${escape(cred.displayName)}\\s*$`) })
			.first();
		await option.waitFor({ timeout: 10_000 });
		await option.click();
		await page.locator('[data-test-id="new-credential-type-button"]').click();
		const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
		await dialog.waitFor({ timeout: 15_000 });
		await dialog.locator('[data-test-id="credential-connection-parameter"]').first().waitFor({ timeout: 10_000 });
		await sleep(300);
		// The header names the type (under the default name of the new credential).
		await page.getByText(cred.displayName, { exact: true }).filter({ visible: true }).first().waitFor({ timeout: 5_000 });
		const labels = await dialog.locator('[data-test-id="credential-connection-parameter"]').allInnerTexts();
		for (const p of cred.properties.filter((x) => !x.displayOptions && x.type !== 'hidden')) {
			if (p.type === 'notice') expect(await dialog.innerText()).toContain(p.displayName.slice(0, 40));
			else expect(labels.some((l) => l.includes(p.displayName))).toBe(true);
		}
		// No error banners or issue markers in the dialog before anything was typed.
		const errors = dialog
			.locator('[data-test-id="parameter-issues"], [data-test-id="node-issues"], .el-alert--error, [role="alert"].n8n-callout--danger')
			.filter({ visible: true });
		expect(await errors.allInnerTexts()).toEqual([]);
		await shot(`credential-${cred.name}`);
		scope = undefined;
		expectNoBrowserErrors();
	});
});
