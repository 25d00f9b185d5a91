// A private npm registry on loopback (verdaccio, installed by scripts/install-verdaccio.sh), and
// the steps n8n's own community-package installer runs against a registry, so that a test can
// install the package by name exactly as a user's n8n does.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { cleanEnv } = require('./cleanPack');
const { freePort, until, ROOT } = require('./n8n');

/** GET against the registry; a kept-alive socket the registry has closed meanwhile is retried. */
async function registryGet(url) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await fetch(url);
		} catch (e) {
			if (attempt >= 3) throw e;
		}
	}
}

/** Installs verdaccio into the cache (idempotent) and returns its bin script. */
function ensureVerdaccio() {
	const out = execFileSync('bash', [path.join(ROOT, 'scripts/install-verdaccio.sh')], {
		stdio: ['ignore', 'pipe', 'inherit'],
		encoding: 'utf8',
	});
	const line = out.split('\n').find((l) => l.startsWith('VERDACCIO_BIN='));
	if (!line) throw new Error(`install-verdaccio.sh printed no VERDACCIO_BIN:\n${out}`);
	return line.slice('VERDACCIO_BIN='.length).trim();
}

/**
 * Starts verdaccio on 127.0.0.1 with its own storage, no uplinks (it never asks another
 * registry), and a user that may publish. Resolves to { url, token, stop() }.
 */
async function startRegistry() {
	const bin = ensureVerdaccio();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecb-registry-'));
	const port = await freePort();
	const config = path.join(dir, 'config.yaml');
	fs.writeFileSync(
		config,
		[
			`storage: ${path.join(dir, 'storage')}`,
			'auth:',
			'  htpasswd:',
			`    file: ${path.join(dir, 'htpasswd')}`,
			'    max_users: 10',
			'uplinks: {}',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'    unpublish: $authenticated',
			'web:',
			'  enable: false',
			'log: { type: stdout, format: pretty, level: warn }',
			'',
		].join('\n'),
	);
	const log = fs.openSync(path.join(dir, 'verdaccio.log'), 'a');
	const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
		env: cleanEnv(),
		stdio: ['ignore', log, log],
	});
	fs.closeSync(log);
	const url = `http://127.0.0.1:${port}`;
	let exited = false;
	child.once('exit', () => (exited = true));
	await until(
		`verdaccio at ${url}`,
		async () => {
			if (exited) throw new Error(`verdaccio exited: ${fs.readFileSync(path.join(dir, 'verdaccio.log'), 'utf8')}`);
			const r = await fetch(`${url}/-/ping`).catch(() => undefined);
			return r && r.ok ? true : undefined;
		},
		60000,
	);
	// npm's adduser call: creates the user and returns its token
	const user = { name: 'ecb-release', password: `pw-${process.pid}-${Date.now()}` };
	const r = await fetch(`${url}/-/user/org.couchdb.user:${user.name}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ _id: `org.couchdb.user:${user.name}`, type: 'user', roles: [], ...user }),
	});
	const body = await r.json();
	if (!r.ok || !body.token) throw new Error(`verdaccio adduser failed: ${r.status} ${JSON.stringify(body)}`);
	return {
		url,
		token: body.token,
		dir,
		stop: async () => {
			if (child.exitCode === null && child.signalCode === null) {
				const done = new Promise((res) => child.once('exit', res));
				child.kill('SIGTERM');
				await done;
			}
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** An npm call with nothing from the caller's npm settings, against one registry. */
function npmAt(registry, args, cwd, token) {
	const auth = token ? [`--${registry.replace(/^https?:/, '')}/:_authToken=${token}`] : [];
	return execFileSync('npm', [...args, `--registry=${registry}`, ...auth], {
		cwd,
		env: cleanEnv(),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

/** `npm publish <tarball>` to the registry (as the release workflow publishes it). */
function publishTarball(registry, tarball) {
	const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ecb-publish-'));
	try {
		npmAt(registry.url, ['publish', tarball, '--loglevel=error'], cwd, registry.token);
	} finally {
		fs.rmSync(cwd, { recursive: true, force: true });
	}
}

/**
 * Installs `name@version` into `<userFolder>/.n8n/nodes` with the very steps of n8n's installer
 * (n8n 2.41.1 dist/modules/community-packages/community-packages.service.js `downloadPackage`,
 * the same in 1.123.81): GET <registry>/<name>/<version>; `npm pack <name>@<version> --quiet`
 * in the nodes folder; untar into node_modules/<name>; drop dev, peer and optional dependencies
 * from its package.json; `npm install --audit=false --fund=false --bin-links=false
 * --install-strategy=shallow --ignore-scripts=true --package-lock=false` in that folder; record
 * it in the folder's package.json. (n8n itself takes another registry only with a licence feature;
 * this runs its steps, it does not bypass its check.)
 */
async function installLikeN8n(registry, userFolder, name, version) {
	const nodes = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodes, { recursive: true });
	const ledger = path.join(nodes, 'package.json');
	if (!fs.existsSync(ledger)) fs.writeFileSync(ledger, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	const meta = await registryGet(`${registry.url}/${encodeURIComponent(name)}/${version}`);
	if (!meta.ok) throw new Error(`${name}@${version} is not in the registry: ${meta.status}`);
	const packageDir = path.join(nodes, 'node_modules', name);
	fs.mkdirSync(packageDir, { recursive: true });
	const tarballName = npmAt(registry.url, ['pack', `${name}@${version}`, '--quiet'], nodes).trim();
	try {
		const sha512 = require('node:crypto').createHash('sha512').update(fs.readFileSync(path.join(nodes, tarballName))).digest('base64');
		execFileSync('tar', ['-xzf', tarballName, '-C', packageDir, '--strip-components=1'], { cwd: nodes });
		const pkgPath = path.join(packageDir, 'package.json');
		const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
		for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete pkg[field];
		fs.writeFileSync(pkgPath, JSON.stringify(pkg, null, 2), 'utf-8');
		npmAt(
			registry.url,
			['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
			packageDir,
		);
		const installed = JSON.parse(fs.readFileSync(ledger, 'utf8'));
		installed.dependencies = { ...(installed.dependencies || {}), [name]: pkg.version };
		fs.writeFileSync(ledger, JSON.stringify(installed, null, 2), 'utf-8');
		return { packageDir, sha512 };
	} finally {
		fs.rmSync(path.join(nodes, tarballName), { force: true });
	}
}

module.exports = { registryGet, ensureVerdaccio, startRegistry, publishTarball, installLikeN8n };
