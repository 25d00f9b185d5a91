import { createHmac, generateKeyPairSync, sign as edSign } from 'node:crypto';

import { Webhook as StandardWebhook } from 'standardwebhooks';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

import { http, loadFixture, nodeOutput } from './harness/client';
import { sleep, until } from './harness/n8n';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

/*
 * Issue 19 in a real n8n: one delivery per new signature scheme resumes a waiting execution
 * (Zoom, Twilio form POST, generic template, Standard Webhooks v1a), a delivery signed with the
 * previous secret of a rotated credential resumes, and a replay outside the tolerance is refused
 * with 1006 while the execution keeps waiting.
 */

const { api } = shared();
const scenario = scenarios(api);
const now = () => Math.floor(Date.now() / 1000);
/** A fixture value for a credential field (not a secret of anyone). */
const fixture = (name: string) => `${name}-e2e-fixture`;
/** Zoom's documented example plainToken (public, from Zoom's docs). */
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- Zoom's published example value, not a secret
const ZOOM_TOKEN = 'qgg8vlvZRS6UYooatFL8Aw';
const hex = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

/** wait-basic guarded by a signature credential with `data`; returns a starter. */
async function publishSigned(data: Record<string, unknown>) {
	const credential = await scenario.credential('externalCallbackSignatureApi', data);
	return (await scenario.publishWait({ wait: { authentication: 'signature' }, waitCredentials: { externalCallbackSignatureApi: credential } })).start;
}

const post = (url: string, headers: Record<string, string>, body: string) => http('POST', url, { headers, body });

