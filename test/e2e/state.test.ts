import { encodeState } from '../../nodes/callback/urls/state';

import { http, nodeOutput } from './harness/client';
import { FakeServer } from './harness/fakeServer';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

const { api } = shared();

const scenario = scenarios(api);
/** wait-basic with the generator in state form and the stable URL on, without any n8n API credential. */
async function publishStateForm(wait: Record<string, unknown> = {}) {
	const { stableUrl, start } = await scenario.publishWait({ generate: { urlForm: 'state' }, wait: { stableUrl: true, ...wait }, readGenerated: true });
	return { stableUrl, start: (orderId: string) => start(orderId) };
}

// An OAuth provider: /authorize redirects the browser back to redirect_uri with a code and the state.
const provider = new FakeServer((req, res) => {
	const url = new URL(req.url, 'http://x');
	const back = new URL(url.searchParams.get('redirect_uri')!);
	back.searchParams.set('code', `code-for-${url.searchParams.get('login')}`);
	back.searchParams.set('state', url.searchParams.get('state')!);
	res.writeHead(302, { location: back.toString() });
	res.end();
});
beforeAll(() => provider.start());
afterAll(() => provider.stop());

test('OAuth-style: five executions wait; the provider redirects one state back; exactly that one resumes with the code', async () => {
	const { stableUrl, start } = await publishStateForm();
	const runs = [];
	for (let i = 0; i < 5; i++) runs.push(await start(`O-${i}`));
	for (const r of runs) {
		expect(r.generated.callbackUrl).toBe(`${stableUrl}?state=${encodeURIComponent(r.generated.state)}`);
		expect(r.generated.stateParameter).toBe('state');
		expect(r.generated.state).toMatch(new RegExp(`^ecb2\\.${r.executionId}\\.[A-Za-z0-9_-]{43}$`));
		expect(Buffer.byteLength(r.generated.state as string)).toBeLessThanOrEqual(80);
	}
	const chosen = runs[2];
	// the browser goes to the provider, which sends it back to the fixed redirect URI
	const authorize = await http(
		'GET',
		`${provider.url}/authorize?${new URLSearchParams({ redirect_uri: stableUrl, state: chosen.generated.state, login: 'alice' })}`,
	);
	expect(authorize.status).toBe(302);
	const back = await http('GET', authorize.headers.get('location')!);
	expect(back.status).toBe(200);
	expect(back.headers.get('x-execution-id')).toBe(String(chosen.executionId));
	const done = await api.waitForStatus(chosen.executionId, ['success']);
	const out = nodeOutput(done, 'Done')![0];
	expect(out.data).toEqual({ code: 'code-for-alice' });
	expect(out.query).toEqual({ code: 'code-for-alice' });
	expect(JSON.stringify(out)).not.toContain(chosen.generated.state);
	for (const other of runs.filter((r) => r !== chosen)) {
		expect((await api.execution(other.executionId, false)).status).toBe('waiting');
	}

	// forged and altered states resume nothing
	const victim = runs[3].generated.state as string;
	const altered = victim.slice(0, -1) + (victim.endsWith('A') ? 'E' : 'A');
	const forged = encodeState(String(runs[3].executionId), '0'.repeat(64));
	const forgedOld = `ecb1.${Buffer.from(`${runs[3].executionId}:${'0'.repeat(64)}`).toString('base64url')}`;
	for (const state of [altered, forged, forgedOld, 'not-a-state', victim.slice(0, -2), `${victim}A`]) {
		const r = await http('GET', `${stableUrl}?${new URLSearchParams({ code: 'x', state })}`);
		expect([400, 404]).toContain(r.status);
		expect(r.json.code).toEqual(expect.any(Number));
		expect(r.text).not.toMatch(/stack/i);
	}
	for (const other of runs.filter((r) => r !== chosen)) {
		expect((await api.execution(other.executionId, false)).status).toBe('waiting');
	}
	// the same state again: that execution finished, nothing more happens
	const replay = await http('GET', authorize.headers.get('location')!);
	expect(replay.status).toBe(404);
});

test('SAML-style: a custom state parameter (RelayState) in a POSTed form', async () => {
	const { stableUrl, start } = await publishStateForm({ stateParameter: 'RelayState' });
	const s = await start('S-1');
	expect(s.generated.stateParameter).toBe('RelayState');
	expect(new URL(s.generated.callbackUrl).searchParams.get('RelayState')).toBe(s.generated.state);
	const r = await http('POST', stableUrl, {
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ SAMLResponse: 'PHNhbWw+', RelayState: s.generated.state }).toString(),
	});
	expect(r.status).toBe(200);
	const out = nodeOutput(await api.waitForStatus(s.executionId, ['success']), 'Done')![0];
	expect(out.data).toEqual({ SAMLResponse: 'PHNhbWw+' });
	expect(JSON.stringify(out)).not.toContain(s.generated.state);
});
