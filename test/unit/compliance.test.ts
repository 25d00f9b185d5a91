/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * scripts/compliance.js (what the lint rules cannot check): passes on this repository, and fails
 * (naming each violation) on a bad one. The checks it dropped are lint rules now: the last block
 * runs n8n's lint config on a bad package and asserts each of those rules fires.
 */

const repoRoot = path.resolve(__dirname, '..', '..');
const script = path.join(repoRoot, 'scripts', 'compliance.js');
const hasDist = fs.existsSync(path.join(repoRoot, 'dist'));

/** Runs the script against `root` without the pack check; returns its exit code and all its output. */
function runOn(root: string, extraEnv: Record<string, string> = { COMPLIANCE_SKIP_PACK: '1' }) {
	const env: NodeJS.ProcessEnv = { ...process.env, COMPLIANCE_ROOT: root, ...extraEnv };
	if (!('COMPLIANCE_SKIP_PACK' in extraEnv)) delete env.COMPLIANCE_SKIP_PACK;
	const run = spawnSync('node', [script], { cwd: repoRoot, env, encoding: 'utf8' });
	return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('compliance on this repository', () => {
	(hasDist ? test : test.skip)(
		hasDist
			? 'passes every check, the packed tarball included'
			: 'passes every check (skipped: dist/ is missing — run npm run build; the e2e run builds it)',
		() => {
			const output = execFileSync('node', ['scripts/compliance.js'], {
				cwd: repoRoot,
				encoding: 'utf8',
				env: { ...process.env, COMPLIANCE_ROOT: '', COMPLIANCE_SKIP_PACK: '' },
			});
			expect(output).toMatch(/^compliance: \d+ checks passed/);
		},
		120000,
	);
});

describe('compliance on a package that breaks the rules', () => {
	let tmp: string;
	const nodeFile = 'nodes/Bad/Bad.node.ts';
	const nodeSource = [
		"import type { INodeType, INodeTypeDescription } from 'n8n-workflow';",
		'',
		'export class Bad implements INodeType {',
		'	description = {',
		"		displayName: 'Bad',",
		"		name: 'bad',",
		'	} as unknown as INodeTypeDescription;',
		'}',
		'',
	].join('\n');

	beforeAll(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-'));
		const pkg = {
			name: 'n8n-nodes-bad',
			version: '0.0.0',
			keywords: ['n8n-community-node-package'],
			files: ['dist'],
			scripts: { postinstall: 'node setup.js' },
			dependencies: { 'left-pad': '^1.3.0' },
			peerDependencies: { 'n8n-workflow': '*' },
			n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Bad/Bad.node.js'], credentials: [] },
		};
		fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify(pkg, null, 2));
		fs.mkdirSync(path.join(tmp, 'nodes', 'Bad'), { recursive: true });
		fs.writeFileSync(path.join(tmp, nodeFile), nodeSource);
	});

	afterAll(() => {
		if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	});

	test('exits 1 and names every violation', () => {
		const { status, output } = runOn(tmp);
		expect(status).toBe(1);

		// package.json
		expect(output).toContain('package.json: "files" must be ["dist","CHANGELOG.md"], found: ["dist"]');
		// codex and icons
		expect(output).toContain('nodes/Bad/Bad.node.json: codex file missing');
		expect(output).toContain(`${nodeFile}: must declare icon: { light: 'file:…', dark: 'file:…' }`);
		// the pack check was skipped
		expect(output).not.toContain('run npm run build first');
	});

	test('without COMPLIANCE_SKIP_PACK, a package without dist/ is told to build first', () => {
		const { status, output } = runOn(tmp, {});
		expect(status).toBe(1);
		expect(output).toContain('dist/ does not exist: run npm run build first');
	});
});

