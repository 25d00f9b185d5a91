/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { execFileSync } from 'node:child_process';

import { ROOT } from './harness/n8n';

test('npm pack ships exactly dist, package.json, README, LICENSE and CHANGELOG', () => {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
	const [{ files }] = JSON.parse(out) as [{ files: Array<{ path: string }> }];
	const paths = files.map((f) => f.path);
	const outside = paths.filter((p) => !p.startsWith('dist/')).sort();
	expect(outside).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
	expect(paths).toEqual(
		expect.arrayContaining([
			'dist/nodes/ExternalCallbackWait/ExternalCallbackWait.node.js',
			'dist/nodes/GenerateCallbackUrl/GenerateCallbackUrl.node.js',
			'dist/nodes/ExternalCallbackWait/externalCallbackWait.svg',
			'dist/nodes/ExternalCallbackWait/externalCallbackWait.dark.svg',
		]),
	);
	expect(paths.some((p) => /test|\.test\.|\.ts$/.test(p) && !p.endsWith('.d.ts'))).toBe(false);
});

test('package.json follows the community-node conventions', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const pkg = require('../../package.json');
	expect(pkg.name).toBe('n8n-nodes-external-callback');
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
	expect(pkg.devDependencies['n8n-core']).toBeDefined();
	expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
	expect(pkg.files).toEqual(['dist', 'CHANGELOG.md']);
});
