/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
// What the fault-injection tests share (faults.test.ts: SIGKILL of a single n8n; queueFaults.test.ts:
// Redis, PostgreSQL, a worker and the webhook processor failing in queue mode): the callers' retry
// protocol as the README's "Guarantees" section tells it, the classification of every callback
// (reply class x execution end state), the tables and JSON artifacts, and the process/services
// controls (SIGKILL of a process tree by pid, Redis stop/start, PostgreSQL restart).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Execution, N8nApi, nodeOutput, nodeRuns, postJson } from './client';
import { runPool } from '../../../nodes/callback/targeting/pool';

import { ROOT, type N8nInstance, sleep } from './n8n';

/** One reply as a caller sees it: an HTTP status, or 0 for a connection error (reset, refused, timeout). */
export interface Reply {
	status: number;
	code?: number;
	repeated: boolean;
	retryAfter?: number;
	error?: string;
	/** lastNode replies carry the Done node's first item: the callId it ran with */
	echo?: string;
	/** a JSON reply's `message` (n8n's own replies, e.g. "Workflow executed successfully but no data was returned") */
	message?: string;
}

/** The classes the tables count. */
export type ReplyClass = '2xx' | '2xx repeated' | 'conn error' | '503' | '5xx' | '409' | '404' | '4xx';

export function classOf(r: Reply): ReplyClass {
	if (r.status === 0) return 'conn error';
	if (r.status >= 200 && r.status < 300) return r.repeated ? '2xx repeated' : '2xx';
	if (r.status === 503) return '503';
	if (r.status >= 500) return '5xx';
	if (r.status === 409) return '409';
	if (r.status === 404) return '404';
	return '4xx';
}

/** One POST with a JSON body; a network error is a reply with status 0, never a throw. */
export async function callOnce(url: string, body: unknown, timeoutMs = 60_000): Promise<Reply> {
	const timer = sleep(timeoutMs).then(() => ({ status: 0, repeated: false, error: `no reply within ${timeoutMs} ms` }) as Reply);
	const call = postJson(url, body).then(
		(r): Reply => {
			const ra = Number(r.headers.get('retry-after'));
			return {
				status: r.status,
				code: typeof r.json?.code === 'number' ? r.json.code : undefined,
				repeated: r.headers.get('x-callback-repeated') === 'true',
				retryAfter: Number.isFinite(ra) && ra > 0 ? ra : undefined,
				message: typeof r.json?.message === 'string' ? r.json.message.slice(0, 100) : undefined,
				echo: typeof (r.json?.data as { callId?: unknown } | undefined)?.callId === 'string' ? String((r.json.data as { callId: string }).callId) : undefined,
			};
		},
		(e: unknown): Reply => ({ status: 0, repeated: false, error: String((e as Error)?.message ?? e) }),
	);
	return await Promise.race([call, timer]);
}

/**
 * The retry protocol of the README ("Guarantees"): a connection error, any 5xx (503: after its
 * Retry-After) and a 404 are retried with the same body — a 404 can be passing (a webhook
 * processor that is starting answers n8n's 404 for a waiting execution; the stable URL's 1031 when
 * the database is away) and a retry of a truly unknown one costs nothing; anything else is final:
 * a 2xx (accepted; on the stable URL `X-Callback-Repeated: true`: accepted before), a 409 (no longer
 * waiting: n8n's resume URL; the stable URL's 1032/1033), another 4xx (the call itself is wrong).
 * Bounded by attempts and time.
 */
export function retryable(r: Reply): boolean {
	return r.status === 0 || r.status >= 500 || r.status === 404;
}

export async function callWithRetries(
	url: string,
	body: unknown,
	{
		maxAttempts = 120,
		deadline = Date.now() + 180_000,
		pauseMs = 1000,
		first,
	}: { maxAttempts?: number; deadline?: number; pauseMs?: number; first?: Reply } = {},
): Promise<{ replies: Reply[]; final: Reply }> {
	const replies: Reply[] = first ? [first] : [];
	let last = first;
	while (replies.length < maxAttempts && Date.now() < deadline) {
		if (last && !retryable(last)) break;
		if (last) await sleep(last.retryAfter ? Math.min(last.retryAfter * 1000, 5000) : pauseMs);
		last = await callOnce(url, body);
		replies.push(last);
	}
	return { replies, final: last! };
}

