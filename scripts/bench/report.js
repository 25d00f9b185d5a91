// The benchmark's report, pure: from the phases' results, the machine facts and the sizes to
// the rows (each with a stable id) and the markdown of test-artifacts/bench-latest.md. The rows
// also go to test-artifacts/bench-latest.json: ours, baseline and ratio as numbers (null when not
// measured; for the RSS rows, ratio is the difference in MB), met true/false/null.
'use strict';

const { URL_CONCURRENCIES } = require('./phases/all');
const { memLine, shareLine } = require('./procfs');
const { f1, f2, mb, pct, ratioOf } = require('./stats');

const yes = (b) => (b === undefined ? 'n/a' : b ? 'yes' : 'no');
const le = (r, t) => (Number.isFinite(r) ? r <= t : undefined);
const ge = (r, t) => (Number.isFinite(r) ? r >= t : undefined);
const num = (x) => (Number.isFinite(x) ? Number(x.toFixed(3)) : null);

function redact(url) {
	return url ? url.replace(/signature=[0-9a-f]{6}[0-9a-f]*/, (m) => `${m.slice(0, 16)}…`) : String(url);
}

/** The table's rows: { id, measurement, cells (markdown), json ({ id, ours, baseline, ratio, target, met }) }. */
function rowsOf(r) {
	const rows = [];
	/** A ratio row: ours / baseline against a target (`test` undefined: information only). */
	const ratioRow = (id, measurement, ours, baseline, target, test) => {
		const ratio = ratioOf(ours, baseline);
		const met = test ? test(ratio) : undefined;
		rows.push({
			id,
			measurement,
			cells: [f1(ours), f1(baseline), f2(ratio), target, test ? yes(met) : '—'],
			json: { id, ours: num(ours), baseline: num(baseline), ratio: num(ratio), target, met: met === undefined ? null : met },
		});
	};
	/** An RSS row: the difference ours − baseline in MB (kB in, MB out). */
	const rssRow = (id, measurement, oursKb, baseKb, target, limitMb) => {
		const d = mb(oursKb - baseKb);
		const met = limitMb === undefined ? undefined : Number.isFinite(d) ? d <= limitMb : undefined;
		rows.push({
			id,
			measurement,
			cells: [f1(mb(oursKb)), f1(mb(baseKb)), `${d >= 0 ? '+' : ''}${f1(d)} MB`, target, limitMb === undefined ? '—' : yes(met)],
			json: { id, ours: num(mb(oursKb)), baseline: num(mb(baseKb)), ratio: num(d), target, met: met === undefined ? null : met },
		});
	};

	if (r.resume) {
		const { lat } = r.resume;
		for (const p of [50, 95]) {
			ratioRow(`resume-p${p}`, `resume latency p${p} (ms): ECW callback URL vs n8n Wait resumeUrl`, pct(lat.ours, p), pct(lat.theirs, p), '≤ 1.10', (x) => le(x, 1.1));
		}
	}
	if (r.guards) {
		const { lat } = r.guards;
		const pairs = [
			['refused', 'keyOk', 'refused call (wrong API key → 401)', 'successful resume, same API-key config'],
			['ignored', 'condOk', 'false condition `={{ false }}` (→ 200, ignored)', 'successful resume, condition `={{ true }}`'],
		];
		for (const [k, base, label, baseLabel] of pairs) {
			for (const p of [50, 95]) {
				ratioRow(`${k}-p${p}`, `${label} p${p} (ms) vs ${baseLabel}`, pct(lat[k], p), pct(lat[base], p), '≤ 1.10', (x) => le(x, 1.1));
			}
		}
	}
	if (r.all) {
		const rates = URL_CONCURRENCIES.map((c) => (r.all.url[c] ? r.all.url[c].rate : NaN));
		const best = Math.max(...rates.filter(Number.isFinite));
		const bestC = URL_CONCURRENCIES[rates.indexOf(best)];
		ratioRow('all-rate', `all: resumes/s over ${r.all.all.resumed} waiting vs best resume-URL rate (c=${bestC ?? 'n/a'})`, r.all.all.rate, best, '≥ 0.95', (x) => ge(x, 0.95));
	}
	if (r.any) {
		const waiting = r.any.create.waiting;
		const d50 = pct(r.any.directLat, 50);
		const small = r.small ? r.small.waiting : '?';
		ratioRow('key-p50-10k', `?key= p50 (ms) with ${waiting} waiting vs direct resume-URL p50 (keys of executions that went to wait in this process: key hints; key-nohint-p50 below without)`, pct(r.any.keyLat, 50), d50, '≤ 2.00', (x) => le(x, 2));
		ratioRow('key-flat', `?key= p50 (ms) with ${waiting} waiting vs with ${small} waiting`, pct(r.any.keyLat, 50), r.small ? pct(r.small.keyLat, 50) : NaN, '≤ 1.20', (x) => le(x, 1.2));
		ratioRow('any-p50-10k', `any p50 (ms) with ${waiting} waiting vs direct resume-URL p50`, pct(r.any.anyLat, 50), d50, '≤ 2.00', (x) => le(x, 2));
		ratioRow('any-flat', `any p50 (ms) with ${waiting} waiting vs with ${small} waiting`, pct(r.any.anyLat, 50), r.small ? pct(r.small.anyLat, 50) : NaN, '≤ 1.20', (x) => le(x, 1.2));
		ratioRow('any-p95', `any p95 (ms) with ${waiting} waiting vs direct resume-URL p50`, pct(r.any.anyLat, 95), d50, '—');
		ratioRow('id-p50', `?execution=<id> p50 (ms) with ${waiting} waiting vs direct resume-URL p50`, pct(r.any.byIdLat, 50), d50, '≤ 1.60', (x) => le(x, 1.6));
		if (r.any.noHint && r.any.noHint.byIdLat.length) {
			const nh = r.any.noHint;
			ratioRow('id-nohint-p50', `?execution=<id> p50 (ms) without this process's hint (made before a restart, as on a queue-mode webhook process) vs direct p50, interleaved after the restart`, pct(nh.byIdLat, 50), pct(nh.directLat, 50), '(info)');
			if (nh.hintedLat && nh.hintedLat.length) ratioRow('id-hint-p50', `?execution=<id> p50 (ms) with this process's hint (made after the restart) vs direct p50, the same calls`, pct(nh.hintedLat, 50), pct(nh.directLat, 50), '(info)');
			if (nh.keyNoHintLat && nh.keyNoHintLat.length) ratioRow('key-nohint-p50', `?key= p50 (ms) without this process's key hint (made before a restart, as on a queue-mode webhook process: the index read) vs direct p50, interleaved after the restart`, pct(nh.keyNoHintLat, 50), pct(nh.directLat, 50), '(info)');
			if (nh.keyHintedLat && nh.keyHintedLat.length) ratioRow('key-hint-p50', `?key= p50 (ms) with this process's key hint (made after the restart) vs direct p50, the same calls`, pct(nh.keyHintedLat, 50), pct(nh.directLat, 50), '(info)');
		}
		ratioRow('hook-p50', `n8n's own Webhook node (reply on receipt) p50 (ms) vs direct resume-URL p50`, pct(r.any.hookLat, 50), d50, '(info)');
		ratioRow('floor-p50', `floor of any forwarding URL: n8n's own Webhook node p50 + direct p50 vs direct p50`, pct(r.any.hookLat, 50) + d50, d50, '(info)');
		if (r.any.refusedLat && r.any.refusedLat.length) {
			ratioRow('node-hook-p50', `the wait node's own webhook answering at once (?execution=bad! → 400 1030: no API request, nothing forwarded) p50 (ms) vs direct p50`, pct(r.any.refusedLat, 50), d50, '(info)');
			ratioRow('node-floor-p50', `floor of the stable URL: the wait node's webhook answering at once p50 + direct p50 vs direct p50 (a forwarding call pays both)`, pct(r.any.refusedLat, 50) + d50, d50, '(info)');
		}
		ratioRow('miss-p50', `?execution=<unknown id> p50 (ms): webhook + settings + one public-API GET → 404, nothing forwarded, vs direct p50`, pct(r.any.missLat, 50), d50, '(info)');
	}
	for (const [id, b, what] of [
		['burst-health-n8n-webhook', r.burst && r.burst.baseline, "n8n's own Webhook node (reply on receipt)"],
		['burst-health-n8n-webhook-isolate', r.burst && r.burst.baselineIsolate, "n8n's own Webhook node with one expression parameter (an expression isolate per call, as for any other node's webhook)"],
	]) {
		if (!b) continue;
		const share = b.samples ? (100 * b.healthy) / b.samples : NaN;
		const met = Number.isFinite(share) ? share === 100 && b.ok === b.count && b.oddCount === 0 : undefined;
		rows.push({
			id,
			measurement: `baseline burst: ${b.count} concurrent POSTs at ${what}, ${r.burst.waiting} waiting: share of 1 s /healthz/readiness samples answering 200; calls not answered 200 after retries`,
			cells: [`${f1(share)} %`, '100 %', `${b.count - b.ok} not 200, ${b.oddCount} other`, '(info: n8n alone)', yes(met)],
			json: { id, ours: num(share), baseline: 100, ratio: num(share / 100), target: '(info) 100 %, every call 200', met: met === undefined ? null : met, notOk: b.count - b.ok, other: b.oddCount },
		});
	}
	if (r.burst && !r.burst.skipped) {
		const b = r.burst;
		const share = b.samples ? (100 * b.healthy) / b.samples : NaN;
		const met = Number.isFinite(share) ? share === 100 && b.lost === 0 && b.doubled === 0 && b.oddCount === 0 : undefined;
		const base = b.baseline && b.baseline.samples ? (100 * b.baseline.healthy) / b.baseline.samples : 100;
		rows.push({
			id: 'burst-health',
			measurement: `burst: ${b.count} concurrent ?key= calls among ${b.waiting} waiting: share of 1 s /healthz/readiness samples answering 200 (vs n8n's own Webhook node under the same burst); lost / doubled / other than 200 or 503+Retry-After`,
			cells: [`${f1(share)} %`, `${f1(base)} %`, `${b.lost} lost, ${b.doubled} doubled, ${b.oddCount} other`, '100 %, 0 lost, 0 doubled', yes(met)],
			json: { id: 'burst-health', ours: num(share), baseline: num(base), ratio: num(share / 100), target: '100 %, 0 lost, 0 doubled', met: met === undefined ? null : met, lost: b.lost, doubled: b.doubled, other: b.oddCount },
		});
	}
	if (r.memIdle && r.memRestart && r.memRestart.mem) {
		const n = r.memRestart.waitingAfter;
		for (const [k, id, label] of [['main', 'rss-delta', 'main process'], ['total', 'rss-delta-total', 'main + children']]) {
			rssRow(id, `n8n RSS (MB, median of readings over 10 s, 15 s after start-up), ${label}: ${n} waiting vs none`, r.memRestart.mem[k], r.memIdle[k], '≤ +50 MB', 50);
		}
	}
	if (r.memIdle && r.memWaiting) {
		const n = r.any ? r.any.create.waiting : '?';
		rssRow('rss-creator-vs-idle', `n8n RSS (MB), main process: the process that created the ${n} (after phases 1–3 and their creation) vs idle after start-up`, r.memWaiting.main, r.memIdle.main, '(info)');
		if (r.memBeforeAny) {
			rssRow('rss-waiting-vs-before', `n8n RSS (MB), main process: ${n} waiting vs just before creating them (after phases 1–3)`, r.memWaiting.main, r.memBeforeAny.main, '(info)');
		}
	}
	return rows;
}

