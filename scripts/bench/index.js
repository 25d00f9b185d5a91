#!/usr/bin/env node
// `npm run bench`: side-by-side numbers on ONE real n8n (loopback only, embedded SQLite) with
// this package installed from its packed tarball. Prints a table; asserts nothing.
//
//   1. resume latency: External Callback Wait (callback URL) vs n8n's Wait node ($execution.resumeUrl)
//   2. a refused call (wrong API key → 401) and a false condition (→ 200, ignored) vs a resume
//   3. `?execution=all` on the stable URL vs resume URLs at concurrency 1, 4, 8, 16
//   4. `?key=` and `?execution=any` with 100, then many executions waiting vs a direct resume-URL
//      call
//   5. n8n's RSS idle vs with many executions waiting
//   6. a burst of BENCH_BURST concurrent calls at n8n's own Webhook node and then of `?key=` calls
//      (phases/burst.js), n8n's readiness sampled every second
//
// Sizes (env): BENCH_RESUMES=200 BENCH_GUARD_CALLS=<BENCH_RESUMES> BENCH_ALL=1000
// BENCH_ANY_WAITING=10000 BENCH_KEY_SMALL=100 BENCH_BURST=500 BENCH_ANY_CALLS=20
// BENCH_CREATE_CONCURRENCY=16 BENCH_WARMUP=3
// BENCH_PHASE_TIMEOUT_S=1200; ECB_BENCH_QUICK=1 makes every default small (a smoke run of a few
// minutes; explicit BENCH_* still win); BENCH_KEEP_N8N_FOLDER=1 keeps n8n's user folder (and its
// log). BENCH_N8N_ENV='DB_SQLITE_POOL_SIZE=8 N8N_…=…' starts n8n with those settings (default:
// N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true, the README's recommendation; BENCH_N8N_DEFAULTS=1: none);
// BENCH_BURST_BASELINE=0 / BENCH_BURST_OURS=0 skip one of the two bursts. Every loop is bounded by a count and a deadline; every request by a timeout.
//
// Writes test-artifacts/bench-latest.md (the report) and test-artifacts/bench-latest.json
// ({ rows: [{ id, ours, baseline, ratio, target, met }], machine, commit, sizes }).
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { closeIdle } = require('../lib/http');
const { ROOT, N8nInstance, ensureN8n, packAndInstall } = require('../lib/n8n');
const { executionHelpers } = require('./executions');
const { cpuSnapshot, cpuShare, memLine, otherN8ns, settledRss, shareLine } = require('./procfs');
const { report } = require('./report');
const { f1 } = require('./stats');
const PHASES = ['resume', 'guards', 'all', 'any', 'burst'].map((name) => ({ key: name, ...require(`./phases/${name}`) }));

const QUICK = process.env.ECB_BENCH_QUICK === '1';

/** The sizes from the environment (ECB_BENCH_QUICK=1: small defaults). */
function readSizes(env = process.env) {
	const int = (name, dflt) => {
		const v = env[name];
		if (v === undefined || v === '') return dflt;
		const n = Number(v);
		if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
		return n;
	};
	const sizes = {};
	sizes.BENCH_RESUMES = int('BENCH_RESUMES', QUICK ? 10 : 200);
	sizes.BENCH_GUARD_CALLS = int('BENCH_GUARD_CALLS', sizes.BENCH_RESUMES);
	sizes.BENCH_ALL = int('BENCH_ALL', QUICK ? 20 : 1000);
	sizes.BENCH_ANY_WAITING = int('BENCH_ANY_WAITING', QUICK ? 150 : 10000);
	sizes.BENCH_KEY_SMALL = int('BENCH_KEY_SMALL', QUICK ? 30 : 100);
	sizes.BENCH_BURST = int('BENCH_BURST', QUICK ? 40 : 500);
	sizes.BENCH_ANY_CALLS = int('BENCH_ANY_CALLS', QUICK ? 5 : 20);
	// the wait node's typeVersion under test (scripts/bench/workflows.js)
	sizes.BENCH_WAIT_VERSION = require('./workflows').WAIT_VERSION;
	sizes.BENCH_CREATE_CONCURRENCY = Math.max(1, int('BENCH_CREATE_CONCURRENCY', 16));
	sizes.BENCH_WARMUP = int('BENCH_WARMUP', QUICK ? 1 : 3);
	sizes.BENCH_PHASE_TIMEOUT_S = Math.max(10, int('BENCH_PHASE_TIMEOUT_S', QUICK ? 300 : 1200));
	return sizes;
}