/** An execution's end state as the tables count it, and which call's data it resumed with. */
export interface EndState {
	status: string;
	/** callId the Done node got (undefined when it did not run). */
	doneCallId?: string;
	doneRuns: number;
	/** The callback's data is somewhere in the execution's saved data (e.g. crashed after n8n accepted it). */
	dataPersisted: boolean;
	/** n8n's error message of an execution that ended in error or crashed */
	error?: string;
}

export async function endState(api: N8nApi, id: string, callId: string, settleMs = 30_000): Promise<EndState> {
	const deadline = Date.now() + settleMs;
	let e: Execution = await api.execution(id);
	while ((e.status === 'running' || e.status === 'new') && Date.now() < deadline) {
		await sleep(500);
		e = await api.execution(id);
	}
	const done = nodeOutput<{ data?: { callId?: string } }>(e, 'Done')?.[0];
	const error = e.data?.resultData?.error?.message;
	return { status: e.status, doneCallId: done?.data?.callId, doneRuns: nodeRuns(e, 'Done'), dataPersisted: JSON.stringify(e.data ?? {}).includes(callId), error: error ? String(error).slice(0, 200) : undefined };
}

/**
 * End states of many executions: read once each, then the ones still running or new are read
 * again (all together) until they settle or `settleMs` passes (a job lost with a killed worker
 * stays `running`).
 */
export async function endStates(api: N8nApi, items: Array<{ executionId: string; callId: string }>, settleMs = 60_000): Promise<EndState[]> {
	const read = async (k: number) => await endState(api, items[k].executionId, items[k].callId, 0);
	const out = allResults(await runPool(items.length, 8, read));
	const deadline = Date.now() + settleMs;
	let open = out.map((e, k) => (e.status === 'running' || e.status === 'new' ? k : -1)).filter((k) => k >= 0);
	while (open.length && Date.now() < deadline) {
		await sleep(2000);
		const again = allResults(await runPool(open.length, 8, (j) => read(open[j])));
		open.forEach((k, j) => (out[k] = again[j]));
		open = open.filter((k) => out[k].status === 'running' || out[k].status === 'new');
	}
	return out;
}

function allResults<R>({ results }: { results: Array<R | { error: unknown }> }): R[] {
	const failed = results.find((r): r is { error: unknown } => typeof r === 'object' && r !== null && 'error' in r && Object.keys(r).length === 1);
	if (failed) throw failed.error;
	return results as R[];
}

/** One callback of a fault run: who called, what they got, what became of the execution. */
export interface CallRecord {
	executionId: string;
	callId: string;
	/** resume URL or stable URL; respond mode of the wait node */
	via: string;
	mode: string;
	first: ReplyClass;
	firstDetail: string;
	final: ReplyClass;
	attempts: number;
	state: string;
	/** the execution resumed with this call's data exactly once */
	processed: boolean;
	doneRuns: number;
	/** callId the Done node got, when it ran */
	doneCallId?: string;
	dataPersisted: boolean;
	error?: string;
	/** every reply the caller got, in order (status, code) */
	replies: string;
	/** a reply carried the Done node's output with this call's data (lastNode: the run finished) */
	ranPerReply: boolean;
}

export function record(base: Omit<CallRecord, 'first' | 'firstDetail' | 'final' | 'attempts' | 'state' | 'processed' | 'doneRuns' | 'doneCallId' | 'dataPersisted' | 'error' | 'replies' | 'ranPerReply'>, replies: Reply[], end: EndState): CallRecord {
	const first = replies[0];
	const final = replies[replies.length - 1];
	return {
		...base,
		first: classOf(first),
		firstDetail: first.status === 0 ? String(first.error ?? '').slice(0, 80) : `${first.status}${first.code ? ` code ${first.code}` : ''}`,
		final: classOf(final),
		attempts: replies.length,
		state: end.status,
		processed: end.status === 'success' && end.doneRuns === 1 && end.doneCallId === base.callId,
		doneRuns: end.doneRuns,
		doneCallId: end.doneCallId,
		dataPersisted: end.dataPersisted,
		error: end.error,
		ranPerReply: replies.some((r) => r.echo === base.callId),
		replies: replies.map((r) => (r.status === 0 ? 'conn' : `${r.status}${r.code ? `/${r.code}` : ''}${r.repeated ? 'R' : ''}${r.status < 300 && r.message ? ` "${r.message}"` : ''}`)).join(' '),
	};
}