describe('signature schemes of issue 19 resume a waiting execution', () => {
	test('Zoom: x-zm-signature over v0:{timestamp}:{body}; a wrong one is refused and the wait kept', async () => {
		const secret = fixture('zoom-secret-token');
		const start = await publishSigned({ scheme: 'zoom', secret, toleranceSeconds: 300 });
		const s = await start();
		const body = '{"event":"meeting.ended","payload":{"object":{"id":"85001","topic":"Review"}},"event_ts":1700000000000}';
		const ts = String(now());
		const headers = { 'content-type': 'application/json', 'x-zm-request-timestamp': ts };
		const wrong = await post(s.callbackUrl, { ...headers, 'x-zm-signature': `v0=${hex('another-secret', `v0:${ts}:${body}`)}` }, body);
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ code: 1002, message: 'Authentication failed: signature mismatch' });
		await scenario.expectStillWaiting(s.executionId);
		const good = await post(s.callbackUrl, { ...headers, 'x-zm-signature': `v0=${hex(secret, `v0:${ts}:${body}`)}` }, body);
		expect(good.status).toBe(200);
		const out = await scenario.doneOutput(s.executionId);
		expect(out.data).toMatchObject({ event: 'meeting.ended' });
		expect(out.user).toEqual({ signatureScheme: 'zoom', signedWith: 'current', timestamp: Number(ts) });
		expect(JSON.stringify(out)).not.toContain(secret);
		expect(JSON.stringify(out)).not.toContain('v0=');
	});

	test("Twilio: a form POST signed by twilio's own library over the full callback URL resumes", async () => {
		const token = fixture('twilio-auth-token');
		const start = await publishSigned({ scheme: 'twilio', secret: token });
		const s = await start();
		const params = { Body: 'Yes, approve + ship', From: '+15550100', MessageSid: 'SM19', To: '+15550199' };
		const body = new URLSearchParams(params).toString();
		const signature = getExpectedTwilioSignature(token, s.callbackUrl, params);
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		// The same signature for other form values: refused.
		const tampered = await post(s.callbackUrl, { ...form, 'x-twilio-signature': signature }, body.replace('approve', 'reject'));
		expect(tampered.status).toBe(401);
		await scenario.expectStillWaiting(s.executionId);
		const good = await post(s.callbackUrl, { ...form, 'x-twilio-signature': signature }, body);
		expect(good.status).toBe(200);
		const out = await scenario.doneOutput(s.executionId);
		expect(out.data).toEqual(params);
		expect(out.user).toEqual({ signatureScheme: 'twilio', signedWith: 'current' });
		expect(JSON.stringify(out)).not.toContain(signature);
	});

	test('generic template: v1:{timestamp}:{method}:{header:x-acct}:{body}, SHA-512 base64 with a prefix, in a header whose name says nothing (never in the output)', async () => {
		const secret = fixture('vendor-secret');
		const start = await publishSigned({
			scheme: 'hmac',
			secret,
			header: 'x-vendor-mac',
			prefix: 'v1=',
			template: 'v1:{timestamp}:{method}:{header:x-acct}:{body}',
			timestampHeader: 'x-vendor-timestamp',
			algorithm: 'sha512',
			encoding: 'base64',
			toleranceSeconds: 300,
		});
		const s = await start();
		const body = '{"status":"approved","ref":"PO-19"}';
		const ts = String(now());
		const sig = createHmac('sha512', secret).update(`v1:${ts}:POST:acct_7:${body}`).digest('base64');
		const headers = { 'content-type': 'application/json', 'x-vendor-timestamp': ts, 'x-acct': 'acct_7' };
		const otherAccount = await post(s.callbackUrl, { ...headers, 'x-acct': 'acct_8', 'x-vendor-mac': `v1=${sig}` }, body);
		expect(otherAccount.status).toBe(401);
		await scenario.expectStillWaiting(s.executionId);
		expect((await post(s.callbackUrl, { ...headers, 'x-vendor-mac': `v1=${sig}` }, body)).status).toBe(200);
		const out = await scenario.doneOutput(s.executionId);
		expect(out.data).toEqual({ status: 'approved', ref: 'PO-19' });
		expect(out.user).toEqual({ signatureScheme: 'hmac', signedWith: 'current', timestamp: Number(ts) });
		expect(out.headers).toMatchObject({ 'x-acct': 'acct_7' });
		expect(out.headers).not.toHaveProperty('x-vendor-mac');
		expect(JSON.stringify(out)).not.toContain(sig);
	});

	test('Standard Webhooks v1a: Ed25519 with the whpk_ public key', async () => {
		const { publicKey, privateKey } = generateKeyPairSync('ed25519');
		const raw = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
		const start = await publishSigned({ scheme: 'standardWebhooks', secret: `whpk_${raw.toString('base64')}`, toleranceSeconds: 300 });
		const s = await start();
		const id = 'msg_v1a_e2e';
		const ts = String(now());
		const body = '{"type":"invoice.paid","data":{"id":"in_19"}}';
		const v1a = `v1a,${edSign(null, Buffer.from(`${id}.${ts}.${body}`), privateKey).toString('base64')}`;
		const forged = `v1a,${edSign(null, Buffer.from(`${id}.${ts}.${body}`), generateKeyPairSync('ed25519').privateKey).toString('base64')}`;
		const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts };
		expect((await post(s.callbackUrl, { ...headers, 'webhook-signature': forged }, body)).status).toBe(401);
		await scenario.expectStillWaiting(s.executionId);
		expect((await post(s.callbackUrl, { ...headers, 'webhook-signature': v1a }, body)).status).toBe(200);
		const out = await scenario.doneOutput(s.executionId);
		expect(out.user).toEqual({ signatureScheme: 'standardWebhooks', signedWith: 'current', webhookId: id, timestamp: Number(ts) });
	});
});