const log = (...a) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const git = (...a) => {
	try {
		return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return '?';
	}
};

/**
 * n8n settings for this run (BENCH_N8N_ENV: space-separated NAME=value, which win). By default
 * n8n runs with the setting the README recommends for the stable URL at scale,
 * N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (n8n 2.x builds an expression isolate for every webhook
 * call of a node that is not its own Webhook node unless it is set; docs/benchmarks.md has both);
 * BENCH_N8N_DEFAULTS=1 measures n8n's defaults instead.
 */
function n8nEnv(env = process.env) {
	const out = env.BENCH_N8N_DEFAULTS === '1' ? {} : { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' };
	for (const pair of String(env.BENCH_N8N_ENV || '').split(/\s+/).filter(Boolean)) {
		const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
		if (!m) throw new Error(`BENCH_N8N_ENV: not NAME=value: ${pair}`);
		out[m[1]] = m[2];
	}
	return out;
}

/** The machine and the n8n measured. */
function machineFacts(install) {
	const n8nPkg = path.join(path.dirname(path.dirname(install.n8nBin)), 'package.json');
	const envPart = Object.keys(process.env)
		.filter((k) => k.startsWith('BENCH_') || k === 'ECB_BENCH_QUICK')
		.sort()
		.map((k) => `${k}=${process.env[k]}`)
		.join(' ');
	return {
		command: `${envPart ? `${envPart} ` : ''}node ${path.relative(ROOT, process.argv[1]) || process.argv[1]}${process.argv.slice(2).map((a) => ` ${a}`).join('')}`,
		cpus: os.cpus().length,
		cpuModel: (os.cpus()[0] || {}).model || '?',
		memGb: os.totalmem() / 1024 ** 3,
		osInfo: `${os.type()} ${os.release()} ${os.arch()}`,
		nodeVersion: execFileSync(install.nodeBin, ['--version'], { encoding: 'utf8' }).trim(),
		clientNode: process.version,
		n8nVersion: fs.existsSync(n8nPkg) ? JSON.parse(fs.readFileSync(n8nPkg, 'utf8')).version : install.version,
		n8nSettings: Object.entries(n8nEnv()).map(([k, v]) => `${k}=${v}`).join(' ') || "n8n's defaults",
	};
}

/** What exactly was measured: others may rebuild dist/ or commit while this runs. */
function packageFacts(tarball) {
	const distFile = path.join(ROOT, 'dist/nodes/ExternalCallbackWait/ExternalCallbackWait.node.js');
	return {
		head: git('rev-parse', '--short', 'HEAD'),
		dirty: git('status', '--porcelain').split('\n').filter(Boolean).length,
		sha: createHash('sha256').update(fs.readFileSync(tarball)).digest('hex').slice(0, 12),
		distBuilt: fs.existsSync(distFile) ? fs.statSync(distFile).mtime.toISOString() : '?',
		packedAt: new Date().toISOString(),
	};
}

/** Runs the enabled phases in order on a started n8n; returns every result (nothing global). */
async function runPhases(n8n, sizes) {
	const results = { notes: [], cpu: [] };
	results.memIdle = await settledRss(n8n.info.pid);
	log(`RSS idle: ${memLine(results.memIdle)}`);
	const ex = executionHelpers({ n8n, sizes, log });
	const n8nCred = await ex.credential('externalCallbackN8nApi', { baseUrl: n8n.info.baseUrl, apiKey: n8n.info.apiKey });
	const ctx = { n8n, sizes, log, ex, n8nCred, phaseMs: sizes.BENCH_PHASE_TIMEOUT_S * 1000 };
	for (const phase of PHASES) {
		if (!phase.enabled(sizes)) continue;
		const tp = Date.now();
		const others = otherN8ns(n8n.info.pid);
		const snap = cpuSnapshot(n8n.info.pid);
		let cpuEnd;
		try {
			const out = await phase.run(ctx);
			if (phase.key === 'resume' || phase.key === 'any') {
				// any: the phase's CPU share is of the process that did the work (before its restart)
				const { cpuBeforeRestart, ...rest } = out;
				cpuEnd = cpuBeforeRestart;
				Object.assign(results, rest);
			} else results[phase.key] = out;
		} catch (error) {
			log(`phase ${phase.name} failed: ${error.stack || error.message}`);
			results.notes.push(`phase ${phase.name} failed: ${error.message.split('\n')[0]}`);
		}
		const share = cpuShare(snap, cpuEnd || cpuSnapshot(n8n.info.pid));
		results.cpu.push({ name: phase.name, share, others: others.length });
		log(`phase ${phase.name}: ${((Date.now() - tp) / 1000).toFixed(1)} s; ${shareLine(share)}; other n8n processes at start: ${others.length}`);
	}
	return results;
}

async function main() {
	const started = Date.now();
	const sizes = readSizes();
	log(`sizes: ${Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(' ')}`);
	const install = ensureN8n(undefined, { quiet: true });
	const facts = machineFacts(install);
	log(`machine: ${facts.cpus} × ${facts.cpuModel}, ${f1(facts.memGb)} GB; n8n ${facts.n8nVersion} on Node ${facts.nodeVersion}`);
	log('packing the package and installing it as a user would (build first: npm run build)');
	// `npm run …` exports the project's .npmrc (ignore-scripts=true) to child npm commands; run
	// directly with node, do the same, or npm would compile the peer dependency's native addons.
	process.env.npm_config_ignore_scripts ??= 'true';
	const { nodesDir, tarball } = packAndInstall();
	facts.pkg = packageFacts(tarball);
	log(`package: packed ${facts.pkg.packedAt} from dist/ built ${facts.pkg.distBuilt}; git HEAD ${facts.pkg.head} (+${facts.pkg.dirty} uncommitted paths); tarball sha256 ${facts.pkg.sha}`);
	const n8n = new N8nInstance(install, { nodesDir, extraEnv: n8nEnv() });
	let stopping = false;
	const stopAndExit = async (signal) => {
		if (stopping) return;
		stopping = true;
		log(`${signal}: stopping n8n (pid ${n8n.info.pid})`);
		await n8n.stop().catch(() => undefined);
		process.exit(130);
	};
	process.on('SIGINT', () => void stopAndExit('SIGINT'));
	process.on('SIGTERM', () => void stopAndExit('SIGTERM'));
	let results;
	try {
		const t0 = Date.now();
		await n8n.start();
		log(`n8n up at ${n8n.info.baseUrl} (pid ${n8n.info.pid}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; log ${n8n.info.logFile}`);
		results = await runPhases(n8n, sizes);
	} finally {
		if (!stopping) {
			log('stopping n8n');
			await n8n.stop();
		}
	}
	results.notes.push(`total benchmark time ${((Date.now() - started) / 1000).toFixed(0)} s; n8n log: ${n8n.info.logFile}${process.env.BENCH_KEEP_N8N_FOLDER === '1' ? '' : ' (deleted; BENCH_KEEP_N8N_FOLDER=1 keeps it)'}`);
	facts.date = new Date().toISOString();
	const { md, rows } = report(results, facts, sizes);
	if (process.env.BENCH_KEEP_N8N_FOLDER !== '1') n8n.destroy();
	const out = path.join(ROOT, 'test-artifacts');
	fs.mkdirSync(out, { recursive: true });
	fs.writeFileSync(path.join(out, 'bench-latest.md'), md);
	const { pkg, command, date, ...machine } = facts;
	const commit = { head: pkg.head, uncommittedPaths: pkg.dirty, tarballSha256: pkg.sha, distBuilt: pkg.distBuilt };
	fs.writeFileSync(path.join(out, 'bench-latest.json'), `${JSON.stringify({ rows, machine, commit, sizes, command, date }, null, 2)}\n`);
	console.log(`\n${md}`);
	console.log('(also written to test-artifacts/bench-latest.md and, the rows as JSON, test-artifacts/bench-latest.json)');
	closeIdle();
	process.exit(0); // N8nInstance.stop() leaves a 30 s timer behind
}

if (require.main === module) {
	main().catch((e) => {
		console.error(`[bench] failed: ${e.stack || e.message}`);
		closeIdle();
		process.exit(1);
	});
}

module.exports = { readSizes };
