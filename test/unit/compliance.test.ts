/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** scripts/check-compliance.js: passes on this repository, and fails (naming each violation) on a bad one. */

const repoRoot = path.resolve(__dirname, '..', '..');
const script = path.join(repoRoot, 'scripts', 'check-compliance.js');
const hasDist = fs.existsSync(path.join(repoRoot, 'dist'));

/** Runs the script against `root` without the pack check; returns its exit code and all its output. */
function runOn(root: string, extraEnv: Record<string, string> = { COMPLIANCE_SKIP_PACK: '1' }) {
	const env: NodeJS.ProcessEnv = { ...process.env, COMPLIANCE_ROOT: root, ...extraEnv };
	if (!('COMPLIANCE_SKIP_PACK' in extraEnv)) delete env.COMPLIANCE_SKIP_PACK;
	const run = spawnSync('node', [script], { cwd: repoRoot, env, encoding: 'utf8' });
	return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('check-compliance on this repository', () => {
	(hasDist ? test : test.skip)(
		hasDist
			? 'passes every check, the packed tarball included'
			: 'passes every check (skipped: dist/ is missing — run npm run build; the e2e run builds it)',
		() => {
			const output = execFileSync('node', ['scripts/check-compliance.js'], {
				cwd: repoRoot,
				encoding: 'utf8',
				env: { ...process.env, COMPLIANCE_ROOT: '', COMPLIANCE_SKIP_PACK: '' },
			});
			expect(output).toMatch(/^compliance: \d+ checks passed/);
		},
		120000,
	);
});

describe('check-compliance on a package that breaks the rules', () => {
	let tmp: string;
	const nodeFile = 'nodes/Bad/Bad.node.ts';
	const nodeSource = [
		"import type { INodeType, INodeTypeDescription } from 'n8n-workflow';",
		'',
		'// Reading process.env here would break the rules; so would setTimeout.',
		'/* process.exit() in a block comment is fine too */',
		'export class Bad implements INodeType {',
		'	description = {',
		"		displayName: 'Bad',",
		"		name: 'bad',",
		'	} as unknown as INodeTypeDescription;',
		'',
		'	async execute() {',
		'		setTimeout(() => undefined, 10);',
		'		const secret = process.env.SECRET;',
		"		const text = 'process.env and setTimeout( in a string';",
		'		const label = `${secret} and process in a template`;',
		'		return [[{ json: { secret, text, label } }]];',
		'	}',
		'}',
		'',
	].join('\n');
	const lineOf = (needle: string) => nodeSource.split('\n').findIndex((l) => l.includes(needle)) + 1;

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

	test('exits 1 and names every violation, but not words in comments or strings', () => {
		const { status, output } = runOn(tmp);
		expect(status).toBe(1);

		// package.json
		expect(output).toMatch(/"dependencies" must be empty, found: left-pad/);
		expect(output).toContain('package.json: "files" must be ["dist","CHANGELOG.md"], found: ["dist"]');
		expect(output).toMatch(/lifecycle script "postinstall" is not allowed/);
		// runtime use, with file:line
		expect(output).toContain(`${nodeFile}:${lineOf('setTimeout(() =>')}: uses setTimeout`);
		expect(output).toContain(`${nodeFile}:${lineOf('const secret = process')}: uses the global \`process\``);
		// codex and icons
		expect(output).toContain('nodes/Bad/Bad.node.json: codex file missing');
		expect(output).toContain(`${nodeFile}: must declare icon: { light: 'file:…', dark: 'file:…' }`);

		// comments, string literals and template text do not count
		for (const needle of ['Reading process.env', 'process.exit()', "'process.env and", 'in a template']) {
			expect(output).not.toContain(`${nodeFile}:${lineOf(needle)}:`);
		}
		// exactly the two runtime findings
		expect(output.match(new RegExp(`${nodeFile.replace(/\./g, '\\.')}:\\d+:`, 'g'))).toHaveLength(2);
		// the pack check was skipped
		expect(output).not.toContain('run npm run build first');
	});

	test('without COMPLIANCE_SKIP_PACK, a package without dist/ is told to build first', () => {
		const { status, output } = runOn(tmp, {});
		expect(status).toBe(1);
		expect(output).toContain('dist/ does not exist: run npm run build first');
	});
});

describe('check-compliance: files and the packed tarball are exactly dist, package.json, README, LICENSE, CHANGELOG', () => {
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

describe('check-compliance: codex categories and credential tests', () => {
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

	test("n8n's categories, no subcategories, and a credential tested by the node pass both checks", () => {
		writePackage({ categories: ['Development', 'Utility'] }, tested, methods);
		const { output } = runOn(tmp);
		expect(section(output, 'codex')).toEqual([]);
		expect(section(output, 'credential.test')).toEqual([]);
		expect(output).toContain('tested by the nodes (testedBy): CatApi');
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

	test('a credential without test: refused without a node entry, without testedBy, or with a testedBy no node defines', () => {
		writePackage({ categories: ['Utility'] }, '', methods);
		expect(section(runOn(tmp).output, 'credential.test')).toEqual([
			'credentials/CatApi.credentials.ts:1: CatApi has no "test" property and no node credential entry tests it (testedBy)',
		]);
		writePackage({ categories: ['Utility'] }, "{ name: 'catApi', required: true }", methods);
		expect(section(runOn(tmp).output, 'credential.test')).toEqual([
			'nodes/Cat/Cat.node.ts:6: the credential entry "catApi" has no testedBy (CatApi has no "test" property)',
		]);
		writePackage({ categories: ['Utility'] }, tested, '{}');
		expect(section(runOn(tmp).output, 'credential.test')).toEqual([
			'nodes/Cat/Cat.node.ts:6: testedBy "catApiTest" is not defined in any node source (methods.credentialTest)',
		]);
	});
});
