/**
 * External Callback Wait's execute() and the correlation index (issue 18): with the stable URL on
 * and an n8n API credential, the waiting execution's row is written through n8n's data table API
 * before the execution is put to wait. The stable URL's side: test/unit/targeting/indexed.test.ts
 * and test/e2e/correlation.test.ts (a real n8n).
 */
import { NodeOperationError, type IExecuteFunctions, type IHttpRequestOptions, type INodeExecutionData } from 'n8n-workflow';

import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { clearHints, hintCount, hintedToken, keyHint } from '../../nodes/callback/targeting/hints';
import { forgetTable, openToken } from '../../nodes/callback/targeting/keyIndex';
import { BASE, N8N_API_KEY, WAIT_NODE, WAIT_TYPE, WORKFLOW_ID, executeContext, n8nResumeUrl, tokenFor } from './helpers';

const node = new ExternalCallbackWait().getNodeType(1);

/** n8n's data table API as helpers.httpRequest sees it: `status` answers every row insert. */
function dataTables(o: { tables?: string[]; insertStatus?: number; listStatus?: number; keyRows?: Array<{ id: number; executionId: string }>; rowsStatus?: number } = {}) {
	const seen: Array<{ method: string; url: string; body: unknown }> = [];
	const httpRequest = jest.fn(async (options: IHttpRequestOptions) => {
		seen.push({ method: String(options.method), url: String(options.url), body: options.body });
		const path = String(options.url).slice(BASE.length);
		if (options.method === 'GET' && path.startsWith('/api/v1/data-tables?')) {
			return { statusCode: o.listStatus ?? 200, body: { data: (o.tables ?? []).map((id) => ({ id, name: 'external_callback_index' })) } };
		}
		if (options.method === 'GET' && /^\/api\/v1\/data-tables\/[^/]+\/rows\?/.test(path)) {
			return { statusCode: o.rowsStatus ?? 200, body: { data: o.keyRows ?? [] } };
		}
		if (options.method === 'POST' && path === '/api/v1/data-tables') return { statusCode: 201, body: { id: 'made1' } };
		return { statusCode: o.insertStatus ?? 200, body: { count: 1 } };
	});
	return { httpRequest, seen };
}

