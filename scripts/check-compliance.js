#!/usr/bin/env node
/**
 * Checks this package against n8n's community-node conventions.
 *
 *   node scripts/check-compliance.js
 *
 * Exits 0 with a one-line summary when clean, 1 with a list of every violation otherwise.
 * Plain CommonJS, Node's standard library only.
 *
 * Environment:
 *   COMPLIANCE_ROOT=<dir>    check that directory instead of this repository (used by the tests)
 *   COMPLIANCE_SKIP_PACK=1   skip the packed-tarball check (it needs dist/ and runs npm)
 *
 * Checks (each one counts once in the summary):
 *   package.json   name, keywords, dependencies, peerDependencies, n8n-core, n8nNodesApiVersion,
 *                  n8n entry paths, every node/credential listed, lifecycle scripts,
 *                  files (exactly ["dist", "CHANGELOG.md"])
 *   runtime        no process, timers, fs / child_process, eval or new Function in nodes/ and
 *                  credentials/ (comments and string literals are stripped first)
 *   codex          X.node.json beside every X.node.ts, with node, categories (only n8n's list for
 *                  community nodes, no subcategories of other categories), alias, docs URL
 *   icons          icon: { light: 'file:…', dark: 'file:…' }, both files exist and differ
 *   credential test  a `test` property, or `testedBy` (a function a node source defines) on every
 *                  node credential entry naming it: what n8n's credential-test-required accepts
 *   pack           `npm pack --dry-run` holds dist/ plus exactly package.json, README.md, LICENSE
 *                  and CHANGELOG.md, each of them present
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(process.env.COMPLIANCE_ROOT || path.join(__dirname, '..'));
const SKIP_PACK = process.env.COMPLIANCE_SKIP_PACK === '1';

/** package.json "files": npm adds package.json, README and LICENSE by itself, not CHANGELOG. */
const FILES_FIELD = ['dist', 'CHANGELOG.md'];
/** What the tarball holds besides dist/: exactly these, each present. */
const META_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
const LIFECYCLE_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
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
const FORBIDDEN_MODULES = new Set([
	'fs',
	'node:fs',
	'fs/promises',
	'node:fs/promises',
	'child_process',
	'node:child_process',
]);

/* ------------------------------------------------------------------ bookkeeping */

/** Ordered checks; each collects its own violations. */
const checks = [];
function check(id, title) {
	const c = { id, title, violations: [], skipped: false, note: '' };
	checks.push(c);
	return c;
}
function fail(c, message) {
	c.violations.push(message);
}

const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');
const exists = (p) => fs.existsSync(p);
const isNonEmptyArray = (v) => Array.isArray(v) && v.length > 0;
const keys = (o) => (o && typeof o === 'object' ? Object.keys(o) : []);

/** Files under ROOT/dir (recursively) whose name ends with one of `suffixes`, sorted. */
function walk(dir, suffixes) {
	const out = [];
	const start = path.join(ROOT, dir);
	if (!exists(start)) return out;
	const visit = (d) => {
		for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
			if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
			const full = path.join(d, entry.name);
			if (entry.isDirectory()) visit(full);
			else if (entry.isFile() && suffixes.some((s) => entry.name.endsWith(s))) out.push(full);
		}
	};
	visit(start);
	return out.sort();
}

function lineOf(text, offset) {
	let line = 1;
	for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
	return line;
}

/* ------------------------------------------------------------------ tokenizer */

const REGEX_PREFIX_CHARS = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_PREFIX_WORDS = new Set([
	'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw',
	'yield', 'await', 'instanceof',
]);

/**
 * Blanks comments, the contents of string / template literals (but not the code inside `${…}`)
 * and regular-expression literals, keeping every offset and newline so that positions in the
 * result are positions in the source. Returns the code and the string literals it saw.
 */
