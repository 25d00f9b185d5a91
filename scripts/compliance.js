#!/usr/bin/env node
/**
 * What n8n's lint rules cannot check about this package (`npm run check:compliance`).
 *
 *   node scripts/compliance.js
 *
 * Exits 0 with a one-line summary when clean, 1 with a list of every violation otherwise.
 * Everything else — package name and keyword, no runtime dependencies, peerDependencies, no
 * install lifecycle scripts, no restricted globals (process, timers), imports (fs,
 * child_process), eval / new Function, credential tests — is enforced by `n8n-node lint`
 * (@n8n/eslint-plugin-community-nodes recommended + eslint-plugin-n8n-nodes-base community
 * rules) and again by `npm run scan` (the same rules with no eslint-disable honoured).
 *
 * Environment:
 *   COMPLIANCE_ROOT=<dir>    check that directory instead of this repository (used by the tests)
 *   COMPLIANCE_SKIP_PACK=1   skip the packed-tarball check (it needs dist/ and runs npm)
 *
 * Checks:
 *   package.files     "files" is exactly ["dist", "CHANGELOG.md"] (lint: only "non-empty", a warning)
 *   package.apiVersion  n8n.n8nNodesApiVersion is 1 (lint: only "is a number")
 *   package.entries   n8n.nodes / n8n.credentials are dist/….node.js / ….credentials.js with a source
 *   package.listed    every node and credential source is listed (lint: nodes only, a warning)
 *   package.n8n-core  n8n-core not in optional or bundled dependencies (lint covers the others)
 *   codex             X.node.json beside every X.node.ts: node = <package>.<description name>,
 *                     categories only from n8n's list for community nodes, subcategories only of
 *                     listed categories, alias, a documentation URL
 *   icons             icon: { light: 'file:…', dark: 'file:…' } on every node and credential,
 *                     both files exist and their contents differ (lint: paths differ)
 *   pack              `npm pack --dry-run` holds dist/ plus exactly package.json, README.md,
 *                     LICENSE and CHANGELOG.md, no test or TypeScript source, and every file n8n
 *                     loads (entries, codex files, icons)
 *
 * Node names and icons are read from the compiled class in dist/ when it exists (what n8n
 * loads), else from the TypeScript source's syntax tree (TypeScript's own parser).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(process.env.COMPLIANCE_ROOT || path.join(__dirname, '..'));
const SKIP_PACK = process.env.COMPLIANCE_SKIP_PACK === '1';

/** package.json "files": npm adds package.json, README and LICENSE by itself, not CHANGELOG. */
const FILES_FIELD = ['dist', 'CHANGELOG.md'];
/** What the tarball holds besides dist/: exactly these, each present. */
const META_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
/** The codex categories n8n lists for community nodes (docs: Node codex files, "Node categories"). */
const CODEX_CATEGORIES = [
	'Data & Storage',
	'Finance & Accounting',
	'Marketing & Content',
	'Productivity',
	'Miscellaneous',
	'Sales',
	'Development',
	'Analytics',
	'Communication',
	'Utility',
];

/* ------------------------------------------------------------------ bookkeeping */

const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');
const exists = (p) => fs.existsSync(p);
const isNonEmptyArray = (v) => Array.isArray(v) && v.length > 0;
const keys = (o) => (o && typeof o === 'object' ? Object.keys(o) : []);

/** Files under ROOT/dir (recursively) whose name ends with `suffix`, sorted. */
function walk(dir, suffix) {
	const out = [];
	const visit = (d) => {
		for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
			if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
			const full = path.join(d, entry.name);
			if (entry.isDirectory()) visit(full);
			else if (entry.isFile() && entry.name.endsWith(suffix)) out.push(full);
		}
	};
	if (exists(path.join(ROOT, dir))) visit(path.join(ROOT, dir));
	return out.sort();
}

/* ------------------------------------------------------------------ reading nodes and credentials */

/** The class a compiled dist/ file exports, instantiated (what n8n loads); undefined without dist/. */
function compiled(source) {
	const file = path.join(ROOT, 'dist', rel(source).replace(/\.ts$/, '.js'));
	if (!exists(file)) return undefined;
	try {
		const mod = require(file);
		const Class = Object.values(mod).find((v) => typeof v === 'function');
		return Class ? new Class() : undefined;
	} catch {
		return undefined;
	}
}