/** Counts of `rows` by two keys, as { "row key": { "column key": n } }. */
export function crossTab<T>(rows: T[], rowKey: (r: T) => string, colKey: (r: T) => string): Record<string, Record<string, number>> {
	const out: Record<string, Record<string, number>> = {};
	for (const r of rows) {
		const a = rowKey(r);
		const b = colKey(r);
		out[a] ??= {};
		out[a][b] = (out[a][b] ?? 0) + 1;
	}
	return out;
}

export function formatTab(title: string, tab: Record<string, Record<string, number>>): string {
	const cols = [...new Set(Object.values(tab).flatMap((r) => Object.keys(r)))].sort();
	const lines = [`${title}`, `| | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
	for (const [k, r] of Object.entries(tab)) lines.push(`| ${k} | ${cols.map((c) => r[c] ?? 0).join(' | ')} |`);
	return lines.join('\n');
}

/** Writes test-artifacts/faults-<name>.json. */
export function writeArtifact(name: string, content: unknown): string {
	const dir = join(ROOT, 'test-artifacts');
	mkdirSync(dir, { recursive: true });
	const file = join(dir, `faults-${name}.json`);
	writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
	return file;
}

/** The pids of a process's descendants (children of children…), read from /proc. */
export function descendants(pid: number): number[] {
	const parent = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// pid (comm) state ppid …; comm may hold spaces and parentheses
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parent.set(Number(entry), ppid);
		} catch {
			// gone meanwhile
		}
	}
	const out: number[] = [];
	const walk = (p: number) => {
		for (const [child, pp] of parent) {
			if (pp !== p || out.includes(child)) continue;
			out.push(child);
			walk(child);
		}
	};
	walk(pid);
	return out;
}

/**
 * SIGKILL an n8n process and its task runner (as a container runtime or the OOM killer ends a
 * process group): nothing runs its shutdown. Resolves once the process has exited.
 */
export async function sigkill(instance: N8nInstance): Promise<void> {
	const pid = instance.info.pid;
	const kids = descendants(pid);
	const child = (instance as unknown as { child?: { exitCode: number | null; signalCode: string | null; once(e: string, f: () => void): void } }).child;
	const exited = child && child.exitCode === null && child.signalCode === null ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve();
	process.kill(pid, 'SIGKILL');
	for (const k of kids) {
		try {
			process.kill(k, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	await Promise.race([exited, sleep(10_000)]);
}

/** PostgreSQL and Redis of scripts/services.sh, controlled for fault injection. */
export class Services {
	readonly pgPort: number;
	readonly redisPort: number;
	constructor(readonly dir: string) {
		const ports = readFileSync(join(dir, 'ports'), 'utf8');
		const port = (k: string) => Number(new RegExp(`^${k}=(\\d+)$`, 'm').exec(ports)![1]);
		this.pgPort = port('PG_PORT');
		this.redisPort = port('REDIS_PORT');
	}

	static start(dir: string): Services {
		execFileSync('bash', [join(ROOT, 'scripts/services.sh'), 'start', dir], { encoding: 'utf8' });
		return new Services(dir);
	}

	stop(): void {
		execFileSync('bash', [join(ROOT, 'scripts/services.sh'), 'stop', this.dir]);
	}

	/** Redis stops (SHUTDOWN NOSAVE: its connections drop, nothing listens on the port). */
	stopRedis(): void {
		try {
			execFileSync('redis-cli', ['-p', String(this.redisPort), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 10_000 });
		} catch {
			// redis-cli exits non-zero when the server closes the connection on shutdown
		}
	}

	/** Redis starts again on the same port, as scripts/services.sh starts it (empty: no persistence). */
	startRedis(): void {
		execFileSync('redis-server', ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
			'--pidfile', join(this.dir, 'redis.pid'), '--dir', this.dir, '--logfile', join(this.dir, 'redis.log')]);
		execFileSync('bash', ['-c', `for _ in $(seq 1 50); do redis-cli -p ${this.redisPort} ping 2>/dev/null | grep -q PONG && exit 0; sleep 0.1; done; exit 1`]);
	}

	/** PostgreSQL restarts (fast shutdown: open transactions are rolled back, connections dropped). */
	restartPg(): void {
		const bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], { encoding: 'utf8' }).trim();
		execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/pg_ctl`, '-D', join(this.dir, 'pg'), '-l', join(this.dir, 'pglog', 'pg.log'), '-m', 'fast', '-w', '-t', '60', 'restart'], { stdio: 'ignore' });
	}
}
