/**
 * Five projects: `unit` (pure modules, fast), `node` (each node's execute()/webhook() with mocked
 * n8n contexts, fast), `fuzz` (property-based tests of the modules that read caller input,
 * ECB_FUZZ_RUNS inputs per property), `release` (the package a clean clone packs and publishes) and `e2e` (a
 * real n8n, see test/e2e/harness/README.md).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
module.exports = {
	// Per test; e2e tests wait on a real n8n (the timeout test sets its own, longer one).
	testTimeout: 120000,
	// `npm run test:unit` (projects unit + node, --coverage): everything under nodes/, no exclusions.
	collectCoverageFrom: ['<rootDir>/nodes/**/*.ts'],
	coverageDirectory: '<rootDir>/coverage',
	// No HTML report: its .js files would land in n8n-node lint's path (it lints every .js/.ts file).
	coverageReporters: ['text', 'text-summary', 'lcovonly'],
	coverageThreshold: { './nodes/': { lines: 90 } },
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'node',
			testEnvironment: 'node',
			testMatch: ['<rootDir>/test/node/**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'fuzz',
			testEnvironment: 'node',
			testMatch: ['<rootDir>/test/fuzz/**/*.fuzz.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'release',
			testEnvironment: 'node',
			testMatch: ['<rootDir>/test/release/**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			// The editor test reads the node descriptions from the installed package, which has no
			// n8n-workflow of its own (an optional peer: n8n provides it); this project's copy
			// stands in for n8n's, as n8n's resolution does for community packages.
			modulePaths: ['<rootDir>/node_modules'],
			globalSetup: '<rootDir>/test/e2e/harness/globalSetup.ts',
			globalTeardown: '<rootDir>/test/e2e/harness/globalTeardown.ts',
		},
	],
};