describe('compliance: files and the packed tarball are exactly dist, package.json, README, LICENSE, CHANGELOG', () => {
	let tmp: string;
	const write = (rel: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
		fs.writeFileSync(path.join(tmp, rel), text);
	};
	const writePackage = (files: unknown) =>
		write(
			'package.json',
			JSON.stringify({
				name: 'n8n-nodes-tidy',
				version: '0.0.0',
				keywords: ['n8n-community-node-package'],
				files,
				peerDependencies: { 'n8n-workflow': '*' },
				n8n: { n8nNodesApiVersion: 1, nodes: [], credentials: [] },
			}),
		);
	const violations = (output: string) => output.split('\n').filter((l) => /^ {6}\S/.test(l)).map((l) => l.trim());

	beforeEach(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-pack-'));
		write('dist/index.js', 'module.exports = {};\n');
		write('README.md', '# tidy\n');
		write('LICENSE', 'MIT\n');
		write('CHANGELOG.md', '# Changelog\n');
		write('examples/flow.json', '{}\n');
	});
	afterEach(() => {
		if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	});

	test('files ["dist", "CHANGELOG.md"] (any order) passes, packed tarball included', () => {
		writePackage(['CHANGELOG.md', 'dist']);
		const { status, output } = runOn(tmp, {});
		expect(violations(output)).toEqual([]);
		expect(status).toBe(0);
	}, 60000);

	test.each([
		[['dist']],
		[['dist', 'CHANGELOG.md', 'examples']],
		[['dist', 'CHANGELOG']],
		[undefined],
	])('files %j is refused', (files) => {
		writePackage(files);
		const { status, output } = runOn(tmp);
		expect(status).toBe(1);
		expect(violations(output)).toEqual([`package.json: "files" must be ["dist","CHANGELOG.md"], found: ${JSON.stringify(files)}`]);
	});

	test('a tarball with anything else, or without the changelog, fails the pack check', () => {
		writePackage(['dist', 'examples']);
		const { status, output } = runOn(tmp, {});
		expect(status).toBe(1);
		expect(violations(output)).toEqual([
			'package.json: "files" must be ["dist","CHANGELOG.md"], found: ["dist","examples"]',
			'tarball: examples/flow.json is outside dist/ (only dist/, package.json, README.md, LICENSE, CHANGELOG.md may ship)',
			'tarball: CHANGELOG.md is missing',
		]);
	}, 60000);
});