describe('rotation and replays', () => {
	test('a rotated credential: a delivery signed with the previous secret resumes (GitHub), and says so', async () => {
		const start = await publishSigned({ scheme: 'github', secret: 'gh-new-secret', previousSecret: 'gh-old-secret' });
		const s = await start();
		const body = '{"action":"completed","check_run":{"id":19}}';
		const headers = { 'content-type': 'application/json' };
		const stranger = await post(s.callbackUrl, { ...headers, 'x-hub-signature-256': `sha256=${hex('gh-other', body)}` }, body);
		expect(stranger.status).toBe(401);
		await scenario.expectStillWaiting(s.executionId);
		expect((await post(s.callbackUrl, { ...headers, 'x-hub-signature-256': `sha256=${hex('gh-old-secret', body)}` }, body)).status).toBe(200);
		const out = await scenario.doneOutput(s.executionId);
		expect(out.user).toEqual({ signatureScheme: 'github', signedWith: 'previous' });
		expect(JSON.stringify(out)).not.toContain('gh-old-secret');
	});

	test('a rotated Standard Webhooks credential: the standardwebhooks library signs with the previous whsec_', async () => {
		const previous = `whsec_${Buffer.from('previous-standard-webhooks-key!!').toString('base64')}`;
		const current = `whsec_${Buffer.from('current-standard-webhooks-key!!!').toString('base64')}`;
		const start = await publishSigned({ scheme: 'standardWebhooks', secret: current, previousSecret: previous, toleranceSeconds: 300 });
		const s = await start();
		const body = '{"type":"contact.created"}';
		const id = 'msg_rotated';
		const at = new Date();
		const signature = new StandardWebhook(previous).sign(id, at, body);
		const r = await post(
			s.callbackUrl,
			{ 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
			body,
		);
		expect(r.status).toBe(200);
		expect((await scenario.doneOutput(s.executionId)).user).toMatchObject({ signedWith: 'previous', webhookId: id });
	});

	test('a replay outside the tolerance is refused with 1006 and the execution keeps waiting; a fresh delivery resumes', async () => {
		const secret = 'zoom-replay-secret';
		const start = await publishSigned({ scheme: 'zoom', secret, toleranceSeconds: 60 });
		const s = await start();
		const body = '{"event":"recording.completed"}';
		const sign = (ts: string) => ({ 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${hex(secret, `v0:${ts}:${body}`)}` });
		const captured = String(now() - 600);
		const replay = await post(s.callbackUrl, sign(captured), body);
		expect(replay.status).toBe(401);
		expect(replay.json).toEqual({
			code: 1006,
			message: "Authentication failed: the signed timestamp is more than 60 s away from now (a replayed or delayed call, or the sender's clock is off)",
		});
		await scenario.expectStillWaiting(s.executionId);
		expect((await post(s.callbackUrl, sign(String(now())), body)).status).toBe(200);
		await scenario.doneOutput(s.executionId);
	});
});

describe('Zoom endpoint URL validation, a proxy in front of n8n, credential tests', () => {
	test("Zoom's signed endpoint.url_validation is answered with the encryptedToken and resumes nothing; an unsigned one is refused", async () => {
		const secret = 'zoom-crc-secret';
		const start = await publishSigned({ scheme: 'zoom', secret, toleranceSeconds: 300 });
		const s = await start();
		const body = JSON.stringify({ payload: { plainToken: ZOOM_TOKEN }, event_ts: Date.now(), event: 'endpoint.url_validation' });
		const ts = String(now());
		const unsigned = await post(s.callbackUrl, { 'content-type': 'application/json' }, body);
		expect(unsigned.status).toBe(401);
		const signed = await post(s.callbackUrl, { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${hex(secret, `v0:${ts}:${body}`)}` }, body);
		expect(signed.status).toBe(200);
		expect(signed.json).toEqual({ plainToken: ZOOM_TOKEN, encryptedToken: hex(secret, ZOOM_TOKEN) });
		await scenario.expectStillWaiting(s.executionId);
		const event = '{"event":"meeting.started"}';
		const ok = await post(s.callbackUrl, { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${hex(secret, `v0:${ts}:${event}`)}` }, event);
		expect(ok.status).toBe(200);
		expect((await scenario.doneOutput(s.executionId)).data).toEqual({ event: 'meeting.started' });
	});

	test('Twilio behind a proxy: with the Public Base URL set, the signature over the public URL resumes', async () => {
		const token = 'twilio-proxy-token';
		const start = await publishSigned({ scheme: 'twilio', secret: token, publicBaseUrl: 'https://hooks.example.com/n8n' });
		const s = await start();
		const local = new URL(s.callbackUrl);
		const publicUrl = `https://hooks.example.com/n8n${local.pathname}${local.search}`;
		const params = { CallSid: 'CA19', Digits: '1' };
		const body = new URLSearchParams(params).toString();
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		// Signed for the URL n8n sees: not what Twilio signed behind the proxy, refused.
		expect((await post(s.callbackUrl, { ...form, 'x-twilio-signature': getExpectedTwilioSignature(token, s.callbackUrl, params) }, body)).status).toBe(401);
		await scenario.expectStillWaiting(s.executionId);
		expect((await post(s.callbackUrl, { ...form, 'x-twilio-signature': getExpectedTwilioSignature(token, publicUrl, params) }, body)).status).toBe(200);
		expect((await scenario.doneOutput(s.executionId)).data).toEqual(params);
	});

	test("n8n's credential test: a rotated credential checks both secrets; a template mistake is reported", async () => {
		const test = async (data: Record<string, unknown>) => {
			const created = await scenario.credential('externalCallbackSignatureApi', data);
			const r = await http('POST', `${api.base}/rest/credentials/test`, {
				headers: { cookie: api.info.cookie, 'content-type': 'application/json' },
				body: JSON.stringify({ credentials: { id: created.id, name: created.name, type: 'externalCallbackSignatureApi', data } }),
			});
			expect(r.status).toBe(200);
			return (r.json.data ?? r.json) as { status: string; message: string };
		};
		const rotated = await test({ scheme: 'slack', secret: 'slack-new', previousSecret: 'slack-old', toleranceSeconds: 300 });
		expect(rotated.status).toBe('OK');
		expect(rotated.message).toContain('the current or the previous secret is accepted');
		const broken = await test({ scheme: 'hmac', secret: 's', header: 'x-sig', template: '{body}{nonce}' });
		expect(broken.status).toBe('Error');
		expect(broken.message).toContain('unknown placeholder "{nonce}"');
	});
});

describe('the External Callback Trigger with a Zoom or Twilio credential', () => {
	/** trigger-basic guarded by a signature credential with `data`. */
	async function publishSignedTrigger(data: Record<string, unknown>) {
		const credential = await scenario.credential('externalCallbackSignatureApi', data);
		const wf = loadFixture('trigger-basic');
		wf.nodes[0].parameters = { ...wf.nodes[0].parameters, authentication: 'signature' };
		wf.nodes[0].credentials = { externalCallbackSignatureApi: credential };
		return await api.publish(wf);
	}
	const successes = async (workflowId: string, count: number) =>
		await until(`${count} execution(s) of ${workflowId}`, async () => {
			const list = (await api.executions(workflowId)).filter((e) => e.status === 'success');
			return list.length >= count ? list : undefined;
		});

	test("Zoom's endpoint validation at the trigger URL is answered and starts nothing; a signed event starts one", async () => {
		const secret = fixture('zoom-trigger-secret');
		const { id, triggerUrl } = await publishSignedTrigger({ scheme: 'zoom', secret, toleranceSeconds: 300 });
		const ts = String(now());
		const sign = (body: string) => ({ 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${hex(secret, `v0:${ts}:${body}`)}` });
		const challenge = JSON.stringify({ payload: { plainToken: ZOOM_TOKEN }, event_ts: Date.now(), event: 'endpoint.url_validation' });
		const crc = await post(triggerUrl, sign(challenge), challenge);
		expect(crc.status).toBe(200);
		expect(crc.json).toEqual({ plainToken: ZOOM_TOKEN, encryptedToken: hex(secret, ZOOM_TOKEN) });
		const event = '{"event":"meeting.created","payload":{"object":{"id":"19"}}}';
		expect((await post(triggerUrl, sign(event), event)).status).toBe(200);
		const [only] = await successes(id, 1);
		await sleep(500);
		expect(await api.executions(id)).toHaveLength(1);
		expect(nodeOutput(await api.execution(only.id), 'External Callback Trigger')![0].data).toEqual({ event: 'meeting.created', payload: { object: { id: '19' } } });
	});

	test('Twilio at the trigger URL: the signature over the trigger URL starts an execution; a wrong one does not', async () => {
		const token = fixture('twilio-trigger-token');
		const { id, triggerUrl } = await publishSignedTrigger({ scheme: 'twilio', secret: token });
		const params = { Body: 'STOP', From: '+15550123' };
		const body = new URLSearchParams(params).toString();
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		expect((await post(triggerUrl, { ...form, 'x-twilio-signature': getExpectedTwilioSignature('another-token', triggerUrl, params) }, body)).status).toBe(401);
		expect((await post(triggerUrl, { ...form, 'x-twilio-signature': getExpectedTwilioSignature(token, triggerUrl, params) }, body)).status).toBe(200);
		const [only] = await successes(id, 1);
		expect(await api.executions(id)).toHaveLength(1);
		const out = nodeOutput(await api.execution(only.id), 'External Callback Trigger')![0];
		expect(out.data).toEqual(params);
		expect(out.user).toEqual({ signatureScheme: 'twilio', signedWith: 'current' });
	});
});
