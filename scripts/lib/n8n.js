// Controls a real n8n on loopback: install (cached), pack + install this package the way a
// user does, start/stop/restart, owner + API key set-up, publishing workflows. Shared by
// `npm run demo` (scripts/demo.js), `npm run bench` (scripts/bench/) and the e2e harness
// (test/e2e/harness); typed by n8n.d.ts. Every request goes through ./http (keep-alive, loopback).
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { request, apiRequest, parseJson } = require('./http');

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns something other than undefined, at most timeoutMs. */
async function until(what, fn, timeoutMs = 30000, intervalMs = 250) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		try {
			const v = await fn();
			if (v !== undefined) return v;
		} catch (e) {
			last = e;
		}
		await sleep(intervalMs);
	}
	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Runs scripts/install-n8n.sh (idempotent) and returns the Node and n8n binaries and the exact
 * n8n version. `version` (default $N8N_VERSION, else 2.41.1) may be `1.123.x` or `lts`: the
 * pinned 1.x LTS patch.
 */
function ensureN8n(version = process.env.N8N_VERSION || '2.41.1', { quiet = false } = {}) {
	const out = execFileSync('bash', [path.join(ROOT, 'scripts/install-n8n.sh')], {
		env: { ...process.env, N8N_VERSION: version },
		stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'],
		encoding: 'utf8',
	});
	const get = (key) => {
		const line = out.split('\n').find((l) => l.startsWith(`${key}=`));
		if (!line) throw new Error(`install-n8n.sh did not print ${key}; output:\n${out}`);
		return line.slice(key.length + 1).trim();
	};
	return { nodeBin: get('NODE_BIN'), n8nBin: get('N8N_BIN'), version: get('N8N_VERSION') };
}

/** The n8n major version of an install (1 for the 1.123 LTS line, 2 for 2.41.1). */
function majorOf(install) {
	return Number(String(install.version).split('.')[0]);
}

