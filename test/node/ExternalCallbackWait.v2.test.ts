/**
 * External Callback Wait version 2 (static webhook fields) through mocked n8n contexts: the
 * node its URLs are for travels as `node=<node id>` and is checked here; the stable URL is
 * registered whatever "Stable URL" says and answers 1056 while it is off. The same behaviour in a
 * real n8n: test/e2e/version2.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { ErrorCodes } from '../../nodes/callback/pipeline/errors';
import { FakeN8n, JSON_HEADERS, WAIT_NODE, callWebhook, tokenFor, type CallSpec } from './helpers';

const node = new ExternalCallbackWait().getNodeType(2);

const post = (query: IDataObject, body: unknown = { paid: true }): CallSpec => ({
	method: 'POST',
	headers: JSON_HEADERS,
	body,
	query: { signature: tokenFor('101'), ...query },
});

describe('External Callback Wait version 2', () => {
	test('node=<its id> resumes; the node= is routing, not data: it is not in the output query', async () => {
		const { result } = await callWebhook({ node, http: new FakeN8n().http, call: post({ node: WAIT_NODE.id, ref: 'r-9' }) });
		expect(result.workflowData).toHaveLength(1);
		const json = result.workflowData![0][0].json;
		expect(json).toMatchObject({ data: { paid: true }, query: { ref: 'r-9' }, failed: false });
		expect(json.query).not.toHaveProperty('node');
		expect(json.query).not.toHaveProperty('signature');
	});

	test("without node= (n8n's own $execution.resumeUrl) it resumes, as n8n's Wait node does", async () => {
		const { result } = await callWebhook({ node, http: new FakeN8n().http, call: post({}) });
		expect(result.workflowData![0][0].json).toMatchObject({ data: { paid: true }, failed: false });
	});

	test('a URL for another wait node (node=<other id>): 409 code 1057, nothing resumed, the id never echoed', async () => {
		for (const other of ['other-node-id', ['a', 'b']]) {
			const { result, res } = await callWebhook({ node, http: new FakeN8n().http, call: post({ node: other }) });
			expect(result.workflowData).toBeUndefined();
			expect(result.noWebhookResponse).toBe(true);
			expect(res.statusCode).toBe(409);
			const body = res.body;
			expect(body).toEqual({ code: ErrorCodes.OTHER_NODE, message: expect.stringContaining(WAIT_NODE.name) });
			expect(JSON.stringify(res.body)).not.toContain('other-node-id');
		}
	});

	test('the fail URL (webhook "fail") with node=<its id> resumes with failed: true and the reason', async () => {
		const { result } = await callWebhook({ node, webhookName: 'fail', http: new FakeN8n().http, call: post({ node: WAIT_NODE.id }, { reason: 'card declined' }) });
		expect(result.workflowData![0][0].json).toMatchObject({ failed: true, reason: 'card declined' });
	});

	test('the stable URL while "Stable URL" is off: 404 code 1056, nothing else done (no API request)', async () => {
		const http = jest.fn(async () => {
			throw new Error('no request expected');
		});
		const { result, res } = await callWebhook({ node, webhookName: 'stable', params: { stableUrl: false }, http, executionId: undefined, call: post({ execution: 'any' }) });
		expect(result.workflowData).toBeUndefined();
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ code: ErrorCodes.STABLE_OFF, message: expect.stringContaining('Stable URL') });
		expect(http).not.toHaveBeenCalled();
	});

	test('version 1 ignores a node= query parameter: it is the caller\'s data there', async () => {
		const v1 = new ExternalCallbackWait().getNodeType(1);
		const { result } = await callWebhook({ node: v1, http: new FakeN8n().http, call: post({ node: 'anything' }) });
		expect(result.workflowData![0][0].json.query).toEqual({ node: 'anything' });
	});
});