function stripSource(src) {
	const out = src.split('');
	const strings = []; // { start, end, value } — start is the opening quote
	const n = src.length;
	const blank = (a, b) => {
		for (let k = a; k < b && k < n; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
	};
	const templateDepths = []; // brace depth at which each open `${` returns to its template
	let depth = 0;

	/** Previous non-blank character of the stripped code before i, and the word ending there. */
	const previous = (i) => {
		let k = i - 1;
		while (k >= 0 && /\s/.test(out[k])) k--;
		if (k < 0) return { ch: '', word: '' };
		let w = k;
		while (w >= 0 && /[\w$]/.test(out[w])) w--;
		return { ch: out[k], word: out.slice(w + 1, k + 1).join('') };
	};

	/** Scans template text from i (just after ` or }); returns the index to resume code at. */
	const template = (i, quoteStart) => {
		let k = i;
		let value = '';
		while (k < n) {
			const ch = src[k];
			if (ch === '\\') {
				value += src.slice(k, k + 2);
				k += 2;
				continue;
			}
			if (ch === '`') {
				blank(i, k);
				if (quoteStart !== undefined) strings.push({ start: quoteStart, end: k + 1, value });
				return k + 1;
			}
			if (ch === '$' && src[k + 1] === '{') {
				blank(i, k);
				templateDepths.push(depth);
				depth++;
				return k + 2;
			}
			value += ch;
			k++;
		}
		blank(i, n);
		return n;
	};

	let i = 0;
	while (i < n) {
		const ch = src[i];
		const next = src[i + 1];
		if (ch === '/' && next === '/') {
			let k = i;
			while (k < n && src[k] !== '\n') k++;
			blank(i, k);
			i = k;
		} else if (ch === '/' && next === '*') {
			const close = src.indexOf('*/', i + 2);
			const end = close < 0 ? n : close + 2;
			blank(i, end);
			i = end;
		} else if (ch === "'" || ch === '"') {
			let k = i + 1;
			let value = '';
			while (k < n && src[k] !== ch && src[k] !== '\n') {
				if (src[k] === '\\') {
					value += src.slice(k, k + 2);
					k += 2;
				} else value += src[k++];
			}
			blank(i + 1, k);
			strings.push({ start: i, end: k + 1, value });
			i = k + 1;
		} else if (ch === '`') {
			i = template(i + 1, i);
		} else if (ch === '{') {
			depth++;
			i++;
		} else if (ch === '}') {
			depth--;
			if (templateDepths.length && templateDepths[templateDepths.length - 1] === depth) {
				templateDepths.pop();
				i = template(i + 1, undefined);
			} else i++;
		} else if (ch === '/') {
			const prev = previous(i);
			const startsRegex =
				prev.ch === '' ||
				REGEX_PREFIX_CHARS.has(prev.ch) ||
				(prev.word !== '' && REGEX_PREFIX_WORDS.has(prev.word));
			let end = -1;
			if (startsRegex) {
				let inClass = false;
				for (let k = i + 1; k < n; k++) {
					const c = src[k];
					if (c === '\n') break;
					if (c === '\\') k++;
					else if (c === '[') inClass = true;
					else if (c === ']') inClass = false;
					else if (c === '/' && !inClass) {
						end = k;
						break;
					}
				}
			}
			if (end > 0) {
				blank(i + 1, end);
				i = end + 1;
			} else i++;
		} else i++;
	}
	return { code: out.join(''), strings };
}

/* ------------------------------------------------------------------ package.json */

function readPackage() {
	const file = path.join(ROOT, 'package.json');
	if (!exists(file)) return { error: 'package.json not found in ' + ROOT };
	try {
		return { pkg: JSON.parse(fs.readFileSync(file, 'utf8')) };
	} catch (error) {
		return { error: 'package.json is not valid JSON: ' + error.message };
	}
}

function checkPackage(pkg, nodeSources, credentialSources) {
	const name = check('package.name', 'package name');
	if (typeof pkg.name !== 'string' || !/^(@[a-z0-9][a-z0-9._~-]*\/)?n8n-nodes-/.test(pkg.name))
		fail(name, `package.json: name ${JSON.stringify(pkg.name)} must start with "n8n-nodes-" or "@scope/n8n-nodes-"`);

	const kw = check('package.keywords', 'keywords');
	if (!Array.isArray(pkg.keywords) || !pkg.keywords.includes('n8n-community-node-package'))
		fail(kw, 'package.json: keywords must contain "n8n-community-node-package"');

	const deps = check('package.dependencies', 'no runtime dependencies');
	if (keys(pkg.dependencies).length)
		fail(deps, `package.json: "dependencies" must be empty, found: ${keys(pkg.dependencies).join(', ')}`);

	const peers = check('package.peerDependencies', 'peerDependencies');
	const peerNames = keys(pkg.peerDependencies);
	if (peerNames.length !== 1 || peerNames[0] !== 'n8n-workflow')
		fail(peers, `package.json: "peerDependencies" must be exactly { "n8n-workflow" }, found: ${peerNames.join(', ') || '(none)'}`);

	const core = check('package.n8n-core', 'n8n-core only in devDependencies');
	for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
		const value = pkg[field];
		const has = Array.isArray(value) ? value.includes('n8n-core') : keys(value).includes('n8n-core');
		if (has) fail(core, `package.json: "n8n-core" is in "${field}"; it may only be in "devDependencies"`);
	}

	const n8n = pkg.n8n && typeof pkg.n8n === 'object' ? pkg.n8n : {};
	const api = check('package.apiVersion', 'n8nNodesApiVersion');
	if (n8n.n8nNodesApiVersion !== 1)
		fail(api, `package.json: "n8n.n8nNodesApiVersion" must be 1, found: ${JSON.stringify(n8n.n8nNodesApiVersion)}`);

	const paths = check('package.entries', 'n8n.nodes / n8n.credentials entries');
	const listed = new Set();
	for (const [field, suffix] of [['nodes', '.node.js'], ['credentials', '.credentials.js']]) {
		const entries = n8n[field] === undefined ? [] : n8n[field];
		if (!Array.isArray(entries)) {
			fail(paths, `package.json: "n8n.${field}" must be an array`);
			continue;
		}
		for (const entry of entries) {
			const where = `package.json: n8n.${field} entry ${JSON.stringify(entry)}`;
			if (typeof entry !== 'string' || !entry.startsWith('dist/') || !entry.endsWith('.js')) {
				fail(paths, `${where} must be a .js path under dist/`);
				continue;
			}
			if (!entry.endsWith(suffix)) fail(paths, `${where} should end with ${suffix}`);
			const source = entry.slice('dist/'.length, -'.js'.length) + '.ts';
			listed.add(path.normalize(source));
			if (!exists(path.join(ROOT, source))) fail(paths, `${where} has no source file ${source}`);
		}
	}

	const all = check('package.listed', 'every node and credential listed');
	for (const [field, files] of [['nodes', nodeSources], ['credentials', credentialSources]]) {
		for (const file of files) {
			const source = path.normalize(rel(file));
			if (!listed.has(source))
				fail(all, `package.json: ${rel(file)} is not listed in "n8n.${field}" (expected "dist/${rel(file).replace(/\.ts$/, '.js')}")`);
		}
	}

	const life = check('package.lifecycle', 'no install lifecycle scripts');
	for (const script of LIFECYCLE_SCRIPTS) {
		if (pkg.scripts && Object.prototype.hasOwnProperty.call(pkg.scripts, script))
			fail(life, `package.json: lifecycle script "${script}" is not allowed (${JSON.stringify(pkg.scripts[script])})`);
	}

	const files = check('package.files', 'files');
	const filesSorted = Array.isArray(pkg.files) ? [...pkg.files].sort() : null;
	if (!filesSorted || JSON.stringify(filesSorted) !== JSON.stringify([...FILES_FIELD].sort()))
		fail(files, `package.json: "files" must be ${JSON.stringify(FILES_FIELD)}, found: ${JSON.stringify(pkg.files)}`);
}