/**
 * @param {object} r the phases' results (resume, guards, all, any, mem*, cpu, notes)
 * @param {object} facts the machine, the package measured, the command, the date
 * @param {Record<string, number>} sizes
 * @returns {{ md: string, rows: Array<{ id: string, ours: number|null, baseline: number|null, ratio: number|null, target: string, met: boolean|null }> }}
 */
function report(r, facts, sizes) {
	const rows = rowsOf(r);
	const table = [
		'| measurement | ours | baseline | ratio | target | met? |',
		'|---|---:|---:|---:|---|---|',
		...rows.map((x) => `| ${[x.measurement, ...x.cells].join(' | ')} |`),
	].join('\n');

	const d = [];
	if (r.resume) {
		d.push(`- phase 1: ${r.resume.lat.ours.length} + ${r.resume.lat.theirs.length} timed resumes (GET, alternating ours/theirs, ${sizes.BENCH_WARMUP} warm-up each not timed); non-200: ours ${r.resume.bad.ours}, n8n Wait ${r.resume.bad.theirs}; left waiting afterwards: ${r.resume.leftOurs}/${r.resume.leftTheirs}`);
		d.push(`  - sample URLs: ours \`${redact(r.resumeUrlSample.ours)}\`, n8n Wait \`${redact(r.resumeUrlSample.theirs)}\``);
	}
	if (r.guards) {
		const g = r.guards;
		d.push(`- phase 2 (GET on the callback URL, the 5 kinds interleaved call by call): ${Object.keys(g.lat).map((k) => `${k} p50 ${f1(pct(g.lat[k], 50))} / p95 ${f1(pct(g.lat[k], 95))} ms ${JSON.stringify(g.statuses[k])}`).join('; ')} (refused = wrong key, keyOk = right key, ignored = \`={{ false }}\`, condOk = \`={{ true }}\`, plain = no guard)`);
		const same = g.before.refused.waiting === g.after.refused.waiting && g.before.refused.all === g.after.refused.all && g.before.ignored.waiting === g.after.ignored.waiting && g.before.ignored.all === g.after.ignored.all;
		d.push(`- phase 2 nothing resumed or started by refused/ignored calls: API-key workflow waiting ${g.before.refused.waiting} → ${g.after.refused.waiting}, executions ${g.before.refused.all} → ${g.after.refused.all}; false-condition workflow waiting ${g.before.ignored.waiting} → ${g.after.ignored.waiting}, executions ${g.before.ignored.all} → ${g.after.ignored.all} (${same ? 'unchanged' : 'CHANGED'}); a refused execution afterwards resumed with the right key → ${g.rightKeyStatus}`);
	}
	if (r.all) {
		const a = r.all;
		d.push(`- phase 3 all: status ${a.all.status}, ${a.all.resumed} of ${a.all.waitingBefore} waiting resumed in ${f1(a.all.ms)} ms (${f1(a.all.rate)}/s); n8n main-process CPU ${f1(a.all.cpuMs / Math.max(1, a.all.resumed))} ms per resume`);
		for (const c of URL_CONCURRENCIES) {
			const u = a.url[c];
			d.push(u ? `- phase 3 resume URLs c=${c}: ${u.ok}/${u.n} in ${f1(u.ms)} ms → ${f1(u.rate)}/s ${JSON.stringify(u.statuses)}; n8n main-process CPU ${f1(u.cpuMs / Math.max(1, u.ok))} ms per resume` : `- phase 3 resume URLs c=${c}: not run`);
		}
		d.push(`- phase 3 creating waiting executions: ${a.creates.map((c) => `${c.waiting} in ${f1(c.seconds)} s`).join(', ')}`);
	}
	if (r.any) {
		const a = r.any;
		const pageMs = a.pages.map((p) => p.ms);
		d.push(`- phase 4 created ${a.create.waiting} waiting in ${f1(a.create.seconds)} s (${f1(a.create.waiting / a.create.seconds)}/s)${a.create.timedOut ? ' — NOT all, phase time limit' : ''}`);
		d.push(`- phase 4 any: ${a.anyLat.length} × 200, p50 ${f1(pct(a.anyLat, 50))} ms, p95 ${f1(pct(a.anyLat, 95))} ms, statuses ${JSON.stringify(a.statuses.any)}; direct: ${a.directLat.length} × 200, p50 ${f1(pct(a.directLat, 50))} ms, p95 ${f1(pct(a.directLat, 95))} ms`);
		d.push(`- phase 4 ?key= with ${a.create.waiting} waiting: ${a.keyLat.length} × 200, p50 ${f1(pct(a.keyLat, 50))} ms, p95 ${f1(pct(a.keyLat, 95))} ms ${JSON.stringify(a.statuses.key)}`);
		if (r.small) {
			const s = r.small;
			d.push(`- phase 4 with ${s.waiting} waiting: ?key= p50 ${f1(pct(s.keyLat, 50))} ms ${JSON.stringify(s.statuses.key)}, any p50 ${f1(pct(s.anyLat, 50))} ms ${JSON.stringify(s.statuses.any)}, direct p50 ${f1(pct(s.directLat, 50))} ms ${JSON.stringify(s.statuses.direct)}`);
		}
		d.push(`- phase 4 stable URL with ?execution=<id> (one public-API GET, then the same forward): p50 ${f1(pct(a.byIdLat, 50))} ms, p95 ${f1(pct(a.byIdLat, 95))} ms ${JSON.stringify(a.statuses.byId)}`);
		d.push(`- phase 4 stable URL with ?execution=99999999 (webhook + one public-API GET → 404, nothing forwarded): p50 ${f1(pct(a.missLat, 50))} ms ${JSON.stringify(a.statuses.miss)}; one execution with data through the public API from this script: p50 ${f1(pct(a.single, 50))} ms`);
		d.push(`- phase 4 n8n main-process CPU per call (p50): any ${f1(pct(a.cpu.any, 50))} ms, direct ${f1(pct(a.cpu.direct, 50))} ms, ?execution=<id> ${f1(pct(a.cpu.byId, 50))} ms, ?execution=99999999 ${f1(pct(a.cpu.miss, 50))} ms, n8n's own Webhook node (reply on receipt) ${f1(pct(a.cpu.hook, 50))} ms`);
		const hook50 = pct(a.hookLat, 50);
		const direct50 = pct(a.directLat, 50);
		d.push(`- phase 4 floor: n8n's own Webhook node replying on receipt (no node of ours) p50 ${f1(hook50)} ms; any is one production-webhook request that makes another (the resume URL), so it cannot beat webhook + direct = ${f1(hook50 + direct50)} ms = ${f2(ratioOf(hook50 + direct50, direct50))}× direct before it finds anything`);
		d.push(`- phase 4 where any's and key's time goes: one filtered, sorted request to the correlation index (an n8n data table; n8n scans its rows in the database), then the forward to the execution's resume URL (its sealed token is in the row), and the row's deletion after the reply; for comparison, listing all ${a.listed} waiting with data from this script took ${f1(a.listMs)} ms (${a.pages.length} pages of ≤ 250, page p50 ${f1(pct(pageMs, 50))} ms, ${f1(a.pages.reduce((s, p) => s + p.bytes, 0) / 1048576)} MB)`);
	}
	if (r.burst) {
		for (const b of [r.burst.baseline, r.burst.baselineIsolate, r.burst.skipped ? undefined : r.burst].filter(Boolean)) {
			const extra = b.lost === undefined ? `${b.ok} of ${b.count} answered 200` : `lost ${b.lost}, doubled ${b.doubled}, executions not finished ${b.unfinished}`;
			d.push(`- phase 6 burst, ${b.label}: ${b.count} callers in ${f1(b.ms)} ms, ${b.attempts} requests (at most ${b.rounds} per caller); first answers ${JSON.stringify(b.firstKinds)}, all answers ${JSON.stringify(b.kinds)}; readiness 200 in ${b.healthy}/${b.samples} samples (longest run not ready ${b.longestUnready} s; timeline of ready/not-ready runs ${b.timeline}); n8n log ${b.pingFailed} × "Database ping failed"; still refused at the end ${b.stillRefused}; ${extra}; other answers ${b.oddCount} ${JSON.stringify(b.odd)}; CPU during it: ${shareLine(b.cpu)}`);
		}
	}
	for (const c of r.cpu) d.push(`- CPU during phase ${c.name}: ${shareLine(c.share)}; other n8n processes running at its start: ${c.others}`);
	if (r.memIdle) d.push(`- RSS idle after start-up: ${memLine(r.memIdle)}`);
	if (r.memBeforeAny) d.push(`- RSS before creating phase-4 executions: ${memLine(r.memBeforeAny)}`);
	if (r.memWaiting) d.push(`- RSS with phase-4 executions waiting: ${memLine(r.memWaiting)}`);
	if (r.memRestart && r.memRestart.mem) d.push(`- RSS of a fresh n8n process (restarted after phase 4, same database) with ${r.memRestart.waitingAfter} waiting (${r.memRestart.waitingBefore} before the restart), 15 s after it was ready: ${memLine(r.memRestart.mem)}`);
	if (r.memAfterAny) d.push(`- RSS after the any/direct calls: ${memLine(r.memAfterAny)}`);

	const md = [
		`# n8n-nodes-external-callback benchmark (${facts.date})`,
		'',
		`Command: \`${facts.command}\``,
		'',
		`Machine: ${facts.cpus} × ${facts.cpuModel}, ${f1(facts.memGb)} GB RAM, ${facts.osInfo}; n8n ${facts.n8nVersion} on Node ${facts.nodeVersion} (benchmark client: Node ${facts.clientNode}); one n8n process, embedded SQLite, loopback only; n8n settings: ${facts.n8nSettings ?? "n8n's defaults"}`,
		'',
		facts.pkg ? `Package measured: packed ${facts.pkg.packedAt} from dist/ built ${facts.pkg.distBuilt} (git HEAD ${facts.pkg.head}, ${facts.pkg.dirty} uncommitted paths in the checkout), tarball sha256 ${facts.pkg.sha}` : '',
		'',
		`Sizes: ${Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(' ')}`,
		'',
		table,
		'',
		'Latencies are client-side, request sent → reply received, keep-alive HTTP on 127.0.0.1; sequential calls, each followed by waiting (public API) until the execution it resumed has finished. Ratios are ours / baseline. The targets are goals; nothing here fails a build.',
		'',
		'Details:',
		'',
		...d,
		'',
	].join('\n');
	return { md, rows: rows.map((x) => x.json) };
}

module.exports = { report, rowsOf, redact };
