#!/usr/bin/env node
// `npm run bench:datatable`: what one keyed read of the correlation index costs n8n as the table
// grows. One real n8n 2.41.1 (loopback only, embedded SQLite, lazy isolates as the README
// advises), no package needed: one data table per size with the index's columns
// (workflowId, nodeId, ckey, executionId, seal), then BENCH_DT_CALLS sequential reads of one key
// from the middle of it, filtered and sorted exactly as targeting/keyIndex.ts findRows asks.
// Prints p50/p90/min per size; writes test-artifacts/bench-datatable.json. Asserts nothing.
//   BENCH_DT_SIZES=100,1000,10000  BENCH_DT_CALLS=60
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { N8nInstance, ensureN8n, ROOT } = require('../lib/n8n');
const { request } = require('../lib/http');

const SIZES = (process.env.BENCH_DT_SIZES || '100,1000,10000').split(',').map(Number).filter((n) => n > 0 && n <= 100_000);
const CALLS = Math.min(Number(process.env.BENCH_DT_CALLS || 60), 1000);

const pct = (xs, p) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function main() {
	const install = ensureN8n(process.env.N8N_VERSION || '2.41.1', { quiet: true });
	const n8n = new N8nInstance(install, { extraEnv: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } });
	const info = await n8n.start();
	const headers = { 'x-n8n-api-key': info.apiKey, 'content-type': 'application/json' };
	const api = async (method, p, body) => {
		const r = await request(method, `${info.baseUrl}/api/v1${p}`, { headers, body, timeoutMs: 60_000 });
		return { status: r.status, ms: r.ms, json: r.text ? JSON.parse(r.text) : undefined };
	};
	const columns = ['workflowId', 'nodeId', 'ckey', 'executionId', 'seal'].map((name) => ({ name, type: 'string' }));
	const rows = [];
	try {
		for (const size of SIZES) {
			const t = await api('POST', '/data-tables', { name: `bench_read_${size}`, columns });
			if (t.status !== 200 && t.status !== 201) throw new Error(`create table: ${t.status}`);
			for (let i = 0; i < size; i += 500) {
				const data = [];
				for (let j = i; j < Math.min(size, i + 500); j++) data.push({ workflowId: 'wf-bench', nodeId: 'node-1', ckey: `K-${j}`, executionId: String(100000 + j), seal: 'x'.repeat(120) });
				const r = await api('POST', `/data-tables/${t.json.id}/rows`, { data, returnType: 'count' });
				if (r.status !== 200) throw new Error(`insert rows: ${r.status}`);
			}
			const lat = [];
			for (let c = 0; c < CALLS; c++) {
				const filters = [
					{ columnName: 'workflowId', condition: 'eq', value: 'wf-bench' },
					{ columnName: 'nodeId', condition: 'eq', value: 'node-1' },
					{ columnName: 'ckey', condition: 'eq', value: `K-${Math.floor(size / 2) + (c % 7)}` },
				];
				const q = new URLSearchParams({ filter: JSON.stringify({ type: 'and', filters }), sortBy: 'id:asc', limit: '25' });
				const r = await api('GET', `/data-tables/${t.json.id}/rows?${q}`);
				if (r.status !== 200 || r.json.data.length !== 1) throw new Error(`read: ${r.status}`);
				lat.push(r.ms);
			}
			const row = { rows: size, calls: CALLS, p50: pct(lat, 50), p90: pct(lat, 90), min: Math.min(...lat) };
			rows.push(row);
			process.stdout.write(`[bench:datatable] ${size} rows: keyed read p50 ${row.p50.toFixed(1)} ms, p90 ${row.p90.toFixed(1)} ms, min ${row.min.toFixed(1)} ms (${CALLS} reads)\n`);
		}
	} finally {
		await n8n.stop();
		n8n.destroy();
	}
	const out = path.join(ROOT, 'test-artifacts', 'bench-datatable.json');
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, `${JSON.stringify({ n8n: install.version, rows }, null, 2)}\n`);
	process.stdout.write(`[bench:datatable] written to ${path.relative(ROOT, out)}\n`);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`[bench:datatable] ${error.stack || error}\n`);
		process.exit(1);
	},
);
