import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { copyNodesInto, type N8nInstall } from './install';

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
	});
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value other than undefined, at most `timeoutMs`. */
export async function until<T>(
	what: string,
	fn: () => Promise<T | undefined>,
	timeoutMs = 30_000,
	intervalMs = 250,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const v = await fn();
			if (v !== undefined) return v;
		} catch (e) {
			last = e;
		}
		await sleep(intervalMs);
	}
	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface InstanceInfo {
	baseUrl: string;
	port: number;
	pid: number;
	userFolder: string;
	logFile: string;
	apiKey: string;
	cookie: string;
}

export const OWNER = {
	email: 'owner@example.test',
	firstName: 'Test',
	lastName: 'Owner',
	password: 'Passw0rd-e2e-Only!',
};

/** One real n8n process on loopback with its own user folder (embedded SQLite). */
export class N8nInstance {
	info!: InstanceInfo;
	private child?: ChildProcess;

	constructor(
		private readonly install: N8nInstall,
		private readonly nodesDir: string,
		private readonly extraEnv: Record<string, string> = {},
	) {}

	async start(): Promise<InstanceInfo> {
		const userFolder = mkdtempSync(join(tmpdir(), 'ecb-n8n-'));
		copyNodesInto(this.nodesDir, userFolder);
		const port = await freePort();
		const logFile = join(userFolder, 'n8n.log');
		this.info = {
			baseUrl: `http://127.0.0.1:${port}`,
			port,
			pid: 0,
			userFolder,
			logFile,
			apiKey: '',
			cookie: '',
		};
		await this.spawn();
		await this.setupOwner();
		return this.info;
	}

	env(): NodeJS.ProcessEnv {
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
			N8N_LOG_LEVEL: process.env.ECB_N8N_LOG_LEVEL ?? 'info',
			NODE_ENV: 'production',
			...this.extraEnv,
		};
	}

	private brokerPort = 0;

	/** Starts (or restarts) the n8n process on the same user folder and port. */
	async spawn(): Promise<void> {
		this.brokerPort = await freePort();
		const fd = openSync(this.info.logFile, 'a');
		this.child = spawn(this.install.nodeBin, [this.install.n8nBin, 'start'], {
			env: this.env(),
			stdio: ['ignore', fd, fd],
		});
		closeSync(fd);
		this.info.pid = this.child.pid ?? 0;
		let exited = false;
		this.child.once('exit', () => (exited = true));
		await until(
			`n8n to serve ${this.info.baseUrl}/rest/settings`,
			async () => {
				if (exited) throw new Error(`n8n exited during start-up. Log tail:\n${this.logTail()}`);
				// /healthz answers before the REST routes are mounted; /rest/settings only after.
				const r = await fetch(`${this.info.baseUrl}/rest/settings`).catch(() => undefined);
				return r?.ok && (r.headers.get('content-type') ?? '').includes('json') ? true : undefined;
			},
			180_000,
			500,
		).catch((e) => {
			throw new Error(`${(e as Error).message}\n--- n8n log tail ---\n${this.logTail()}`);
		});
	}

	async stop(): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null) return;
		const done = new Promise<void>((r) => child.once('exit', () => r()));
		child.kill('SIGTERM');
		const killed = await Promise.race([done.then(() => true), sleep(30_000).then(() => false)]);
		if (!killed) {
			child.kill('SIGKILL');
			await done;
		}
	}

	async restart(): Promise<void> {
		await this.stop();
		await this.spawn();
	}

	destroy(): void {
		rmSync(this.info.userFolder, { recursive: true, force: true });
	}

	logTail(lines = 60): string {
		try {
			return readFileSync(this.info.logFile, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	private async setupOwner(): Promise<void> {
		const base = this.info.baseUrl;
		const setup = await fetch(`${base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (!setup.ok) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
		const login = await fetch(`${base}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
		const cookie = (login.headers.getSetCookie?.() ?? [])
			.map((c) => c.split(';')[0])
			.join('; ');
		this.info.cookie = cookie;
		const scopesRes = await fetch(`${base}/rest/api-keys/scopes`, { headers: { cookie } });
		if (!scopesRes.ok) throw new Error(`api key scopes failed: ${scopesRes.status} ${await scopesRes.text()}`);
		const scopes = ((await scopesRes.json()) as { data: string[] }).data;
		const keyRes = await fetch(`${base}/rest/api-keys`, {
			method: 'POST',
			headers: { cookie, 'content-type': 'application/json' },
			body: JSON.stringify({ label: 'e2e', scopes, expiresAt: null }),
		});
		if (!keyRes.ok) throw new Error(`api key failed: ${keyRes.status} ${await keyRes.text()}`);
		this.info.apiKey = ((await keyRes.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
	}
}
