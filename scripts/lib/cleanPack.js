// The package as a publisher gets it from a clean checkout: the committed tree (`git archive
// HEAD`), `npm install`, then `npm pack` with no build first (prepack builds). npm sees only the
// project's own configuration (the caller's npm_config_* variables are dropped, as in a new
// shell). Used by the release test (test/release) and the registry e2e test.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

/** The caller's environment less every npm setting a parent npm exported to it. */
function cleanEnv(env = process.env) {
	const out = {};
	for (const [k, v] of Object.entries(env)) {
		if (/^(npm_config_|npm_lifecycle_|npm_package_)/i.test(k)) continue;
		if (['npm_command', 'npm_execpath', 'npm_node_execpath', 'INIT_CWD'].includes(k)) continue;
		out[k] = v;
	}
	return out;
}

/** The commit to pack: HEAD, or ECB_CLEAN_PACK_REF (any commit-ish) when set. */
function headCommit() {
	const ref = process.env.ECB_CLEAN_PACK_REF || 'HEAD';
	return execFileSync('git', ['rev-parse', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
}

/**
 * Packs HEAD from a clean tree. Reuses the result of an earlier call for the same commit
 * (test-artifacts/clean-pack/<commit>/), so the release test and the registry test pack once.
 * Returns { tarball, files (paths in the tarball, without the package/ prefix), manifest, commit }.
 */
function cleanPack({ log = () => {} } = {}) {
	const commit = headCommit();
	const out = path.join(ROOT, 'test-artifacts', 'clean-pack', commit);
	const result = path.join(out, 'pack.json');
	if (fs.existsSync(result)) {
		const done = JSON.parse(fs.readFileSync(result, 'utf8'));
		if (fs.existsSync(done.tarball)) return done;
	}
	fs.rmSync(out, { recursive: true, force: true });
	fs.mkdirSync(out, { recursive: true });
	const src = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ecb-clean-clone-'));
	try {
		const tar = path.join(out, 'head.tar');
		execFileSync('git', ['archive', '--format=tar', '-o', tar, commit], { cwd: ROOT });
		execFileSync('tar', ['-xf', tar, '-C', src]);
		fs.rmSync(tar);
		const env = cleanEnv();
		const npm = (args) => execFileSync('npm', args, { cwd: src, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
		log(`npm install in a clean tree of ${commit.slice(0, 7)}`);
		npm(['install', '--no-audit', '--no-fund', '--loglevel=error']);
		log('npm pack (no build before it)');
		// prepack's own output (the build) comes first on stdout; npm's JSON report is the last thing
		const text = npm(['pack', '--json', '--pack-destination', out, '--loglevel=error']);
		const at = text.search(/^\[\s*\{/m);
		const packed = JSON.parse(text.slice(at))[0];
		const done = {
			commit,
			tarball: path.join(out, packed.filename),
			files: packed.files.map((f) => f.path).sort(),
			manifest: JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8')),
		};
		fs.writeFileSync(result, JSON.stringify(done, null, 2));
		return done;
	} finally {
		fs.rmSync(src, { recursive: true, force: true });
	}
}

/** What a published package may hold besides dist/. */
const ALLOWED_TOP = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);

/** The problems of a packed file list against the package's manifest (empty: none). */
function packProblems(files, manifest) {
	const problems = [];
	const have = new Set(files);
	const named = [...((manifest.n8n && manifest.n8n.nodes) || []), ...((manifest.n8n && manifest.n8n.credentials) || [])];
	if (!named.length) problems.push('package.json names no nodes or credentials in its n8n section');
	for (const f of named) if (!have.has(f)) problems.push(`missing: ${f} (named in package.json n8n section)`);
	for (const f of files) {
		if (ALLOWED_TOP.has(f)) continue;
		if (!f.startsWith('dist/')) problems.push(`outside dist/: ${f}`);
		else if (/(^|\/)(test|__tests__)\//.test(f) || /\.test\.(js|d\.ts|ts)$/.test(f)) problems.push(`a test in dist: ${f}`);
	}
	for (const f of ['package.json', 'README.md', 'LICENSE']) if (!have.has(f)) problems.push(`missing: ${f}`);
	return problems;
}

module.exports = { cleanPack, cleanEnv, packProblems, ALLOWED_TOP };
