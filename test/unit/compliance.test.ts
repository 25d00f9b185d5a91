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