describe('compliance: codex categories', () => {
	let tmp: string;
	const write = (rel: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
		fs.writeFileSync(path.join(tmp, rel), text);
	};
	/** The violations of one check, from the script's report. */
	const section = (output: string, id: string) => {
		const lines = output.split('\n');
		const at = lines.findIndex((l) => l.startsWith(`  ✗ ${id} — `));
		if (at < 0) return [];
		const out: string[] = [];
		for (const l of lines.slice(at + 1)) {
			if (!/^ {6}\S/.test(l)) break;
			out.push(l.trim());
		}
		return out;
	};
	const writePackage = (codex: Record<string, unknown>, entry: string, methods: string) => {
		write(
			'package.json',
			JSON.stringify({
				name: 'n8n-nodes-cat',
				version: '0.0.0',
				keywords: ['n8n-community-node-package'],
				files: ['dist', 'CHANGELOG.md'],
				peerDependencies: { 'n8n-workflow': '*' },
				n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Cat/Cat.node.js'], credentials: ['dist/credentials/CatApi.credentials.js'] },
			}),
		);
		write(
			'nodes/Cat/Cat.node.ts',
			[
				'export class Cat {',
				'	description = {',
				"		displayName: 'Cat',",
				"		name: 'cat',",
				"		icon: { light: 'file:cat.svg', dark: 'file:cat.dark.svg' },",
				`		credentials: [${entry}],`,
				'	};',
				`	methods = ${methods};`,
				'}',
				'',
			].join('\n'),
		);
		write('nodes/Cat/Cat.node.json', JSON.stringify({ node: 'n8n-nodes-cat.cat', alias: ['cat'], resources: { primaryDocumentation: [{ url: 'https://example.com' }] }, ...codex }));
		write('nodes/Cat/cat.svg', '<svg id="light"/>');
		write('nodes/Cat/cat.dark.svg', '<svg id="dark"/>');
		write(
			'credentials/CatApi.credentials.ts',
			[
				'export class CatApi {',
				"	name = 'catApi';",
				"	displayName = 'Cat API';",
				"	icon = { light: 'file:cat.svg', dark: 'file:cat.dark.svg' };",
				'	properties = [];',
				'}',
				'',
			].join('\n'),
		);
		write('credentials/cat.svg', '<svg id="light"/>');
		write('credentials/cat.dark.svg', '<svg id="dark"/>');
	};
	const tested = "{ name: 'catApi', required: true, testedBy: 'catApiTest', displayOptions: { show: { auth: ['key'] } } }";
	const methods = '{ credentialTest: { catApiTest: async () => ({ status: "OK", message: "ok" }) } }';

	beforeEach(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-codex-'));
	});
	afterEach(() => {
		if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	});

	test("n8n's categories and no subcategories pass, icons included", () => {
		writePackage({ categories: ['Development', 'Utility'] }, tested, methods);
		const { output } = runOn(tmp);
		expect(section(output, 'codex')).toEqual([]);
		expect(section(output, 'icons')).toEqual([]);
	});

	test('identical light and dark icons, or a missing one, are refused', () => {
		writePackage({ categories: ['Utility'] }, tested, methods);
		write('nodes/Cat/cat.dark.svg', '<svg id="light"/>');
		fs.rmSync(path.join(tmp, 'credentials/cat.dark.svg'));
		expect(section(runOn(tmp).output, 'icons')).toEqual([
			'nodes/Cat/Cat.node.ts: light and dark icons (nodes/Cat/cat.svg, nodes/Cat/cat.dark.svg) are identical; the dark one must differ',
			'credentials/CatApi.credentials.ts: icon file credentials/cat.dark.svg does not exist',
		]);
	});

	test('a category outside the list and subcategories of a category not listed are refused', () => {
		writePackage({ categories: ['Core Nodes', 'Utility'], subcategories: { 'Core Nodes': ['Flow'], Utility: ['Helpers'] } }, tested, methods);
		const list = 'Data & Storage, Finance & Accounting, Marketing & Content, Productivity, Miscellaneous, Sales, Development, Analytics, Communication, Utility';
		expect(section(runOn(tmp).output, 'codex')).toEqual([`nodes/Cat/Cat.node.json: category "Core Nodes" is not one of n8n's: ${list}`]);
		writePackage({ categories: ['Utility'], subcategories: { 'Core Nodes': ['Flow'] } }, tested, methods);
		expect(section(runOn(tmp).output, 'codex')).toEqual([
			'nodes/Cat/Cat.node.json: "subcategories" names "Core Nodes", which is not in "categories"',
		]);
	});
});

