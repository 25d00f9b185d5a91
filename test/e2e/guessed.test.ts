import { http, nodeOutput, postJson } from './harness/client';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

// Runs on both lines. n8n 2.x: the URL's `signature` is n8n's own resume token, checked by n8n
// before the node runs. n8n 1.x (1.123): n8n has no token and execution ids are sequential, so
// the URL's `signature` is the package's own per-execution secret (made by Generate Callback URL,
// kept in the execution's run data), checked by the wait node. A guessed URL — the right execution id and wait node id, no
// or a wrong secret — is refused the same way on both, and the execution keeps waiting.

const { state, api, logTail } = shared();
const major = Number(String(state.install.version).split('.')[0]);

const scenario = scenarios(api);
async function publish() {
	const { wait, start } = await scenario.publishWait();
	return { waitNodeId: wait.id, start };
}

const expectWaiting = scenario.expectStillWaiting;

test(`a guessed URL (right execution id, no or wrong secret) is refused on n8n ${major}.x; the right one resumes`, async () => {
	const { waitNodeId, start } = await publish();
	const a = await start('A');
	const b = await start('B');
	const secretOf = (url: string) => new URL(url).searchParams.get('signature')!;
	expect(secretOf(a.callbackUrl)).toMatch(/^[0-9a-f]{64}$/);
	expect(secretOf(a.callbackUrl)).not.toBe(secretOf(b.callbackUrl));
	expect(secretOf(a.failUrl)).toBe(secretOf(a.callbackUrl));

	// where the secret lives: n8n 2.x keeps its own resume token; n8n 1.x has none, and the
	// package's secret is only in the generator's output in the execution's run data, which is
	// what the wait node reads back
	const waiting = await api.execution(a.executionId);
	if (major >= 2) expect(waiting.data.resumeToken).toBe(secretOf(a.callbackUrl));
	else expect(waiting.data.resumeToken).toBeUndefined();
	expect(nodeOutput(waiting, 'Generate Callback URL')![0].callbackUrl).toBe(a.callbackUrl);

	const base = `${api.base}/webhook-waiting/${a.executionId}`;
	const flipped = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
	const guesses = [
		`${base}/${waitNodeId}`, // no secret at all
		`${base}/${waitNodeId}-fail`,
		`${base}/${waitNodeId}?signature=`,
		`${base}/${waitNodeId}?signature=${flipped(secretOf(a.callbackUrl))}`, // one hex digit off
		`${base}/${waitNodeId}?signature=${secretOf(b.callbackUrl)}`, // another execution's secret
		`${base}/${waitNodeId}-fail?signature=${'0'.repeat(64)}`,
	];
	for (const url of guesses) {
		for (const method of ['GET', 'POST']) {
			const r =
				method === 'GET' ? await http('GET', `${url}${url.includes('?') ? '&' : '?'}status=paid`) : await postJson(url, { status: 'paid' });
			expect({ url: url.replace(/signature=[0-9a-f]+/, 'signature=…'), method, status: r.status }).toEqual({
				url: expect.any(String),
				method,
				status: 401,
			});
			expect(r.json).toEqual({ error: 'Invalid token' });
			for (const secret of [secretOf(a.callbackUrl), secretOf(b.callbackUrl)]) expect(r.text).not.toContain(secret);
		}
	}
	// n8n's bare execution resume URL (no wait node path) resumes nothing either
	const bare = await postJson(base, { status: 'paid' });
	expect(bare.status).toBeGreaterThanOrEqual(400);
	await expectWaiting(a.executionId);
	await expectWaiting(b.executionId);

	// the right URLs still work afterwards
	expect((await postJson(a.callbackUrl, { status: 'paid' })).status).toBe(200);
	const doneA = await api.waitForStatus(a.executionId, ['success']);
	expect(nodeOutput(doneA, 'Done')![0]).toMatchObject({ data: { status: 'paid' }, timedOut: false, failed: false });
	expect(JSON.stringify(nodeOutput(doneA, 'Done'))).not.toContain(secretOf(a.callbackUrl));
	expect((await postJson(b.failUrl, { reason: 'declined' })).status).toBe(200);
	const doneB = await api.waitForStatus(b.executionId, ['success']);
	expect(nodeOutput(doneB, 'Done')![0]).toMatchObject({ failed: true, reason: 'declined' });
	expect(logTail(2000)).not.toContain(secretOf(a.callbackUrl));
});