/**
 * From the TypeScript source's syntax tree: the `name` of its `description` object and the
 * `icon: { light, dark }` of the node description or credential class (string literals only).
 */
function parsed(source) {
	const ts = require('typescript');
	const sf = ts.createSourceFile(source, fs.readFileSync(source, 'utf8'), ts.ScriptTarget.Latest, true);
	const unwrap = (e) => {
		while (e && (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) || ts.isTypeAssertionExpression(e))) e = e.expression;
		return e;
	};
	const keyOf = (p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined);
	const stringProp = (obj, key) => {
		const p = obj.properties.find((x) => ts.isPropertyAssignment(x) && keyOf(x) === key);
		const v = p && unwrap(p.initializer);
		return v && (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) ? v.text : undefined;
	};
	const out = { name: undefined, icon: undefined };
	const visit = (n) => {
		if ((ts.isPropertyAssignment(n) || ts.isPropertyDeclaration(n)) && n.initializer) {
			const value = unwrap(n.initializer);
			const key = keyOf(n);
			if (value && ts.isObjectLiteralExpression(value)) {
				if (key === 'description' && out.name === undefined) out.name = stringProp(value, 'name');
				if (key === 'icon' && out.icon === undefined) out.icon = { light: stringProp(value, 'light'), dark: stringProp(value, 'dark') };
			}
		}
		ts.forEachChild(n, visit);
	};
	visit(sf);
	return out;
}

/** { name, icon: { light, dark } } of a node (its description) or a credential (its class). */
function facts(source) {
	const instance = compiled(source);
	if (instance) {
		const holder = instance.description || instance;
		const icon = holder.icon && typeof holder.icon === 'object' ? holder.icon : undefined;
		const file = (v) => (typeof v === 'string' && v.startsWith('file:') ? v.slice('file:'.length) : undefined);
		return { name: holder.name, icon: icon && { light: file(icon.light), dark: file(icon.dark) } };
	}
	const p = parsed(source);
	const file = (v) => (v && v.startsWith('file:') ? v.slice('file:'.length) : undefined);
	return { name: p.name, icon: p.icon && { light: file(p.icon.light), dark: file(p.icon.dark) } };
}

/* ------------------------------------------------------------------ checks */

