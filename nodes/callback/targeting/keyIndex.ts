import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * The correlation index: one row per waiting execution of a wait node with the stable URL on,
 * in an n8n Data Table (n8n's own database, so every n8n process sees it and it survives
 * restarts), written by the wait node's execute() just before the execution is put to wait and
 * read by the stable URL with one filtered, sorted request (no listing of executions, no
 * forwarding to find the target). The index is a hint, never the truth: the stable URL forwards
 * to the execution's own resume URL, where n8n checks its token and state and the wait node
 * checks the key again; a row whose execution resumed, timed out, was deleted or crashed is
 * found out there (one GET of the execution) and deleted (target.ts).
 *
 * Plain TypeScript over an `ApiCall` (n8n/n8nApi.ts builds it on n8n's request helper).
 */
export type ApiCall = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/** The Data Table every wait node of the API key's project shares (users see it in n8n). */
export const INDEX_TABLE_NAME = 'external_callback_index';
export const INDEX_COLUMNS = [
	{ name: 'workflowId', type: 'string' },
	{ name: 'nodeId', type: 'string' },
	{ name: 'ckey', type: 'string' },
	{ name: 'executionId', type: 'string' },
	{ name: 'seal', type: 'string' },
] as const;
/** Longest correlation key (characters); longer keys are refused (1036). */
export const MAX_KEY_LENGTH = 512;

export interface IndexRow {
	/** The Data Table's own row id (ascending = older). */
	id: number;
	executionId: string;
	ckey: string;
	seal: string;
}

export class IndexError extends Error {
	constructor(readonly status: number) {
		super(`n8n's data table API answered ${status}`);
	}
}

/** Whether this n8n has no data table API (n8n 1.x): the index is off, the search is used. */
export const NO_INDEX = 'no-index';

/*
 * Per-process memo of the table's id for one API (base URL + key), or NO_INDEX. A cache only:
 * a 404 on the table drops it and the table is looked up again; at most TABLE_TTL_MS old.
 */
const TABLE_TTL_MS = 60_000;
const tables = new Map<string, { at: number; id: Promise<string | typeof NO_INDEX> }>();

function memoKey(base: string, apiKey: string): string {
	return `${base} ${createHmac('sha256', 'ecb-index-table').update(apiKey).digest('base64url')}`;
}

export function forgetTable(base: string, apiKey: string): void {
	tables.delete(memoKey(base, apiKey));
}

/** The index table's id (found by name, created when missing), or NO_INDEX on n8n 1.x. */
export async function indexTable(call: ApiCall, base: string, apiKey: string, nowMs = Date.now()): Promise<string | typeof NO_INDEX> {
	const key = memoKey(base, apiKey);
	const hit = tables.get(key);
	if (hit && nowMs - hit.at < TABLE_TTL_MS) return await hit.id;
	const id = findOrCreate(call);
	tables.set(key, { at: nowMs, id });
	return await id.catch(async (error: unknown) => {
		tables.delete(key);
		return await Promise.reject(error);
	});
}

/**
 * indexTable, where an API key without the data table scopes (401/403) counts as "no index":
 * such a node works as on n8n 1.x (the execution list), the same in execute() and at the stable URL.
 */
export async function indexTableOrSearch(call: ApiCall, base: string, apiKey: string): Promise<string | typeof NO_INDEX> {
	return await indexTable(call, base, apiKey).catch(async (error: unknown) =>
		error instanceof IndexError && (error.status === 401 || error.status === 403) ? NO_INDEX : await Promise.reject(error),
	);
}

async function findTable(call: ApiCall): Promise<string | undefined | typeof NO_INDEX> {
	const q = new URLSearchParams({ filter: JSON.stringify({ name: INDEX_TABLE_NAME }), limit: '10' });
	const res = await call('GET', `/api/v1/data-tables?${q.toString()}`);
	// n8n 1.x has no data table API (404); a key without the data table scopes is refused (403)
	if (res.status === 404 || res.status === 403) return NO_INDEX;
	if (res.status !== 200) throw new IndexError(res.status);
	const rows = (res.body as { data?: Array<{ id?: unknown; name?: unknown }> } | null)?.data ?? [];
	const found = rows.find((t) => t?.name === INDEX_TABLE_NAME && t.id !== undefined);
	return found ? String(found.id) : undefined;
}

async function findOrCreate(call: ApiCall): Promise<string | typeof NO_INDEX> {
	const found = await findTable(call);
	if (found !== undefined) return found;
	const res = await call('POST', '/api/v1/data-tables', { name: INDEX_TABLE_NAME, columns: INDEX_COLUMNS });
	if (res.status === 200 || res.status === 201) return String((res.body as { id?: unknown }).id);
	// another process created it at the same moment (409, or on PostgreSQL a 500 from the unique
	// name constraint when both inserts raced): read it again before giving up
	if (res.status === 409 || res.status >= 500) {
		const again = await findTable(call);
		if (typeof again === 'string') return again;
	}
	throw new IndexError(res.status);
}

/* ---- The resume token, sealed -------------------------------------------------------------- */

/**
 * The row carries the execution's resume token so that the stable URL can forward without first
 * reading the execution. Users of the project can read the table, so the token is sealed
 * (AES-256-GCM) with a key derived from the n8n API key, which only the credential holds; the
 * row is bound to its execution id (additional data). A row that does not open (another key, an
 * edited row) costs one GET of the execution instead.
 */
function sealKey(apiKey: string): Buffer {
	return createHmac('sha256', 'external-callback-index:v1').update(apiKey).digest();
}

export function sealToken(apiKey: string, executionId: string, token: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', sealKey(apiKey), iv);
	cipher.setAAD(Buffer.from(executionId, 'utf8'));
	const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function openToken(apiKey: string, executionId: string, seal: string): string | undefined {
	try {
		const raw = Buffer.from(String(seal), 'base64url');
		if (raw.length < 29) return undefined;
		const decipher = createDecipheriv('aes-256-gcm', sealKey(apiKey), raw.subarray(0, 12));
		decipher.setAAD(Buffer.from(executionId, 'utf8'));
		decipher.setAuthTag(raw.subarray(12, 28));
		return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}

/* ---- Rows ------------------------------------------------------------------------------------ */

type Filter = { columnName: string; condition: 'eq' | 'gt'; value: string | number };

function filterOf(filters: Filter[]): string {
	return JSON.stringify({ type: 'and', filters });
}

export interface RowScope {
	workflowId: string;
	nodeId: string;
	/** undefined: every key (plain `any`) */
	key?: string;
}

/** Adds a waiting execution's row. */
export async function insertRow(call: ApiCall, table: string, row: { workflowId: string; nodeId: string; ckey: string; executionId: string; seal: string }): Promise<void> {
	const res = await call('POST', `/api/v1/data-tables/${encodeURIComponent(table)}/rows`, { data: [row], returnType: 'count' });
	if (res.status !== 200 && res.status !== 201) throw new IndexError(res.status);
}

/** Rows of this workflow's wait node (with this key), oldest first, with a row id above `afterId`. */
export async function findRows(call: ApiCall, table: string, scope: RowScope, limit: number, afterId = 0): Promise<IndexRow[]> {
	const filters: Filter[] = [
		{ columnName: 'workflowId', condition: 'eq', value: scope.workflowId },
		{ columnName: 'nodeId', condition: 'eq', value: scope.nodeId },
	];
	if (scope.key !== undefined) filters.push({ columnName: 'ckey', condition: 'eq', value: scope.key });
	if (afterId > 0) filters.push({ columnName: 'id', condition: 'gt', value: afterId });
	const q = new URLSearchParams({ filter: filterOf(filters), sortBy: 'id:asc', limit: String(limit) });
	const res = await call('GET', `/api/v1/data-tables/${encodeURIComponent(table)}/rows?${q.toString()}`);
	if (res.status !== 200) throw new IndexError(res.status);
	const data = (res.body as { data?: Array<Record<string, unknown>> } | null)?.data ?? [];
	return data
		.map((r) => ({ id: Number(r?.id), executionId: String(r?.executionId ?? ''), ckey: String(r?.ckey ?? ''), seal: String(r?.seal ?? '') }))
		.filter((r) => Number.isSafeInteger(r.id) && r.id > 0 && r.executionId !== '');
}

/** Deletes a row by its id (already gone is fine). */
export async function deleteRow(call: ApiCall, table: string, rowId: number): Promise<void> {
	await deleteWhere(call, table, filterOf([{ columnName: 'id', condition: 'eq', value: rowId }]));
}

/** Deletes the rows a filter matches (none left is fine). */
async function deleteWhere(call: ApiCall, table: string, filter: string): Promise<void> {
	const q = new URLSearchParams({ filter });
	const res = await call('DELETE', `/api/v1/data-tables/${encodeURIComponent(table)}/rows/delete?${q.toString()}`);
	if (res.status !== 200 && res.status !== 404) throw new IndexError(res.status);
}

/** Deletes an execution's rows at this workflow's wait node (a hinted `?key=` resumed it; row id unknown). */
export async function deleteRowsOf(call: ApiCall, table: string, of: { workflowId: string; nodeId: string; executionId: string }): Promise<void> {
	const filters: Filter[] = [
		{ columnName: 'executionId', condition: 'eq', value: of.executionId },
		{ columnName: 'workflowId', condition: 'eq', value: of.workflowId },
		{ columnName: 'nodeId', condition: 'eq', value: of.nodeId },
	];
	await deleteWhere(call, table, filterOf(filters));
}

/** Deletes rows by their ids in one request (`or` of `id = …`). */
export async function deleteRows(call: ApiCall, table: string, rowIds: number[]): Promise<void> {
	if (!rowIds.length) return;
	await deleteWhere(call, table, JSON.stringify({ type: 'or', filters: rowIds.map((id) => ({ columnName: 'id', condition: 'eq', value: id })) }));
}

/** The correlation key as the index stores it: a string (numbers, booleans as text), or undefined. */
export function keyText(value: unknown): string | undefined {
	if (typeof value === 'string') return value.trim() === '' ? undefined : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return String(value);
	return undefined;
}
