/**
 * Generate Callback URL's execute() through a mocked IExecuteFunctions: the path form (resume and
 * fail URLs), the state form, expiry, API key, base URL override, the choice of wait node, and
 * n8n 1.x's URL secret; then the URLs it makes, used on a wait node's webhook().
 */
import { NodeOperationError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { GenerateCallbackUrl } from '../../nodes/GenerateCallbackUrl/GenerateCallbackUrl.node';
import {
	BASE,
	FakeN8n,
	WAIT_NODE,
	WAIT_TYPE,
	callWebhook,
	n8nResumeUrl,
	runExecute,
	tokenFor,
	type ExecuteSetup,
	type WorkflowNode,
} from './helpers';

const node = new GenerateCallbackUrl();
const waitNode = (parameters: IDataObject = {}, o: Partial<WorkflowNode> = {}): WorkflowNode => ({
	...WAIT_NODE,
	type: WAIT_TYPE,
	parameters,
	...o,
});

/** A workflow Generate → Wait for Payment, in execution 101 of n8n 2.x. */
function generate(setup: Partial<ExecuteSetup> = {}) {
	return runExecute({ node, childNodes: [WAIT_NODE.name], workflowNodes: [waitNode()], ...setup });
}

async function generatedJson(setup: Partial<ExecuteSetup> = {}): Promise<IDataObject> {
	return (await generate(setup)).output[0][0].json;
}

describe('GenerateCallbackUrl.execute(): path form', () => {
	test('the resume and fail URLs of the next wait node in this execution, with n8n\'s token', async () => {
		const binary = { file: { data: 'AA==', mimeType: 'text/plain' } };
		const items: INodeExecutionData[] = [{ json: { orderId: 'A-1' }, binary }];
		const { output } = await generate({ items });
		expect(output).toHaveLength(1);
		const [item] = output[0];
		expect(item.json).toEqual({
			orderId: 'A-1',
			callbackUrl: `${BASE}/webhook-waiting/101/${WAIT_NODE.id}?signature=${tokenFor('101')}`,
			failUrl: `${BASE}/webhook-waiting/101/${WAIT_NODE.id}-fail?signature=${tokenFor('101')}`,
			methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
			expiresAt: null,
			executionId: '101',
			waitNode: WAIT_NODE.name,
		});
		expect(item.binary).toBe(binary);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('one output item per input item, each linked to its own', async () => {
		const { output } = await generate({ items: [{ json: { n: 1 } }, { json: { n: 2 } }, { json: { n: 3 } }] });
		expect(output[0].map((i) => [i.json.n, i.pairedItem])).toEqual([
			[1, { item: 0 }],
			[2, { item: 1 }],
			[3, { item: 2 }],
		]);
	});

	test('a named wait node, when several follow', async () => {
		const json = await generatedJson({
			params: { waitNode: '  Wait for Refund ' },
			childNodes: [WAIT_NODE.name, 'Wait for Refund'],
			workflowNodes: [waitNode(), waitNode({}, { id: 'refund-node-id', name: 'Wait for Refund' })],
		});
		expect(json.waitNode).toBe('Wait for Refund');
		expect(json.callbackUrl).toBe(`${BASE}/webhook-waiting/101/refund-node-id?signature=${tokenFor('101')}`);
	});

	test.each([
		['no wait node follows', { childNodes: ['Send Email'], workflowNodes: [{ name: 'Send Email', type: 'n8n-nodes-base.emailSend' }] }, 'No External Callback Wait node follows this node'],
		[
			'several follow and none is named',
			{ childNodes: ['A', 'B'], workflowNodes: [waitNode({}, { id: 'a', name: 'A' }), waitNode({}, { id: 'b', name: 'B' })] },
			'Several External Callback Wait nodes follow this node ("A", "B")',
		],
		['the named node does not exist', { params: { waitNode: 'Nope' } }, 'There is no node named "Nope" in this workflow'],
		[
			'the named node is not a wait node',
			{ params: { waitNode: 'Send Email' }, workflowNodes: [{ name: 'Send Email', type: 'n8n-nodes-base.emailSend' }] },
			'Node "Send Email" is not an External Callback Wait node',
		],
		['the wait node has no id (unsaved)', { workflowNodes: [waitNode({}, { id: undefined })] }, 'has no id; save the workflow'],
	])('%s: a NodeOperationError', async (_what, setup, message) => {
		const pending = generate(setup as Partial<ExecuteSetup>);
		await expect(pending).rejects.toThrow(NodeOperationError);
		await expect(pending).rejects.toThrow(message);
	});

	test('a disabled wait node downstream does not count', async () => {
		await expect(
			generate({ workflowNodes: [waitNode({}, { disabled: true })] }),
		).rejects.toThrow('No External Callback Wait node follows this node');
	});
});

describe('GenerateCallbackUrl.execute(): state form', () => {
	const stable = (parameters: IDataObject = {}) => [waitNode({ stableUrl: true, ...parameters })];

	test('the wait node\'s stable URL plus an opaque state naming this execution', async () => {
		const json = await generatedJson({ params: { urlForm: 'state' }, workflowNodes: stable() });
		expect(json).toMatchObject({ stateParameter: 'state', methods: ['GET', 'POST'], executionId: '101', expiresAt: null });
		expect(json.callbackUrl).toBe(`${BASE}/webhook/${WAIT_NODE.webhookId}/callback?state=${String(json.state)}`);
		expect(json).not.toHaveProperty('failUrl');
		// the state carries the id and the resume token (its 32 bytes, base64url), nothing else,
		// in at most 80 bytes (SAML's RelayState limit)
		expect(json.state).toBe(`ecb2.101.${Buffer.from(tokenFor('101'), 'hex').toString('base64url')}`);
		expect(Buffer.byteLength(String(json.state))).toBeLessThanOrEqual(80);
	});

	test('under the wait node\'s own state parameter name (RelayState)', async () => {
		const json = await generatedJson({ params: { urlForm: 'state' }, workflowNodes: stable({ stateParameter: 'RelayState' }) });
		expect(json.stateParameter).toBe('RelayState');
		expect(new URL(String(json.callbackUrl)).searchParams.get('RelayState')).toBe(json.state);
	});

	test('without "Stable URL" on the wait node: a NodeOperationError naming it', async () => {
		await expect(generate({ params: { urlForm: 'state' } })).rejects.toThrow(
			`The state form needs "Stable URL" switched on in "${WAIT_NODE.name}"`,
		);
	});

	test('behind an n8n under a path prefix, the stable URL keeps the prefix', async () => {
		const json = await generatedJson({
			params: { urlForm: 'state' },
			workflowNodes: stable(),
			resumeUrl: `https://n8n.example.com/automation/webhook-waiting/101?signature=${tokenFor('101')}`,
		});
		expect(String(json.callbackUrl).startsWith(`https://n8n.example.com/automation/webhook/${WAIT_NODE.webhookId}/callback?`)).toBe(true);
	});
});

describe('GenerateCallbackUrl.execute(): expiry, API key, base URL', () => {
	test('expiry after a lifetime', async () => {
		const before = Date.now();
		const json = await generatedJson({ params: { expiry: 'lifetime', expiryAmount: 2, expiryUnit: 'hours' } });
		const at = Date.parse(String(json.expiresAt));
		expect(at).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
		expect(at).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
	});

	test('expiry at a date; an invalid date is a NodeOperationError', async () => {
		expect((await generatedJson({ params: { expiry: 'date', expiryDate: '2030-01-02T03:04:05Z' } })).expiresAt).toBe('2030-01-02T03:04:05.000Z');
		await expect(generate({ params: { expiry: 'date', expiryDate: 'soon' } })).rejects.toThrow('"Expires At" is not a valid date');
	});

	test('per item: each item\'s own expiry', async () => {
		const { output } = await generate({
			items: [{ json: {} }, { json: {} }],
			itemParams: [{ expiry: 'none' }, { expiry: 'date', expiryDate: '2030-06-01T00:00:00Z' }],
		});
		expect(output[0].map((i) => i.json.expiresAt)).toEqual([null, '2030-06-01T00:00:00.000Z']);
	});

	test('the first key of a query-parameter API key credential goes into both URLs', async () => {
		const json = await generatedJson({
			params: { addApiKey: true },
			credentials: { externalCallbackApiKeyApi: { apiKeys: ' \n first-key, second-key', location: 'query', name: 'token_key' } },
		});
		for (const field of ['callbackUrl', 'failUrl']) {
			const url = new URL(String(json[field]));
			expect(url.searchParams.get('token_key')).toBe('first-key');
			expect(url.searchParams.get('signature')).toBe(tokenFor('101'));
		}
	});

	test.each([
		['reads the key from a header', { apiKeys: 'k', location: 'header', name: 'x-api-key' }, 'reads the key from a header: a URL cannot carry it'],
		['has no key', { apiKeys: ' , ', location: 'query', name: 'api_key' }, 'The API key credential has no key'],
	])('an API key credential that %s: a NodeOperationError', async (_what, credential, message) => {
		await expect(generate({ params: { addApiKey: true }, credentials: { externalCallbackApiKeyApi: credential } })).rejects.toThrow(message);
	});

	test('a base URL override replaces scheme, host and prefix', async () => {
		const json = await generatedJson({ params: { baseUrl: ' https://hooks.example.com/n8n/ ' } });
		expect(json.callbackUrl).toBe(`https://hooks.example.com/n8n/webhook-waiting/101/${WAIT_NODE.id}?signature=${tokenFor('101')}`);
		expect(json.failUrl).toBe(`https://hooks.example.com/n8n/webhook-waiting/101/${WAIT_NODE.id}-fail?signature=${tokenFor('101')}`);
	});

	test.each([
		['http:// on a public host', 'http://hooks.example.com', 'Base URL must start with https://'],
		['with a query', 'https://hooks.example.com/?x=1', 'Base URL must not have a query'],
		['not a URL', 'hooks', 'is not a URL'],
	])('a base URL %s: a NodeOperationError', async (_what, baseUrl, message) => {
		await expect(generate({ params: { baseUrl } })).rejects.toThrow(message);
	});

	test('http:// is fine for localhost', async () => {
		expect(String((await generatedJson({ params: { baseUrl: 'http://localhost:8080' } })).callbackUrl).startsWith('http://localhost:8080/webhook-waiting/101/')).toBe(true);
	});
});

describe('GenerateCallbackUrl.execute() on n8n 1.x (no resume token)', () => {
	const v1 = n8nResumeUrl('101', 1);

	test('the URLs get one 256-bit secret per run, as `signature`, where 2.x has its token', async () => {
		const first = await generate({ resumeUrl: v1, items: [{ json: {} }, { json: {} }] });
		const secrets = first.output[0].flatMap((i) => [i.json.callbackUrl, i.json.failUrl].map((u) => new URL(String(u)).searchParams.get('signature')));
		expect(new Set(secrets).size).toBe(1);
		expect(secrets[0]).toMatch(/^[0-9a-f]{64}$/);
		const second = await generate({ resumeUrl: v1 });
		expect(new URL(String(second.output[0][0].json.callbackUrl)).searchParams.get('signature')).not.toBe(secrets[0]);
	});

	test('the state form carries the secret in the state', async () => {
		const json = await generatedJson({ resumeUrl: v1, params: { urlForm: 'state' }, workflowNodes: [waitNode({ stableUrl: true })] });
		expect(json.state).toMatch(/^ecb2\.101\.[A-Za-z0-9_-]{43}$/);
		expect(Buffer.from(String(json.state).slice(9), 'base64url')).toHaveLength(32);
		expect(Buffer.byteLength(String(json.state))).toBeLessThanOrEqual(80);
	});

	test('a URL it made resumes its wait node on 1.x; the same URL with another secret does not', async () => {
		const json = await generatedJson({ resumeUrl: v1 });
		const url = new URL(String(json.callbackUrl));
		expect(url.pathname).toBe(`/webhook-waiting/101/${WAIT_NODE.id}`);
		const call = (signature: string) =>
			callWebhook({
				node: new ExternalCallbackWait().getNodeType(1),
				resumeUrl: v1,
				http: new FakeN8n(1).http,
				generators: [{ output: json }],
				call: { method: 'GET', query: { signature, ok: '1' } },
			});
		const accepted = await call(String(url.searchParams.get('signature')));
		expect(accepted.result.workflowData![0][0].json.data).toEqual({ ok: '1' });
		const refused = await call('0'.repeat(64));
		expect(refused.result.workflowData).toBeUndefined();
		expect(refused.res.statusCode).toBe(401);
	});
});

describe('description', () => {
	test('the API key credential shows only with "Add API Key to URL"', () => {
		expect(node.description.credentials).toEqual([
			expect.objectContaining({ name: 'externalCallbackApiKeyApi', displayOptions: { show: { addApiKey: [true] } } }),
		]);
		expect(Object.keys(node.methods.credentialTest)).toEqual(['externalCallbackApiKeyApiTest']);
	});
});