function checkPackage(fail, pkg, nodeSources, credentialSources) {
	const filesSorted = Array.isArray(pkg.files) ? [...pkg.files].sort() : null;
	if (!filesSorted || JSON.stringify(filesSorted) !== JSON.stringify([...FILES_FIELD].sort()))
		fail('package.files', `package.json: "files" must be ${JSON.stringify(FILES_FIELD)}, found: ${JSON.stringify(pkg.files)}`);

	const n8n = pkg.n8n && typeof pkg.n8n === 'object' ? pkg.n8n : {};
	if (n8n.n8nNodesApiVersion !== 1)
		fail('package.apiVersion', `package.json: "n8n.n8nNodesApiVersion" must be 1, found: ${JSON.stringify(n8n.n8nNodesApiVersion)}`);

	const listed = new Set();
	for (const [field, suffix] of [['nodes', '.node.js'], ['credentials', '.credentials.js']]) {
		const entries = n8n[field] === undefined ? [] : n8n[field];
		if (!Array.isArray(entries)) {
			fail('package.entries', `package.json: "n8n.${field}" must be an array`);
			continue;
		}
		for (const entry of entries) {
			const where = `package.json: n8n.${field} entry ${JSON.stringify(entry)}`;
			if (typeof entry !== 'string' || !entry.startsWith('dist/') || !entry.endsWith('.js')) {
				fail('package.entries', `${where} must be a .js path under dist/`);
				continue;
			}
			if (!entry.endsWith(suffix)) fail('package.entries', `${where} should end with ${suffix}`);
			const source = entry.slice('dist/'.length, -'.js'.length) + '.ts';
			listed.add(path.normalize(source));
			if (!exists(path.join(ROOT, source))) fail('package.entries', `${where} has no source file ${source}`);
		}
	}
	for (const [field, files] of [['nodes', nodeSources], ['credentials', credentialSources]]) {
		for (const file of files) {
			if (!listed.has(path.normalize(rel(file))))
				fail('package.listed', `package.json: ${rel(file)} is not listed in "n8n.${field}" (expected "dist/${rel(file).replace(/\.ts$/, '.js')}")`);
		}
	}

	for (const field of ['optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
		const value = pkg[field];
		const has = Array.isArray(value) ? value.includes('n8n-core') : keys(value).includes('n8n-core');
		if (has) fail('package.n8n-core', `package.json: "n8n-core" is in "${field}"; it may only be in "devDependencies"`);
	}
}

function checkCodex(fail, pkgName, nodeSources) {
	for (const file of nodeSources) {
		const codexFile = file.replace(/\.ts$/, '.json');
		const where = rel(codexFile);
		if (!exists(codexFile)) {
			fail('codex', `${where}: codex file missing for ${rel(file)}`);
			continue;
		}
		let codex;
		try {
			codex = JSON.parse(fs.readFileSync(codexFile, 'utf8'));
		} catch (error) {
			fail('codex', `${where}: not valid JSON (${error.message})`);
			continue;
		}
		const { name } = facts(file);
		if (!name) fail('codex', `${rel(file)}: cannot find the description's name: '…'`);
		else if (codex.node !== `${pkgName}.${name}`)
			fail('codex', `${where}: "node" must be ${JSON.stringify(`${pkgName}.${name}`)}, found ${JSON.stringify(codex.node)}`);
		if (!isNonEmptyArray(codex.categories)) fail('codex', `${where}: "categories" must be a non-empty array`);
		else
			for (const category of codex.categories)
				if (!CODEX_CATEGORIES.includes(category))
					fail('codex', `${where}: category ${JSON.stringify(category)} is not one of n8n's: ${CODEX_CATEGORIES.join(', ')}`);
		if (codex.subcategories !== undefined) {
			const cats = Array.isArray(codex.categories) ? codex.categories : [];
			if (!codex.subcategories || typeof codex.subcategories !== 'object' || Array.isArray(codex.subcategories))
				fail('codex', `${where}: "subcategories" must be an object keyed by category`);
			else
				for (const key of keys(codex.subcategories))
					if (!cats.includes(key)) fail('codex', `${where}: "subcategories" names ${JSON.stringify(key)}, which is not in "categories"`);
		}
		if (!isNonEmptyArray(codex.alias)) fail('codex', `${where}: "alias" must be a non-empty array`);
		const docs = codex.resources && codex.resources.primaryDocumentation;
		const url = Array.isArray(docs) && docs[0] && docs[0].url;
		if (typeof url !== 'string' || !url.trim()) fail('codex', `${where}: "resources.primaryDocumentation[0].url" is missing`);
	}
}

function checkIcons(fail, sources) {
	for (const file of sources) {
		const where = rel(file);
		const { icon } = facts(file);
		if (!icon || !icon.light || !icon.dark) {
			fail('icons', `${where}: must declare icon: { light: 'file:…', dark: 'file:…' }`);
			continue;
		}
		const light = path.join(path.dirname(file), icon.light);
		const dark = path.join(path.dirname(file), icon.dark);
		const missing = [light, dark].filter((f) => !exists(f));
		for (const f of missing) fail('icons', `${where}: icon file ${rel(f)} does not exist`);
		if (!missing.length && fs.readFileSync(light).equals(fs.readFileSync(dark)))
			fail('icons', `${where}: light and dark icons (${rel(light)}, ${rel(dark)}) are identical; the dark one must differ`);
	}
}

const TEST_SEGMENT = /^(test|tests|__tests__|__mocks__)$/i;
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/i;
const TS_SOURCE = /\.(ts|tsx|mts|cts)$/;
const TS_DECLARATION = /\.d\.(ts|mts|cts)$/;

/** The paths `npm pack --dry-run` would pack, or a string saying why they cannot be read. */
function packedFiles() {
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const run = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		shell: process.platform === 'win32',
	});
	if (run.error || run.status !== 0) {
		const why = run.error ? run.error.message : (run.stderr || '').trim().split('\n').slice(-3).join(' | ');
		return `npm pack --dry-run failed: ${why}`;
	}
	try {
		const json = JSON.parse(run.stdout.slice(run.stdout.indexOf('[')));
		return json[0].files.map((f) => f.path.split(path.sep).join('/'));
	} catch (error) {
		return `cannot read the output of npm pack --dry-run --json: ${error.message}`;
	}
}

