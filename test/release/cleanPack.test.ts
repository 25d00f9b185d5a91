/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cleanPack, packProblems } = require('../../scripts/lib/cleanPack.js') as {
	cleanPack: (o?: { log?: (m: string) => void }) => { tarball: string; files: string[]; manifest: Manifest; commit: string };
	packProblems: (files: string[], manifest: Manifest) => string[];
};

interface Manifest {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
	[key: string]: unknown;
}

const NODE_NAMES = ['externalCallbackTrigger', 'externalCallbackWait', 'generateCallbackUrl'];

describe('a clean clone packs the real package', () => {
	let packed: ReturnType<typeof cleanPack>;
	let unpacked: string;

	beforeAll(() => {
		packed = cleanPack({ log: (m) => process.stdout.write(`[clean-pack] ${m}\n`) });
		// inside the project, so that the nodes resolve n8n-workflow from its dev install as they
		// would from n8n's own copy
		mkdirSync(join(__dirname, '../../test-artifacts'), { recursive: true });
		unpacked = mkdtempSync(join(__dirname, '../../test-artifacts/unpacked-'));
		execFileSync('tar', ['-xzf', packed.tarball, '-C', unpacked]);
	}, 15 * 60_000);
	afterAll(() => unpacked && rmSync(unpacked, { recursive: true, force: true }));

	test('the tarball holds every file the n8n section names, and nothing outside dist/ and the docs', () => {
		expect(packProblems(packed.files, packed.manifest)).toEqual([]);
		// the n8n section is the committed one, and names all three nodes
		expect(packed.manifest.n8n.nodes).toHaveLength(3);
		expect(packed.manifest.n8n.credentials.length).toBeGreaterThanOrEqual(7);
	});

	// (was test/e2e/package.test.ts, on the working tree's npm pack --dry-run)
	test('it ships exactly dist, package.json, README, LICENSE and CHANGELOG: the nodes, their icons, no test or source', () => {
		const outside = packed.files.filter((p) => !p.startsWith('dist/')).sort();
		expect(outside).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
		expect(packed.files).toEqual(
			expect.arrayContaining([
				'dist/nodes/ExternalCallbackWait/ExternalCallbackWait.node.js',
				'dist/nodes/GenerateCallbackUrl/GenerateCallbackUrl.node.js',
				'dist/nodes/ExternalCallbackWait/externalCallbackWait.svg',
				'dist/nodes/ExternalCallbackWait/externalCallbackWait.dark.svg',
			]),
		);
		expect(packed.files.some((p) => /test|\.test\.|\.ts$/.test(p) && !p.endsWith('.d.ts'))).toBe(false);
	});

	test('each node loads from the tarball, with its name, codex file and light and dark icons', () => {
		const names: string[] = [];
		for (const file of packed.manifest.n8n.nodes) {
			const full = join(unpacked, 'package', file);
			// eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the node as n8n does, from the unpacked tarball
			const mod = require(full) as Record<string, new () => { description: { name: string; icon: unknown } }>;
			const className = file.split('/').pop()!.replace('.node.js', '');
			const node = new mod[className]();
			names.push(node.description.name);
			const icon = node.description.icon as { light: string; dark: string };
			for (const variant of [icon.light, icon.dark]) {
				const iconFile = join(full, '..', String(variant).replace(/^file:/, ''));
				expect(existsSync(iconFile)).toBe(true);
			}
			expect(existsSync(full.replace(/\.node\.js$/, '.node.json'))).toBe(true);
		}
		expect(names.sort()).toEqual(NODE_NAMES);
	});

	test("n8n's package scanner (its analyzer) finds nothing in the clean-clone tarball", () => {
		const run = spawnSync(process.execPath, [join(__dirname, '../../scripts/scan-package.js'), packed.tarball], {
			encoding: 'utf8',
		});
		expect(run.stdout).toMatch(/tarball .*: no findings/);
		expect(run.status).toBe(0);
	}, 5 * 60_000);

	test('the packed package.json is the committed one, with the community-node keyword and no dependencies', () => {
		const pkg = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8')) as Manifest & {
			keywords: string[];
			dependencies?: object;
			peerDependencies: Record<string, string>;
			devDependencies: Record<string, string>;
			files: string[];
			n8n: { n8nNodesApiVersion: number };
		};
		expect(pkg.name).toBe('n8n-nodes-external-callback');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
		// (was test/e2e/package.test.ts) n8n-core for development only; the community-node fields
		expect(pkg.devDependencies['n8n-core']).toBeDefined();
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.files).toEqual(['dist', 'CHANGELOG.md']);
	});
});

describe('packProblems (the check itself)', () => {
	const manifest = { name: 'x', n8n: { nodes: ['dist/nodes/A/A.node.js'], credentials: ['dist/credentials/C.credentials.js'] } };
	const good = ['LICENSE', 'README.md', 'package.json', 'dist/nodes/A/A.node.js', 'dist/credentials/C.credentials.js'];

	test('a complete list passes', () => expect(packProblems(good, manifest)).toEqual([]));
	test('a missing node, a source file, a test in dist and a missing README are each reported', () => {
		const bad = [...good.filter((f) => f !== 'dist/nodes/A/A.node.js' && f !== 'README.md'), 'nodes/A/A.node.ts', 'dist/test/unit/x.test.js'];
		expect(packProblems(bad, manifest)).toEqual([
			'missing: dist/nodes/A/A.node.js (named in package.json n8n section)',
			'outside dist/: nodes/A/A.node.ts',
			'a test in dist: dist/test/unit/x.test.js',
			'missing: README.md',
		]);
	});
	test('an empty package (what ignore-scripts packed) fails', () => {
		expect(packProblems(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'], manifest)).toHaveLength(2);
	});
});