describe('the checks compliance.js no longer makes are lint rules (n8n-node lint, npm run scan)', () => {
	let tmp: string;
	const write = (rel: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
		fs.writeFileSync(path.join(tmp, rel), text);
	};
	const nodeSource = [
		"import type { INodeType, INodeTypeDescription } from 'n8n-workflow';",
		"import { readFileSync } from 'fs';",
		'',
		'export class Bad implements INodeType {',
		"	description = { displayName: 'Bad', name: 'bad' } as unknown as INodeTypeDescription;",
		'',
		'	async execute() {',
		'		setTimeout(() => undefined, 10);',
		'		const secret = process.env.SECRET;',
		"		const code = eval('1');",
		"		const make = new Function('return 1');",
		"		return [[{ json: { secret, code, make: String(make), file: readFileSync('x', 'utf8') } }]];",
		'	}',
		'}',
		'',
	].join('\n');
	const lineOf = (needle: string) => nodeSource.split('\n').findIndex((l) => l.includes(needle)) + 1;

	beforeAll(() => {
		// inside the project: the copied eslint.config.mjs resolves @n8n/node-cli from its node_modules
		fs.mkdirSync(path.join(repoRoot, 'test-artifacts'), { recursive: true });
		tmp = fs.mkdtempSync(path.join(repoRoot, 'test-artifacts', 'lint-coverage-'));
		fs.copyFileSync(path.join(repoRoot, 'eslint.config.mjs'), path.join(tmp, 'eslint.config.mjs'));
		write(
			'package.json',
			JSON.stringify({
				name: 'bad-package',
				version: '0.0.0',
				keywords: ['nodes'],
				files: ['dist'],
				scripts: { postinstall: 'node setup.js' },
				dependencies: { 'left-pad': '^1.3.0' },
				peerDependencies: { 'n8n-workflow': '*', 'n8n-core': '*' },
				n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Bad/Bad.node.js'], credentials: ['dist/credentials/BadApi.credentials.js'] },
			}),
		);
		write('nodes/Bad/Bad.node.ts', nodeSource);
		write(
			'credentials/BadApi.credentials.ts',
			[
				"import type { ICredentialType, INodeProperties } from 'n8n-workflow';",
				'',
				'export class BadApi implements ICredentialType {',
				"	name = 'badApi';",
				"	displayName = 'Bad API';",
				"	documentationUrl = 'https://example.com';",
				"	icon = { light: 'file:bad.svg', dark: 'file:bad.dark.svg' } as const;",
				'	properties: INodeProperties[] = [];',
				'}',
				'',
			].join('\n'),
		);
	});
	afterAll(() => {
		if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	});

	test('each dropped check fails lint as an error (no eslint-disable honoured, as the scanner runs it)', () => {
		const eslint = path.join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
		// NODE_ENV as outside Jest: eslint-plugin-n8n-nodes-base reads package.json differently under 'test'
		const env: NodeJS.ProcessEnv = { ...process.env };
		delete env.NODE_ENV;
		const run = spawnSync('node', [eslint, '--no-inline-config', '-f', 'json', '.'], { cwd: tmp, encoding: 'utf8', env });
		const results = JSON.parse(run.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number; severity: number }> }>;
		const errors = results.flatMap((r) =>
			r.messages.filter((m) => m.severity === 2).map((m) => `${path.relative(tmp, r.filePath)}:${r.filePath.endsWith('.json') ? '' : m.line}:${m.ruleId}`),
		);
		const node = 'nodes/Bad/Bad.node.ts';
		expect(errors).toEqual(
			expect.arrayContaining([
				// package.json: name, keyword, dependencies, peerDependencies (n8n-core too), lifecycle scripts
				'package.json::@n8n/community-nodes/package-name-convention',
				'package.json::n8n-nodes-base/community-package-json-keywords-without-official-tag',
				'package.json::@n8n/community-nodes/no-runtime-dependencies',
				'package.json::@n8n/community-nodes/valid-peer-dependencies',
				'package.json::@n8n/community-nodes/no-forbidden-lifecycle-scripts',
				// runtime: fs import, timers, process, eval, new Function
				`${node}:${lineOf("from 'fs'")}:@n8n/community-nodes/no-restricted-imports`,
				`${node}:${lineOf('setTimeout')}:@n8n/community-nodes/no-restricted-globals`,
				`${node}:${lineOf('process.env')}:@n8n/community-nodes/no-restricted-globals`,
				`${node}:${lineOf('eval(')}:@n8n/community-nodes/no-dangerous-functions`,
				`${node}:${lineOf('new Function')}:@n8n/community-nodes/no-dangerous-functions`,
				// a credential nobody tests
				'credentials/BadApi.credentials.ts:3:@n8n/community-nodes/credential-test-required',
			]),
		);
		expect(run.status).toBe(1);
	}, 60000);
});