function checkPack(fail, pkg, nodeSources, credentialSources) {
	if (!exists(path.join(ROOT, 'dist'))) {
		fail('pack', 'dist/ does not exist: run npm run build first');
		return;
	}
	const packed = packedFiles();
	if (typeof packed === 'string') {
		fail('pack', packed);
		return;
	}
	for (const file of packed) {
		if (!META_FILES.includes(file) && !file.startsWith('dist/'))
			fail('pack', `tarball: ${file} is outside dist/ (only dist/, ${META_FILES.join(', ')} may ship)`);
		if (file.split('/').some((s) => TEST_SEGMENT.test(s)) || TEST_FILE.test(file)) fail('pack', `tarball: ${file} is a test file`);
		if (TS_SOURCE.test(file) && !TS_DECLARATION.test(file)) fail('pack', `tarball: ${file} is a TypeScript source`);
	}
	const have = new Set(packed);
	for (const file of META_FILES) if (!have.has(file)) fail('pack', `tarball: ${file} is missing`);
	// What n8n loads must be in the tarball: entry points, codex files and icons.
	const want = [];
	for (const field of ['nodes', 'credentials'])
		for (const entry of pkg.n8n && Array.isArray(pkg.n8n[field]) ? pkg.n8n[field] : []) if (typeof entry === 'string') want.push(entry);
	for (const file of [...nodeSources, ...credentialSources]) {
		const dist = 'dist/' + path.dirname(rel(file));
		if (file.endsWith('.node.ts') && exists(file.replace(/\.ts$/, '.json'))) want.push(`dist/${rel(file).replace(/\.ts$/, '.json')}`);
		const { icon } = facts(file);
		if (icon) for (const f of [icon.light, icon.dark]) if (f) want.push(path.posix.normalize(`${dist}/${f}`));
	}
	for (const file of [...new Set(want)]) if (!have.has(file)) fail('pack', `tarball: ${file} is missing (stale or incomplete dist/? run npm run build)`);
}

/* ------------------------------------------------------------------ main */

const TITLES = {
	'package.json': 'package.json',
	'package.files': 'files',
	'package.apiVersion': 'n8nNodesApiVersion',
	'package.entries': 'n8n.nodes / n8n.credentials entries',
	'package.listed': 'every node and credential listed',
	'package.n8n-core': 'n8n-core only in devDependencies',
	codex: 'codex files',
	icons: 'light and dark icons',
	pack: 'packed tarball',
};

function main() {
	const nodeSources = walk('nodes', '.node.ts');
	const credentialSources = walk('credentials', '.credentials.ts');
	const violations = new Map(Object.keys(TITLES).map((id) => [id, []]));
	const fail = (id, message) => violations.get(id).push(message);
	const skipped = [];

	let pkg;
	const pkgFile = path.join(ROOT, 'package.json');
	try {
		pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
	} catch (error) {
		fail('package.json', exists(pkgFile) ? `package.json is not valid JSON: ${error.message}` : `package.json not found in ${ROOT}`);
	}
	if (pkg) checkPackage(fail, pkg, nodeSources, credentialSources);
	checkCodex(fail, (pkg && pkg.name) || '(unknown package)', nodeSources);
	checkIcons(fail, [...nodeSources, ...credentialSources]);
	if (SKIP_PACK) skipped.push('pack');
	else checkPack(fail, pkg || {}, nodeSources, credentialSources);
	if (pkg) violations.delete('package.json');

	const ran = [...violations.keys()].filter((id) => !skipped.includes(id));
	const failed = ran.filter((id) => violations.get(id).length);
	const extra = [`${nodeSources.length} node(s), ${credentialSources.length} credential(s)`, ...(skipped.length ? [`skipped: ${skipped.join(', ')}`] : [])].join('; ');
	if (!failed.length) {
		console.log(`compliance: ${ran.length} checks passed (${extra})`);
		return 0;
	}
	const total = failed.reduce((sum, id) => sum + violations.get(id).length, 0);
	const lines = [`compliance: ${total} violation(s) in ${failed.length} of ${ran.length} checks (${extra})`];
	for (const id of failed) {
		lines.push(`  ✗ ${id} — ${TITLES[id]}`);
		for (const v of violations.get(id)) lines.push(`      ${v}`);
	}
	console.error(lines.join('\n'));
	return 1;
}

if (require.main === module) process.exitCode = main();

module.exports = { facts, parsed, CODEX_CATEGORIES };
