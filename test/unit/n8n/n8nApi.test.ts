import type { IWebhookFunctions } from 'n8n-workflow';

import { N8N_API_CREDENTIAL } from '../../../nodes/callback/constants';
import { dropCachedCredential, readN8nApi } from '../../../nodes/callback/n8n/n8nApi';
import { CallbackError, ErrorCodes } from '../../../nodes/callback/pipeline/errors';

type Reader = Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'logger'>;

/** A context with the node's credential reference (or none) and what getCredentials does. */
function context(o: { set: boolean; read: () => Promise<Record<string, unknown>> }) {
	const warnings: string[] = [];
	const ctx = {
		getCredentials: async () => await o.read(),
		getNode: () => ({ name: 'Wait', credentials: o.set ? { [N8N_API_CREDENTIAL]: { id: '1', name: 'n8n' } } : undefined }),
		logger: { warn: (message: string) => warnings.push(message) },
	} as unknown as Reader;
	return { ctx, warnings };
}

describe('the n8n API credential of the stable URL', () => {
	test('read: key, base URL and webhook base URL as text', async () => {
		const { ctx } = context({ set: true, read: async () => ({ apiKey: 'k', baseUrl: 'http://127.0.0.1:5678' }) });
		await expect(readN8nApi(ctx)).resolves.toEqual({ apiKey: 'k', baseUrl: 'http://127.0.0.1:5678', webhookBaseUrl: '' });
	});

	test('none set on the node: undefined (the caller is told no credential is set)', async () => {
		const { ctx, warnings } = context({
			set: false,
			read: async () => await Promise.reject(new Error('Node does not require credentials')),
		});
		await expect(readN8nApi(ctx)).resolves.toBeUndefined();
		expect(warnings).toEqual([]);
	});

	test('set but unreadable: logged with n8n\'s reason, answered 503 with code 1053 and no secret', async () => {
		const { ctx, warnings } = context({
			set: true,
			read: async () => await Promise.reject(new Error('Credentials could not be decrypted')),
		});
		const error = await readN8nApi(ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CallbackError);
		expect([(error as CallbackError).status, (error as CallbackError).code]).toEqual([503, ErrorCodes.CREDENTIAL_UNREADABLE]);
		expect((error as CallbackError).message).not.toContain('decrypted');
		expect(warnings).toEqual(['The n8n API credential of node "Wait" cannot be read: Credentials could not be decrypted']);
	});

	test('cached per process for one node of one workflow, at most 60 s, dropped when n8n refuses the key', async () => {
		let reads = 0;
		const ctxOf = (workflowId: string, nodeId: string) =>
			({
				getCredentials: async () => ({ apiKey: `key-${++reads}`, baseUrl: 'http://127.0.0.1:5678' }),
				getNode: () => ({ id: nodeId, name: 'Wait', credentials: { [N8N_API_CREDENTIAL]: { id: 'c9', name: 'n8n' } } }),
				getWorkflow: () => ({ id: workflowId }),
				logger: { warn: () => undefined },
			}) as unknown as Reader;
		const t0 = 1_000_000;
		const first = await readN8nApi(ctxOf('w1', 'n1'), t0);
		expect(await readN8nApi(ctxOf('w1', 'n1'), t0 + 59_000)).toEqual(first);
		expect(reads).toBe(1);
		// another node or workflow never gets this node's entry
		expect((await readN8nApi(ctxOf('w2', 'n1'), t0))?.apiKey).toBe('key-2');
		expect((await readN8nApi(ctxOf('w1', 'n2'), t0))?.apiKey).toBe('key-3');
		// older than 60 s: read again
		expect((await readN8nApi(ctxOf('w1', 'n1'), t0 + 60_001))?.apiKey).toBe('key-4');
		// n8n's API answered 401/403 to that key: read again at once
		dropCachedCredential('key-4');
		expect((await readN8nApi(ctxOf('w1', 'n1'), t0 + 60_002))?.apiKey).toBe('key-5');
	});

	test('a burst that misses the cache at once makes one read; a failed read is not kept', async () => {
		let reads = 0;
		let fail = true;
		let release: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const ctx = {
			getCredentials: async () => {
				reads++;
				await gate;
				if (fail) throw new Error('Credentials could not be decrypted');
				return { apiKey: `key-${reads}`, baseUrl: 'http://127.0.0.1:5678' };
			},
			getNode: () => ({ id: 'n-burst', name: 'Wait', credentials: { [N8N_API_CREDENTIAL]: { id: 'c-burst', name: 'n8n' } } }),
			getWorkflow: () => ({ id: 'w-burst' }),
			logger: { warn: () => undefined },
		} as unknown as Reader;
		const t0 = 5_000_000;
		const failed = Array.from({ length: 12 }, async () => await readN8nApi(ctx, t0).catch((e: unknown) => e));
		release();
		const errors = await Promise.all(failed);
		expect(reads).toBe(1);
		for (const e of errors) expect((e as CallbackError).code).toBe(ErrorCodes.CREDENTIAL_UNREADABLE);
		// the failure is not remembered: the next calls read again, once for all of them
		fail = false;
		const values = await Promise.all(Array.from({ length: 12 }, async () => await readN8nApi(ctx, t0 + 1)));
		expect(reads).toBe(2);
		expect(new Set(values.map((v) => v?.apiKey))).toEqual(new Set(['key-2']));
		// and then from the cache
		expect((await readN8nApi(ctx, t0 + 2))?.apiKey).toBe('key-2');
		expect(reads).toBe(2);
	});
});