/** `npm pack`, then `npm install <tarball>` in a fresh `nodes` folder, as a user installs it. */
function packAndInstall() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecb-pack-'));
	execFileSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], {
		cwd: ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = path.join(work, fs.readdirSync(work).find((f) => f.endsWith('.tgz')));
	const nodesDir = path.join(work, 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	// a user's shell: none of the npm settings that `npm test` exports to its scripts
	execFileSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: nodesDir,
		env: require('./cleanPack').cleanEnv(),
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	if (!fs.existsSync(path.join(nodesDir, 'node_modules/n8n-nodes-external-callback/package.json'))) {
		throw new Error(`npm install ${tarball} did not install the package`);
	}
	return { nodesDir, tarball };
}

const TRIGGER_TYPES = ['n8n-nodes-base.webhook', 'n8n-nodes-external-callback.externalCallbackTrigger'];

const OWNER = { email: 'owner@example.test', firstName: 'Test', lastName: 'Owner', password: 'Passw0rd-e2e-Only!' };

/** One n8n process with its own user folder (embedded SQLite unless extraEnv says otherwise). */
class N8nInstance {
	/**
	 * @param {{nodeBin: string, n8nBin: string}} install
	 * @param {{ nodesDir?: string, userFolder?: string, port?: number, owner?: typeof OWNER, extraEnv?: Record<string,string>, logToConsole?: boolean }} options
	 */
	constructor(install, options = {}) {
		this.install = install;
		this.options = options;
		this.owner = options.owner || OWNER;
		this.child = undefined;
		this.info = { baseUrl: '', port: 0, pid: 0, userFolder: '', logFile: '', apiKey: '', cookie: '', n8nMajor: majorOf(install) };
	}

	/** n8n's command: 'start' (main), 'worker' or 'webhook' (queue mode). */
	get command() {
		return this.options.command || 'start';
	}

	async start() {
		const userFolder = this.options.userFolder || fs.mkdtempSync(path.join(os.tmpdir(), 'ecb-n8n-'));
		fs.mkdirSync(userFolder, { recursive: true });
		if (this.options.nodesDir) {
			const target = path.join(userFolder, '.n8n', 'nodes');
			fs.rmSync(target, { recursive: true, force: true });
			fs.cpSync(this.options.nodesDir, target, { recursive: true });
		}
		const port = this.options.port || (await freePort());
		Object.assign(this.info, {
			baseUrl: `http://127.0.0.1:${port}`,
			port,
			userFolder,
			logFile: path.join(userFolder, 'n8n.log'),
		});
		await this.spawn();
		if (this.command === 'start' && !this.options.skipOwner) await this.setupOwner();
		return this.info;
	}

	env() {
		const { port, userFolder } = this.info;
		return {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			N8N_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_LOG_LEVEL: process.env.ECB_N8N_LOG_LEVEL || 'info',
			NODE_ENV: 'production',
			// n8n 1.x: its default SQLite driver (pool size 0, deprecated by n8n) shares one connection
			// between concurrent transactions, so one request's failed BEGIN rolls back another's
			// open transaction (seen in CI: a workflow save failed its FOREIGN KEY check while an
			// execution resumed). n8n's recommended setting, and what n8n 2.x always does.
			...(this.info.n8nMajor < 2 ? { DB_SQLITE_POOL_SIZE: '3' } : {}),
			...(this.command === 'worker'
				? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port) }
				: {}),
			...(this.options.extraEnv || {}),
		};
	}

	/**
	 * Starts (or restarts) the process on the same folder and port. Resolves when n8n is ready,
	 * or, with { waitFor: 'listening' }, as soon as its HTTP server answers (start-up unfinished),
	 * or, with { waitFor: 'started' }, once it has logged the end of its start-up.
	 */
	async spawn(options = {}) {
		this.brokerPort = await freePort();
		const logStart = fs.existsSync(this.info.logFile) ? fs.statSync(this.info.logFile).size : 0;
		const out = this.options.logToConsole ? 'inherit' : fs.openSync(this.info.logFile, 'a');
		this.child = spawn(this.install.nodeBin, [this.install.n8nBin, this.command], {
			env: this.env(),
			stdio: ['ignore', out, out],
		});
		if (typeof out === 'number') fs.closeSync(out);
		this.info.pid = this.child.pid || 0;
		let exited = false;
		this.child.once('exit', () => (exited = true));
		try {
			await until(
				`n8n to be ready (${this.info.baseUrl}/healthz/readiness)`,
				async () => {
					if (exited) throw new Error('n8n exited during start-up');
					// /healthz answers as soon as the server listens: before the REST routes are mounted
					// and before n8n's start-up crash recovery, which marks every execution running at
					// that moment as crashed (a callback resumed then is lost). /healthz/readiness is
					// 200 only once start-up is complete: traffic must wait for it.
					if (options.waitFor === 'listening') {
						const up = await request('GET', `${this.info.baseUrl}/healthz`, { timeoutMs: 5000 }).catch(() => undefined);
						return up && up.status === 200 ? true : undefined;
					}
					const ready = await request('GET', `${this.info.baseUrl}/healthz/readiness`, { timeoutMs: 5000 }).catch(() => undefined);
					if (!ready || ready.status !== 200) return undefined;
					if (this.command !== 'start') return true;
					const r = await request('GET', `${this.info.baseUrl}/rest/settings`, { timeoutMs: 5000 }).catch(() => undefined);
					if (!(r && r.status === 200 && String(r.headers['content-type'] || '').includes('json'))) return undefined;
					if (options.waitFor !== 'started') return true;
					// The whole start-up, crash recovery included: n8n logs this line at its very end
					// (n8n 1.x mounts its REST routes before its crash recovery runs).
					if (this.options.logToConsole) return true;
					const log = fs.readFileSync(this.info.logFile, 'utf8').slice(logStart);
					return log.includes('Editor is now accessible via') ? true : undefined;
				},
				180000,
				500,
			);
		} catch (e) {
			throw new Error(`${e.message}\n--- n8n log tail ---\n${this.logTail()}`);
		}
	}

	async stop() {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const done = new Promise((r) => child.once('exit', () => r()));
		child.kill('SIGTERM');
		const exited = await Promise.race([done.then(() => true), sleep(30000).then(() => false)]);
		if (!exited) {
			child.kill('SIGKILL');
			await done;
		}
	}

	async restart(options = {}) {
		await this.stop();
		await this.spawn(options);
	}

	destroy() {
		fs.rmSync(this.info.userFolder, { recursive: true, force: true });
	}

	logTail(lines = 60) {
		try {
			return fs.readFileSync(this.info.logFile, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	/** Owner (first start only), login, and a public-API key with every scope. */
	async setupOwner() {
		const base = this.info.baseUrl;
		const json = { 'content-type': 'application/json' };
		const ok = (r) => r.status >= 200 && r.status < 300;
		const settings = parseJson((await request('GET', `${base}/rest/settings`)).text) || {};
		if (settings.data && settings.data.userManagement && settings.data.userManagement.showSetupOnFirstLoad) {
			const setup = await request('POST', `${base}/rest/owner/setup`, { headers: json, body: this.owner });
			if (!ok(setup)) throw new Error(`owner setup failed: ${setup.status} ${setup.text}`);
		}
		const login = await request('POST', `${base}/rest/login`, {
			headers: json,
			body: { emailOrLdapLoginId: this.owner.email, password: this.owner.password },
		});
		if (!ok(login)) throw new Error(`login failed: ${login.status} ${login.text}`);
		const cookie = (login.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
		this.info.cookie = cookie;
		const scopesRes = await request('GET', `${base}/rest/api-keys/scopes`, { headers: { cookie } });
		if (!ok(scopesRes)) throw new Error(`api key scopes failed: ${scopesRes.status} ${scopesRes.text}`);
		const scopes = JSON.parse(scopesRes.text).data;
		const keyRes = await request('POST', `${base}/rest/api-keys`, {
			headers: { cookie, ...json },
			body: { label: `key-${Date.now()}`, scopes, expiresAt: null },
		});
		if (!ok(keyRes)) throw new Error(`api key failed: ${keyRes.status} ${keyRes.text}`);
		this.info.apiKey = JSON.parse(keyRes.text).data.rawApiKey;
	}

	api(method, apiPath, body) {
		return api(this.info, method, apiPath, body);
	}

	publish(wf) {
		return publish(this.info, wf);
	}
}

/** Public API call with the instance's API key. */
async function api(info, method, apiPath, body) {
	if (method === 'POST' && apiPath === '/credentials' && info.n8nMajor && info.n8nMajor < 2) {
		return await createCredentialRest(info, body);
	}
	return await apiRequest(info, method, apiPath, body);
}

/**
 * n8n 1.x: its public API checks credential data against a JSON schema that makes every field
 * required whose display conditions could apply (e.g. both the shared secret and the PEM key of
 * the JWT credential), so it refuses data the editor saves. Create them as the editor does,
 * through the REST API with the owner's session. (n8n 2.x's public API accepts them.)
 */
async function createCredentialRest(info, body) {
	const r = await request('POST', `${info.baseUrl}/rest/credentials`, {
		headers: { cookie: info.cookie, 'content-type': 'application/json' },
		body,
	});
	if (r.status < 200 || r.status >= 300) throw new Error(`POST /rest/credentials -> ${r.status} ${r.text}`);
	const created = JSON.parse(r.text).data;
	return { id: created.id, name: created.name, type: created.type };
}

/** Creates and publishes a workflow, then waits until its Webhook trigger (if any) is live. */
async function publish(info, wf) {
	const created = await api(info, 'POST', '/workflows', {
		name: wf.name,
		nodes: wf.nodes,
		connections: wf.connections,
		settings: { executionOrder: 'v1', ...(wf.settings || {}) },
	});
	await api(info, 'POST', `/workflows/${created.id}/activate`);
	const trigger = wf.nodes.find((n) => TRIGGER_TYPES.includes(n.type));
	if (!trigger) return { id: created.id, triggerUrl: '' };
	const triggerUrl = `${info.webhookBaseUrl || info.baseUrl}/webhook/${trigger.parameters.path}`;
	const methods = trigger.parameters.httpMethod ? String(trigger.parameters.httpMethod) : 'GET,POST,PUT,PATCH,DELETE';
	// n8n registers a trigger's webhooks one method at a time (one row each, in the node's order):
	// a live POST does not mean PATCH is live yet (seen once: PATCH answered 404 right after).
	// Every method that takes a body is asked with malformed JSON: a registered one answers 422
	// (n8n parses the body before any node runs, nothing starts), one not yet registered 404.
	const bodyMethods = methods.split(',').map((m) => m.trim()).filter((m) => m && m !== 'GET' && m !== 'HEAD');
	await until(`webhook ${triggerUrl} to be registered`, async () => {
		const probes = bodyMethods.length
			? bodyMethods.map((method) => request(method, triggerUrl, { headers: { 'content-type': 'application/json' }, body: '{' }))
			: // GET only: asked with a method it does not serve, n8n says "not registered for <METHOD>
				// requests" once the path is live, and "The requested webhook … is not registered" before.
				[request('DELETE', triggerUrl)];
		for (const r of await Promise.all(probes)) {
			const body = r.text;
			// a body method not yet live: 404 ("not registered for PATCH requests" while other
			// methods of the path are, "The requested webhook … is not registered" before any)
			if (r.status === 404 && (bodyMethods.length || body.includes('The requested webhook'))) return undefined;
		}
		return true;
	});
	return { id: created.id, triggerUrl };
}

/**
 * Queue mode as users scale n8n: PostgreSQL + Redis, one main (no production webhooks), a
 * webhook processor serving every /webhook and /webhook-waiting call, and workers running the
 * executions. Resume URLs point at the webhook processor (WEBHOOK_URL).
 */
async function startQueueCluster(install, nodesDir, { pgPort, redisPort, workers = 2, extraEnv = {} }) {
	const shared = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: '',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		N8N_ENCRYPTION_KEY: `queue-test-${Date.now()}`,
		...extraEnv,
	};
	const webhookPort = await freePort();
	const webhookBaseUrl = `http://127.0.0.1:${webhookPort}`;
	const main = new N8nInstance(install, {
		nodesDir,
		extraEnv: { ...shared, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true', WEBHOOK_URL: `${webhookBaseUrl}/` },
	});
	await main.start();
	main.info.webhookBaseUrl = webhookBaseUrl;
	const others = [
		new N8nInstance(install, { nodesDir, command: 'webhook', port: webhookPort, extraEnv: { ...shared, WEBHOOK_URL: `${webhookBaseUrl}/` } }),
		...Array.from({ length: workers }, () => new N8nInstance(install, { nodesDir, command: 'worker', extraEnv: { ...shared, WEBHOOK_URL: `${webhookBaseUrl}/` } })),
	];
	await Promise.all(others.map((p) => p.start()));
	const all = [main, ...others];
	return {
		main,
		processes: all,
		info: main.info,
		stop: async () => {
			await Promise.all(others.map((p) => p.stop()));
			await main.stop();
		},
		destroy: () => all.forEach((p) => p.destroy()),
		logTail: (n = 40) => all.map((p) => `--- ${p.command} (${p.info.logFile})\n${p.logTail(n)}`).join('\n'),
	};
}

module.exports = { majorOf, startQueueCluster, ROOT, OWNER, N8nInstance, ensureN8n, packAndInstall, freePort, until, sleep, api, publish };