async function run(o: { resumeUrl?: string; api?: ReturnType<typeof dataTables>; params?: Record<string, unknown>; key?: unknown }) {
	forgetTable(BASE, N8N_API_KEY);
	const api = o.api ?? dataTables();
	const harness = executeContext({
		node,
		nodeInfo: { name: WAIT_NODE.name, type: WAIT_TYPE },
		params: { stableUrl: true, correlationKey: '={{ $json.orderId }}', ...o.params },
		itemParams: [{ correlationKey: o.key ?? 'A-1' }],
		credentials: { externalCallbackN8nApi: { baseUrl: BASE, apiKey: N8N_API_KEY } },
		resumeUrl: o.resumeUrl,
	});
	harness.node.credentials = { externalCallbackN8nApi: { id: 'c1', name: 'n8n' } };
	Object.assign(harness.ctx, { helpers: { httpRequest: api.httpRequest } });
	const output = (node.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(harness.ctx);
	return { ...harness, api, output };
}

describe('ExternalCallbackWait.execute() and the correlation index', () => {
	test('writes the row (key, ids, the sealed resume token) before the wait; the table is made once when missing', async () => {
		const { output, api, putExecutionToWait } = await run({});
		await output;
		expect(putExecutionToWait).toHaveBeenCalledTimes(1);
		// with a key: the rows with it are read while the row is written (is another one waiting with it?)
		expect(api.seen.map((r) => `${r.method} ${r.url.slice(BASE.length).split('?')[0]}`)).toEqual([
			'GET /api/v1/data-tables',
			'POST /api/v1/data-tables',
			'GET /api/v1/data-tables/made1/rows',
			'POST /api/v1/data-tables/made1/rows',
		]);
		const filter = JSON.parse(new URL(api.seen[2].url).searchParams.get('filter')!) as { filters: Array<{ columnName: string; value: string }> };
		expect(filter.filters.find((f) => f.columnName === 'ckey')?.value).toBe('A-1');
		const [row] = (api.seen[3].body as { data: Array<Record<string, string>> }).data;
		expect(row).toMatchObject({ workflowId: WORKFLOW_ID, nodeId: 'self-node-id', ckey: 'A-1', executionId: '101' });
		expect(row.seal).not.toContain(tokenFor('101'));
		expect(openToken(N8N_API_KEY, '101', row.seal)).toBe(tokenFor('101'));
	});

	test('execute() also leaves this process a hint for ?execution=<id> (the same sealed token); none when the row cannot be written', async () => {
		clearHints();
		const { output } = await run({ api: dataTables({ tables: ['t1'] }) });
		await output;
		const at = { workflowId: WORKFLOW_ID, nodeId: 'self-node-id', executionId: '101', apiKey: N8N_API_KEY };
		expect(hintedToken(at)).toBe(tokenFor('101'));
		expect(hintedToken({ ...at, apiKey: 'another key' })).toBeUndefined();
		clearHints();
		const failed = await run({ api: dataTables({ tables: ['t1'], insertStatus: 500 }) });
		await expect(failed.output).rejects.toThrow();
		expect(hintCount()).toBe(0);
	});

	test('alone with its key: a ?key= hint too; another execution waiting with the key, or the rows unreadable: none (the wait goes on)', async () => {
		const at = { workflowId: WORKFLOW_ID, nodeId: 'self-node-id', key: 'A-1', apiKey: N8N_API_KEY };
		clearHints();
		// its own row, already visible, does not count
		const alone = await run({ api: dataTables({ tables: ['t1'], keyRows: [{ id: 3, executionId: '101' }] }) });
		await alone.output;
		expect(keyHint(at)).toEqual({ executionId: '101', resumeToken: tokenFor('101') });
		clearHints();
		const second = await run({ api: dataTables({ tables: ['t1'], keyRows: [{ id: 2, executionId: '99' }] }) });
		await second.output;
		expect(keyHint(at)).toBeUndefined();
		expect(hintedToken({ ...at, executionId: '101' })).toBe(tokenFor('101'));
		expect(second.putExecutionToWait).toHaveBeenCalledTimes(1);
		clearHints();
		const unreadable = await run({ api: dataTables({ tables: ['t1'], rowsStatus: 500 }) });
		await unreadable.output;
		expect(keyHint(at)).toBeUndefined();
		expect(unreadable.putExecutionToWait).toHaveBeenCalledTimes(1);
		clearHints();
		const plain = await run({ params: { correlationKey: '' }, api: dataTables({ tables: ['t1'] }) });
		await plain.output;
		expect(plain.api.seen.filter((r) => r.method === 'GET' && r.url.includes('/rows'))).toEqual([]);
	});

	test('numbers are keys as text; no Correlation Key → an empty key (plain any still finds it)', async () => {
		const numeric = await run({ key: 42, api: dataTables({ tables: ['t1'] }) });
		await numeric.output;
		expect((numeric.api.seen.at(-1)!.body as { data: Array<Record<string, string>> }).data[0].ckey).toBe('42');
		const none = await run({ params: { correlationKey: '' }, api: dataTables({ tables: ['t1'] }) });
		await none.output;
		expect((none.api.seen.at(-1)!.body as { data: Array<Record<string, string>> }).data[0].ckey).toBe('');
	});

	test('n8n 1.x (no resume token, no data table API) and keys without data table scopes: nothing written, the wait goes on', async () => {
		const old = await run({ resumeUrl: n8nResumeUrl('101', 1) });
		await old.output;
		expect(old.api.seen).toEqual([]);
		expect(old.putExecutionToWait).toHaveBeenCalledTimes(1);
		const refused = await run({ api: dataTables({ listStatus: 403 }) });
		await refused.output;
		expect(refused.api.seen).toHaveLength(1);
		expect(refused.putExecutionToWait).toHaveBeenCalledTimes(1);
	});

	test('a row that cannot be written fails the node (no execution waits unfindable)', async () => {
		const broken = await run({ api: dataTables({ tables: ['t1'], insertStatus: 500 }) });
		await expect(broken.output).rejects.toThrow(NodeOperationError);
		await expect(broken.output).rejects.toThrow(/correlation index could not be written/);
		expect(broken.putExecutionToWait).not.toHaveBeenCalled();
	});

	test('stable URL off: no credential read, nothing written', async () => {
		const off = await run({ params: { stableUrl: false } });
		await off.output;
		expect(off.api.seen).toEqual([]);
		expect(off.ctx.getCredentials).not.toHaveBeenCalled();
	});
});
