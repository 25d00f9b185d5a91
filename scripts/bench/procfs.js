// What /proc says about n8n during the benchmark: RSS (main process and descendants, sampled)
// and CPU time (n8n, this script, the machine). Linux only; NaN where /proc has nothing.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { sleep } = require('../lib/n8n');
const { f1, mb, pct } = require('./stats');

function rssKb(pid) {
	try {
		const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : NaN;
	} catch {
		return NaN;
	}
}
function childPids(pid) {
	const out = [];
	try {
		for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
			try {
				out.push(...fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
			} catch {
				/* thread gone */
			}
		}
	} catch {
		/* process gone */
	}
	return [...new Set(out)];
}
function cmdline(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => path.basename(a)).join(' ').slice(0, 80);
	} catch {
		return '?';
	}
}
/** RSS of n8n's main process and of it plus every descendant (the task runner). */
function memory(pid) {
	const main = rssKb(pid);
	const kids = [];
	const queue = childPids(pid);
	for (let i = 0; i < queue.length && i < 64; i++) {
		const p = queue[i];
		kids.push({ pid: p, cmd: cmdline(p), kb: rssKb(p) });
		queue.push(...childPids(p));
	}
	const total = main + kids.reduce((s, k) => s + (Number.isFinite(k.kb) ? k.kb : 0), 0);
	return { main, total, kids };
}
/** RSS sampled `samples` times `intervalMs` apart (GC makes single readings jump by hundreds of MB): medians. */
async function memorySampled(pid, samples = 20, intervalMs = 500) {
	const got = [];
	for (let i = 0; i < samples; i++) {
		if (i) await sleep(intervalMs);
		got.push(memory(pid));
	}
	const med = (k) => pct(got.map((m) => m[k]), 50);
	const last = got[got.length - 1];
	return {
		main: med('main'),
		total: med('total'),
		kids: last.kids,
		range: {
			main: [Math.min(...got.map((m) => m.main)), Math.max(...got.map((m) => m.main))],
			total: [Math.min(...got.map((m) => m.total)), Math.max(...got.map((m) => m.total))],
		},
		samples,
	};
}
/** n8n's idle RSS as the target compares it: 15 s after the process is ready, then sampled. */
async function settledRss(pid) {
	await sleep(15_000); // let the task runner come up and start-up work settle
	return await memorySampled(pid);
}
let CLK_TCK = 100;
try {
	CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
	/* keep 100 */
}
/** CPU time (user + system, ms) the process has used so far. */
function cpuMs(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
	} catch {
		return NaN;
	}
}
/** Machine-wide CPU (ms, all cores) from /proc/stat: busy and total. */
function machineCpu() {
	try {
		const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
		const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
		const idle = v[3] + (v[4] || 0);
		return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK };
	} catch {
		return { busy: NaN, total: NaN };
	}
}
/** CPU (ms) of n8n's main process and its descendants. */
function n8nCpu(pid) {
	const pids = [pid];
	for (let i = 0; i < pids.length && i < 64; i++) pids.push(...childPids(pids[i]));
	return pids.reduce((s, p) => s + (Number.isFinite(cpuMs(p)) ? cpuMs(p) : 0), 0);
}
/** Who used the machine during a phase: this n8n, this script, everything else (other n8n's, tests…). */
function cpuSnapshot(pid) {
	const u = process.cpuUsage();
	return { t: Date.now(), m: machineCpu(), n8n: n8nCpu(pid), client: (u.user + u.system) / 1000, load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
}
function cpuShare(a, b) {
	const wall = b.t - a.t;
	const cores = os.cpus().length;
	const pctOf = (ms) => (100 * ms) / (wall * cores);
	const busy = b.m.busy - a.m.busy;
	const n8nMs = b.n8n - a.n8n;
	const clientMs = b.client - a.client;
	return {
		wallS: wall / 1000,
		busyPct: pctOf(busy),
		n8nPct: pctOf(n8nMs),
		clientPct: pctOf(clientMs),
		otherPct: pctOf(Math.max(0, busy - n8nMs - clientMs)),
		load: b.load,
	};
}
const shareLine = (c) =>
	`machine busy ${f1(c.busyPct)}% of ${os.cpus().length} cores over ${f1(c.wallS)} s: this n8n ${f1(c.n8nPct)}%, this script ${f1(c.clientPct)}%, other processes ${f1(c.otherPct)}% (load average at end ${c.load})`;
function otherN8ns(pid) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d) || Number(d) === pid) continue;
		const cmd = (() => {
			try {
				return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
			} catch {
				return '';
			}
		})();
		if (/n8n\/bin\/n8n start/.test(cmd)) out.push(Number(d));
	}
	return out;
}
const memLine = (m) =>
	`main ${f1(mb(m.main))} MB, with children ${f1(mb(m.total))} MB` +
	(m.range ? ` (median of ${m.samples} readings over ${((m.samples - 1) * 0.5).toFixed(1)} s; main ${f1(mb(m.range.main[0]))}–${f1(mb(m.range.main[1]))}, with children ${f1(mb(m.range.total[0]))}–${f1(mb(m.range.total[1]))})` : '') +
	(m.kids.length ? ` (${m.kids.map((k) => `${k.pid} ${k.cmd}: ${f1(mb(k.kb))} MB`).join('; ')})` : ' (no child process found)');

module.exports = { memory, memorySampled, settledRss, cpuMs, cpuSnapshot, cpuShare, shareLine, otherN8ns, memLine };
