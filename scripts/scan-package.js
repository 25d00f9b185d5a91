#!/usr/bin/env node
/**
 * Runs the analyzer of n8n's package scanner (@n8n/scan-community-package, `analyzePackage`:
 * ESLint with allowInlineConfig: false, so no eslint-disable comment counts) on local folders,
 * the way its scan of a published package lints the two halves: the source tree
 * (package.json and nodes/, credentials/) and the unpacked tarball (its .js and package.json).
 * Nothing is downloaded: the scanner's own entry point fetches the package from the registry, so
 * this calls its analyzer module directly.
 *
 *   node scripts/scan-package.js                  the source tree of this repository
 *   node scripts/scan-package.js <folder>         that source tree
 *   node scripts/scan-package.js <file.tgz>       that packed tarball (npm pack), unpacked to a temp folder
 *   (several at once: each is scanned; e.g. `node scripts/scan-package.js . n8n-nodes-….tgz`)
 *
 * Prints every finding (ESLint's stylish format) and exits 1 when any target has one, 2 on a
 * usage error. The analyzer runs on this Node; if it cannot run here and this Node is older than
 * 24, the script runs itself again on the Node 24 that `bash scripts/install-n8n.sh` reports
 * (its NODE_BIN= line; the install is cached).
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..');
const REEXEC = 'ECB_SCAN_REEXEC';
/** What the scanner lints in the tarball it downloads (scanner.mjs, analyzePackageByName). */
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

const log = (line) => process.stdout.write(`${line}\n`);
const isTarball = (p) => /\.(tgz|tar\.gz)$/.test(p);

/** Thrown when the analyzer cannot run at all (as opposed to finding something). */
class AnalyzerUnavailable extends Error {}

async function loadScanner(tmpRoot) {
	// scanner.mjs makes a temp folder (tmp.dirSync) when it is loaded: keep it in ours.
	const before = process.env.TMPDIR;
	process.env.TMPDIR = tmpRoot;
	try {
		const file = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs', { paths: [ROOT] });
		return await import(pathToFileURL(file).href);
	} catch (error) {
		throw new AnalyzerUnavailable(`cannot load the scanner's analyzer: ${error.message}`);
	} finally {
		if (before === undefined) delete process.env.TMPDIR;
		else process.env.TMPDIR = before;
	}
}

/** Unpacks a tarball as the scanner does (tar -xzf … --strip-components=1) into a fresh folder. */
function unpack(tarball, tmpRoot) {
	const dir = fs.mkdtempSync(path.join(tmpRoot, 'package-'));
	const run = spawnSync('tar', ['-xzf', path.resolve(tarball), '-C', dir, '--strip-components=1'], { encoding: 'utf8' });
	if (run.error || run.status !== 0) {
		throw new Error(`cannot unpack ${tarball}: ${run.error ? run.error.message : run.stderr.trim()}`);
	}
	if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`${tarball} holds no package/package.json`);
	return dir;
}

async function scan(scanner, target, tmpRoot) {
	const tarball = isTarball(target);
	const dir = tarball ? unpack(target, tmpRoot) : path.resolve(target);
	const patterns = tarball ? TARBALL_PATTERNS : scanner.SOURCE_FILE_PATTERNS;
	const label = `${tarball ? 'tarball' : 'source'} ${path.relative(process.cwd(), path.resolve(target)) || '.'}`;
	const result = await scanner.analyzePackage(dir, patterns);
	if (result.error) throw new AnalyzerUnavailable(`${label}: ${result.message}`);
	if (result.passed && result.message === 'No files found to analyze') {
		log(`✗ ${label} [${patterns.join(', ')}]: no files to analyse`);
		return false;
	}
	if (result.passed) {
		log(`✓ ${label} [${patterns.join(', ')}]: no findings`);
		return true;
	}
	log(`✗ ${label} [${patterns.join(', ')}]: ${result.message}`);
	if (result.details) log(tarball ? result.details.split(dir).join('<tarball>') : result.details);
	return false;
}

/** Runs this script again on the Node 24 of scripts/install-n8n.sh; returns its exit code. */
function onNode24(args) {
	const install = spawnSync('bash', [path.join(ROOT, 'scripts', 'install-n8n.sh')], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const nodeBin = /^NODE_BIN=(.+)$/m.exec(install.stdout || '')?.[1];
	if (install.status !== 0 || !nodeBin) {
		log('scan: scripts/install-n8n.sh did not report a NODE_BIN= line');
		return 1;
	}
	log(`scan: the analyzer does not run on Node ${process.versions.node}; running on ${nodeBin}`);
	const run = spawnSync(nodeBin, [__filename, ...args], { stdio: 'inherit', env: { ...process.env, [REEXEC]: '1' } });
	return run.status ?? 1;
}

async function main(args) {
	if (args.some((a) => a.startsWith('-'))) {
		log('usage: node scripts/scan-package.js [<source folder> | <file.tgz>]...');
		return 2;
	}
	const targets = args.length ? args : [ROOT];
	for (const t of targets) {
		if (!fs.existsSync(t)) {
			log(`scan: ${t} does not exist`);
			return 2;
		}
	}
	const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ecb-scan-'));
	try {
		const scanner = await loadScanner(tmpRoot);
		log(`scan: @n8n/scan-community-package analyzer on Node ${process.versions.node}`);
		let ok = true;
		for (const target of targets) ok = (await scan(scanner, target, tmpRoot)) && ok;
		return ok ? 0 : 1;
	} catch (error) {
		if (!(error instanceof AnalyzerUnavailable)) throw error;
		log(`scan: ${error.message}`);
		if (Number(process.versions.node.split('.')[0]) < 24 && !process.env[REEXEC]) return onNode24(args);
		return 1;
	} finally {
		fs.rmSync(tmpRoot, { recursive: true, force: true });
	}
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(error) => {
		log(`scan: ${error.stack || error.message}`);
		process.exitCode = 1;
	},
);