/* ------------------------------------------------------------------ runtime use */

/** True when the identifier at [start, end) is an object-literal or interface key (`{ process: 1 }`). */
function isPropertyKey(code, start, end) {
	if (!/^\s*\??:(?!:)/.test(code.slice(end, end + 8))) return false;
	let k = start - 1;
	while (k >= 0 && /\s/.test(code[k])) k--;
	return k < 0 || code[k] === '{' || code[k] === ',' || code[k] === ';';
}

const IDENTIFIER_RULES = [
	{
		re: /(?<![.\w$])(?:(?:globalThis|global)\s*\.\s*)?process\b/g,
		what: 'uses the global `process` (read configuration from node parameters or credentials)',
	},
	{
		re: /(?<![.\w$])(?:(?:globalThis|global)\s*\.\s*)?(setTimeout|setInterval|setImmediate)\b/g,
		what: (m) => `uses ${m[1]} (timers are not allowed in community nodes)`,
	},
	{ re: /(?<![.\w$])(?:(?:globalThis|global)\s*\.\s*)?eval\s*\(/g, what: 'uses eval' },
	{ re: /(?<![.\w$])new\s+Function\b/g, what: 'uses new Function' },
];

function checkRuntime(c, files) {
	for (const file of files) {
		const src = fs.readFileSync(file, 'utf8');
		const { code, strings } = stripSource(src);
		const found = [];
		for (const rule of IDENTIFIER_RULES) {
			rule.re.lastIndex = 0;
			let m;
			while ((m = rule.re.exec(code))) {
				const end = m.index + m[0].length;
				if (isPropertyKey(code, m.index, end)) continue;
				found.push({ at: m.index, what: typeof rule.what === 'function' ? rule.what(m) : rule.what });
			}
		}
		for (const s of strings) {
			if (!FORBIDDEN_MODULES.has(s.value)) continue;
			const before = code.slice(Math.max(0, s.start - 300), s.start);
			const m = /(\brequire\s*\(|\bimport\s*\(|\bfrom|\bimport)\s*$/.exec(before);
			if (!m) continue;
			if (/^(from|import)$/.test(m[1])) {
				// `import type … from 'fs'` is erased at compile time: not a runtime use.
				const statement = code.lastIndexOf('import', s.start);
				if (statement >= 0 && /^import\s+type\s/.test(code.slice(statement, s.start))) continue;
			}
			found.push({ at: s.start, what: `imports "${s.value}" (no file system or child process access)` });
		}
		found.sort((a, b) => a.at - b.at);
		for (const f of found) fail(c, `${rel(file)}:${lineOf(src, f.at)}: ${f.what}`);
	}
}

/* ------------------------------------------------------------------ codex */

/** The node's description name: the first `name: '…'` of the `description = {` object. */
function descriptionName(src) {
	const { code } = stripSource(src);
	const anchor = /\bdescription\s*(?::\s*[\w.<>]+\s*)?=\s*\{/.exec(code);
	const from = anchor ? anchor.index : src.indexOf('description');
	if (from < 0) return undefined;
	const m = /\bname\s*:\s*['"]([a-zA-Z0-9]+)['"]/.exec(src.slice(from));
	return m ? m[1] : undefined;
}

function checkCodex(c, pkgName, nodeSources) {
	for (const file of nodeSources) {
		const codexFile = file.replace(/\.ts$/, '.json');
		const where = rel(codexFile);
		if (!exists(codexFile)) {
			fail(c, `${where}: codex file missing for ${rel(file)}`);
			continue;
		}
		let codex;
		try {
			codex = JSON.parse(fs.readFileSync(codexFile, 'utf8'));
		} catch (error) {
			fail(c, `${where}: not valid JSON (${error.message})`);
			continue;
		}
		const name = descriptionName(fs.readFileSync(file, 'utf8'));
		if (!name) fail(c, `${rel(file)}: cannot find the description's name: '…'`);
		else if (codex.node !== `${pkgName}.${name}`)
			fail(c, `${where}: "node" must be ${JSON.stringify(`${pkgName}.${name}`)}, found ${JSON.stringify(codex.node)}`);
		if (!isNonEmptyArray(codex.categories)) fail(c, `${where}: "categories" must be a non-empty array`);
		else
			for (const category of codex.categories)
				if (!CODEX_CATEGORIES.includes(category))
					fail(c, `${where}: category ${JSON.stringify(category)} is not one of n8n's: ${CODEX_CATEGORIES.join(', ')}`);
		if (codex.subcategories !== undefined) {
			const cats = Array.isArray(codex.categories) ? codex.categories : [];
			if (!codex.subcategories || typeof codex.subcategories !== 'object' || Array.isArray(codex.subcategories))
				fail(c, `${where}: "subcategories" must be an object keyed by category`);
			else
				for (const key of keys(codex.subcategories))
					if (!cats.includes(key)) fail(c, `${where}: "subcategories" names ${JSON.stringify(key)}, which is not in "categories"`);
		}
		if (!isNonEmptyArray(codex.alias)) fail(c, `${where}: "alias" must be a non-empty array`);
		const docs = codex.resources && codex.resources.primaryDocumentation;
		const url = Array.isArray(docs) && docs[0] && docs[0].url;
		if (typeof url !== 'string' || !url.trim())
			fail(c, `${where}: "resources.primaryDocumentation[0].url" is missing`);
	}
}

/* ------------------------------------------------------------------ icons */

/** The file names of `icon: { light: 'file:…', dark: 'file:…' }` (or `icon: Icon = {…}`), if declared. */
function iconFiles(src) {
	const { code } = stripSource(src);
	const m = /(?<![.\w$])icon\s*(?::\s*[\w.]+\s*=|=|:)\s*\{/.exec(code);
	if (!m) return undefined;
	const open = m.index + m[0].length - 1;
	const close = code.indexOf('}', open);
	const body = src.slice(open, close < 0 ? undefined : close + 1);
	const light = /\blight\s*:\s*(['"`])file:([^'"`]+)\1/.exec(body);
	const dark = /\bdark\s*:\s*(['"`])file:([^'"`]+)\1/.exec(body);
	return { light: light && light[2], dark: dark && dark[2] };
}

function checkIcons(c, sources) {
	for (const file of sources) {
		const where = rel(file);
		const icons = iconFiles(fs.readFileSync(file, 'utf8'));
		if (!icons || !icons.light || !icons.dark) {
			fail(c, `${where}: must declare icon: { light: 'file:…', dark: 'file:…' }`);
			continue;
		}
		const light = path.join(path.dirname(file), icons.light);
		const dark = path.join(path.dirname(file), icons.dark);
		let ok = true;
		for (const icon of [light, dark]) {
			if (!exists(icon)) {
				fail(c, `${where}: icon file ${rel(icon)} does not exist`);
				ok = false;
			}
		}
		if (ok && fs.readFileSync(light).equals(fs.readFileSync(dark)))
			fail(c, `${where}: light and dark icons (${rel(light)}, ${rel(dark)}) are identical; the dark one must differ`);
	}
}

/* ------------------------------------------------------------------ credential tests */

/** The credential's `name = '…'` (or `name: '…'`) in its class body, if it is a string literal. */
function credentialName(src, body, bodyAt) {
	const m = /(?:^|[;\s])name\s*(?::\s*[\w.]+\s*)?[=:]\s*(['"])/m.exec(body);
	if (!m) return undefined;
	const quote = bodyAt + m.index + m[0].length - 1;
	const end = src.indexOf(src[quote], quote + 1);
	return end < 0 ? undefined : src.slice(quote + 1, end);
}

/**
 * Credential entries `{ name: '<credential>', … }` in the node sources, each with its `testedBy`
 * (a string literal) or undefined: what @n8n/community-nodes/credential-test-required reads.
 */
function credentialEntries(nodeFiles) {
	const entries = [];
	for (const file of nodeFiles) {
		const src = fs.readFileSync(file, 'utf8');
		const { code, strings } = stripSource(src);
		const keyBefore = (str, key) => new RegExp(`\\b${key}\\s*:\\s*$`).test(code.slice(Math.max(0, str.start - 40), str.start));
		for (const str of strings) {
			if (!keyBefore(str, 'name')) continue;
			// The enclosing object literal: the `{` and `}` around the literal at depth 0.
			let open = -1;
			for (let k = str.start - 1, depth = 0; k >= 0; k--) {
				if (code[k] === '}') depth++;
				else if (code[k] === '{' && depth-- === 0) {
					open = k;
					break;
				}
			}
			let close = -1;
			for (let k = str.end, depth = 0; k < code.length; k++) {
				if (code[k] === '{') depth++;
				else if (code[k] === '}' && depth-- === 0) {
					close = k;
					break;
				}
			}
			if (open < 0 || close < 0) continue;
			const depthAt = (at) => {
				let depth = 0;
				for (let k = open + 1; k < at; k++) depth += code[k] === '{' ? 1 : code[k] === '}' ? -1 : 0;
				return depth;
			};
			const tested = strings.find((t) => t.start > open && t.end <= close && keyBefore(t, 'testedBy') && depthAt(t.start) === 0);
			entries.push({ file, name: str.value, testedBy: tested && tested.value, line: lineOf(src, str.start) });
		}
	}
	return entries;
}

/**
 * Every credential has a `test` property, or is tested by the nodes: at least one node credential
 * entry names it and every one of them has `testedBy: '<function>'`, a function some node source
 * defines (as in `methods = { credentialTest: { <function>: … } }`). This is what n8n's
 * credential-test-required rule accepts (its scanner ignores eslint-disable comments).
 */
function checkCredentialTests(c, credentialSources, nodeSources) {
	const entries = credentialEntries(nodeSources);
	const nodeCode = walk('nodes', ['.ts']).map((f) => stripSource(fs.readFileSync(f, 'utf8')).code).join('\n');
	const testedByNodes = [];
	for (const file of credentialSources) {
		const src = fs.readFileSync(file, 'utf8');
		const { code } = stripSource(src);
		const re = /^\s*export\s+(?:default\s+)?class\s+([\w$]+)/gm;
		const classes = [];
		let m;
		while ((m = re.exec(code))) classes.push({ name: m[1], at: m.index + m[0].length - m[1].length });
		if (!classes.length) fail(c, `${rel(file)}: no exported credential class found`);
		classes.forEach((cls, index) => {
			const end = index + 1 < classes.length ? classes[index + 1].at : undefined;
			const body = code.slice(cls.at, end);
			if (/^\s*(?:(?:public|readonly|override)\s+)*test\s*[?!]?\s*[:=]/m.test(body)) return;
			const where = `${rel(file)}:${lineOf(src, cls.at)}`;
			const name = credentialName(src, body, cls.at);
			const uses = entries.filter((e) => e.name === name);
			if (!name || !uses.length) {
				fail(c, `${where}: ${cls.name} has no "test" property and no node credential entry tests it (testedBy)`);
				return;
			}
			let ok = true;
			for (const use of uses) {
				const at = `${rel(use.file)}:${use.line}`;
				if (!use.testedBy) {
					fail(c, `${at}: the credential entry "${name}" has no testedBy (${cls.name} has no "test" property)`);
					ok = false;
				} else if (!new RegExp(`(?<![\\w$.])${use.testedBy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`).test(nodeCode)) {
					fail(c, `${at}: testedBy "${use.testedBy}" is not defined in any node source (methods.credentialTest)`);
					ok = false;
				}
			}
			if (ok) testedByNodes.push(cls.name);
		});
	}
	if (testedByNodes.length) c.note = `tested by the nodes (testedBy): ${testedByNodes.join(', ')}`;
}

/* ------------------------------------------------------------------ packed tarball */

const TEST_SEGMENT = /^(test|tests|__tests__|__mocks__)$/i;
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/i;
const TS_SOURCE = /\.(ts|tsx|mts|cts)$/;
const TS_DECLARATION = /\.d\.(ts|mts|cts)$/;

function checkPack(c, pkg, nodeSources, credentialSources) {
	if (!exists(path.join(ROOT, 'dist'))) {
		fail(c, 'dist/ does not exist: run npm run build first');
		return;
	}
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const run = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		shell: process.platform === 'win32',
	});
	if (run.error || run.status !== 0) {
		const why = run.error ? run.error.message : (run.stderr || '').trim().split('\n').slice(-3).join(' | ');
		fail(c, `npm pack --dry-run failed: ${why}`);
		return;
	}
	let packed;
	try {
		const json = JSON.parse(run.stdout.slice(run.stdout.indexOf('[')));
		packed = json[0].files.map((f) => f.path.split(path.sep).join('/'));
	} catch (error) {
		fail(c, `cannot read the output of npm pack --dry-run --json: ${error.message}`);
		return;
	}
	for (const file of packed) {
		if (!META_FILES.includes(file) && !file.startsWith('dist/'))
			fail(c, `tarball: ${file} is outside dist/ (only dist/, ${META_FILES.join(', ')} may ship)`);
		const segments = file.split('/');
		if (segments.some((s) => TEST_SEGMENT.test(s)) || TEST_FILE.test(file))
			fail(c, `tarball: ${file} is a test file`);
		if (TS_SOURCE.test(file) && !TS_DECLARATION.test(file)) fail(c, `tarball: ${file} is a TypeScript source`);
	}
	const have = new Set(packed);
	for (const file of META_FILES) if (!have.has(file)) fail(c, `tarball: ${file} is missing`);
	// What n8n loads must be in the tarball: entry points, codex files and icons.
	const want = [];
	for (const field of ['nodes', 'credentials'])
		for (const entry of (pkg.n8n && Array.isArray(pkg.n8n[field]) ? pkg.n8n[field] : []))
			if (typeof entry === 'string') want.push(entry);
	for (const file of [...nodeSources, ...credentialSources]) {
		const dist = 'dist/' + path.dirname(rel(file)).split(path.sep).join('/');
		if (file.endsWith('.node.ts') && exists(file.replace(/\.ts$/, '.json')))
			want.push(`dist/${rel(file).replace(/\.ts$/, '.json')}`);
		const icons = iconFiles(fs.readFileSync(file, 'utf8'));
		if (icons)
			for (const icon of [icons.light, icons.dark]) if (icon) want.push(path.posix.normalize(`${dist}/${icon}`));
	}
	for (const file of [...new Set(want)])
		if (!have.has(file)) fail(c, `tarball: ${file} is missing (stale or incomplete dist/? run npm run build)`);
}

/* ------------------------------------------------------------------ main */

function main() {
	const nodeSources = walk('nodes', ['.node.ts']);
	const credentialSources = walk('credentials', ['.credentials.ts']);
	const codeFiles = [...walk('nodes', ['.ts']), ...walk('credentials', ['.ts'])].filter((f) => !f.endsWith('.d.ts'));

	const { pkg, error } = readPackage();
	if (pkg) checkPackage(pkg, nodeSources, credentialSources);
	else fail(check('package.json', 'package.json'), error);

	checkRuntime(check('runtime', 'no restricted runtime APIs'), codeFiles);
	checkCodex(check('codex', 'codex files'), (pkg && pkg.name) || '(unknown package)', nodeSources);
	checkIcons(check('icons', 'light and dark icons'), [...nodeSources, ...credentialSources]);
	checkCredentialTests(check('credential.test', 'credential tests'), credentialSources, nodeSources);

	const pack = check('pack', 'packed tarball');
	if (SKIP_PACK) pack.skipped = true;
	else checkPack(pack, pkg || {}, nodeSources, credentialSources);

	const ran = checks.filter((c) => !c.skipped);
	const failed = ran.filter((c) => c.violations.length);
	const passed = ran.length - failed.length;
	const notes = checks.filter((c) => c.note).map((c) => c.note);
	const skipped = checks.filter((c) => c.skipped).map((c) => c.id);
	const extra = [
		`${nodeSources.length} node(s), ${credentialSources.length} credential(s)`,
		...notes,
		...(skipped.length ? [`skipped: ${skipped.join(', ')}`] : []),
	].join('; ');

	if (!failed.length) {
		console.log(`compliance: ${passed} checks passed (${extra})`);
		return 0;
	}
	const total = failed.reduce((sum, c) => sum + c.violations.length, 0);
	const lines = [`compliance: ${total} violation(s) in ${failed.length} of ${ran.length} checks (${extra})`];
	for (const c of failed) {
		lines.push(`  ✗ ${c.id} — ${c.title}`);
		for (const v of c.violations) lines.push(`      ${v}`);
	}
	console.error(lines.join('\n'));
	return 1;
}

if (require.main === module) process.exitCode = main();

module.exports = { stripSource, descriptionName, iconFiles };
