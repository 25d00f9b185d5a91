import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');

export interface N8nInstall {
	nodeBin: string;
	n8nBin: string;
	version: string;
}

/** Runs scripts/install-n8n.sh (idempotent; installs into the cache on first use). */
export function ensureN8n(version = process.env.N8N_VERSION ?? '2.41.1'): N8nInstall {
	const out = execFileSync('bash', [join(ROOT, 'scripts/install-n8n.sh')], {
		env: { ...process.env, N8N_VERSION: version },
		stdio: ['ignore', 'pipe', 'inherit'],
		encoding: 'utf8',
	});
	const get = (key: string) => {
		const line = out.split('\n').find((l) => l.startsWith(`${key}=`));
		if (!line) throw new Error(`install-n8n.sh did not print ${key}; output:\n${out}`);
		return line.slice(key.length + 1).trim();
	};
	return { nodeBin: get('NODE_BIN'), n8nBin: get('N8N_BIN'), version };
}

/**
 * Packs the package (`npm pack`) and installs the tarball the way a user does
 * (`npm install <tarball>` in a `.n8n/nodes` folder). Returns that folder, to copy into
 * each instance's user folder.
 */
export function packAndInstall(): { nodesDir: string; tarball: string } {
	const work = mkdtempSync(join(tmpdir(), 'ecb-pack-'));
	execFileSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], {
		cwd: ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
	const nodesDir = join(work, 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	execFileSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: nodesDir,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	if (!existsSync(join(nodesDir, 'node_modules/n8n-nodes-external-callback/package.json'))) {
		throw new Error(`npm install ${tarball} did not install the package`);
	}
	return { nodesDir, tarball };
}

export function copyNodesInto(nodesDir: string, userFolder: string) {
	cpSync(nodesDir, join(userFolder, '.n8n', 'nodes'), { recursive: true });
}
