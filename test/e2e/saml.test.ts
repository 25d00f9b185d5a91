import { STATE_MAX_BYTES, decodeState } from '../../nodes/callback/urls/state';

import { http, nodeOutput, nodeRuns } from './harness/client';
import { FakeServer } from './harness/fakeServer';
import { scenarios } from './harness/scenarios';
import { shared } from './harness/shared';

// SAML 2.0 Web SSO as an identity provider runs it, on both n8n lines. The service provider (the
// workflow) sends the browser to the IdP with an AuthnRequest and a RelayState (HTTP-Redirect
// binding); the IdP answers with an auto-submitting HTML form that POSTs SAMLResponse and the
// RelayState back to the SP's one registered Assertion Consumer Service URL (HTTP-POST binding).
// Bindings §3.4.3/§3.5.3: RelayState MUST NOT exceed 80 bytes; like ForgeRock AM, this IdP drops
// a longer one, and the browser comes back without it.

const { api } = shared();
const scenario = scenarios(api);

/** The SAMLResponse this IdP issues for a user: a small (unsigned) Response, base64 as the binding sends it. */
const samlResponseFor = (user: string, inResponseTo: string) =>
	Buffer.from(
		`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" InResponseTo="${inResponseTo}" Version="2.0">` +
			'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
			`<saml:Assertion ID="_a1" Version="2.0"><saml:Subject><saml:NameID>${user}</saml:NameID></saml:Subject></saml:Assertion>` +
			'</samlp:Response>',
		'utf8',
	).toString('base64');

/** The IdP: GET /sso?SAMLRequest&RelayState&login → the HTML form a browser auto-submits to the ACS URL. */
let acsUrl = '';
const idp = new FakeServer((req, res) => {
	const url = new URL(req.url, 'http://idp');
	const relayState = url.searchParams.get('RelayState') ?? '';
	const fields: Record<string, string> = {
		SAMLResponse: samlResponseFor(url.searchParams.get('login') ?? '', url.searchParams.get('SAMLRequest') ?? ''),
	};
	if (relayState && Buffer.byteLength(relayState, 'utf8') <= STATE_MAX_BYTES) fields.RelayState = relayState;
	const inputs = Object.entries(fields)
		.map(([name, value]) => `<input type="hidden" name="${name}" value="${value}"/>`)
		.join('');
	res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
	res.end(`<html><body onload="document.forms[0].submit()"><form method="post" action="${acsUrl}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`);
});
beforeAll(() => idp.start());
afterAll(() => idp.stop());

/** What the browser does with the IdP's page: POST the form's fields, url-encoded, to its action. */
async function submitForm(html: string) {
	const action = /<form method="post" action="([^"]+)"/.exec(html)![1];
	const form = new URLSearchParams();
	for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) form.append(name, value);
	return {
		fields: Object.fromEntries(form),
		reply: await http('POST', action, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }),
	};
}

test('SAML HTTP-POST round trip: a RelayState of at most 80 bytes brings the SAMLResponse to its execution, once', async () => {
	const { stableUrl, start } = await scenario.publishWait({
		generate: { urlForm: 'state' },
		wait: { stableUrl: true, stateParameter: 'RelayState' },
		readGenerated: true,
	});
	acsUrl = stableUrl;
	const runs = [];
	for (const order of ['saml-1', 'saml-2', 'saml-3']) runs.push(await start(order));
	for (const r of runs) {
		const state = String(r.generated.state);
		expect(Buffer.byteLength(state, 'utf8')).toBeLessThanOrEqual(80);
		expect(r.generated.stateParameter).toBe('RelayState');
		expect(decodeState(state)?.executionId).toBe(String(r.executionId));
		// what the SP hands out: the fixed ACS URL with the RelayState
		expect(r.callbackUrl).toBe(`${stableUrl}?${new URLSearchParams({ RelayState: state })}`);
	}
	const chosen = runs[1];
	const relayState = new URL(chosen.callbackUrl).searchParams.get('RelayState')!;

	// the browser at the IdP (HTTP-Redirect binding), then back with the auto-submitted form
	const atIdp = await http('GET', `${idp.url}/sso?${new URLSearchParams({ SAMLRequest: '_req-1', RelayState: relayState, login: 'alice@example.com' })}`);
	expect(atIdp.status).toBe(200);
	const { fields, reply } = await submitForm(atIdp.text);
	expect(fields.RelayState).toBe(relayState); // the IdP kept it: it fits
	expect(reply.status).toBe(200);
	expect(reply.headers.get('x-execution-id')).toBe(String(chosen.executionId));

	const done = await api.waitForStatus(chosen.executionId, ['success']);
	const out = nodeOutput(done, 'Done')![0];
	expect(out.data).toEqual({ SAMLResponse: fields.SAMLResponse });
	expect(Buffer.from(String(out.data.SAMLResponse), 'base64').toString('utf8')).toContain('<saml:NameID>alice@example.com</saml:NameID>');
	expect(JSON.stringify(out)).not.toContain(relayState);
	for (const other of runs.filter((r) => r !== chosen)) await scenario.expectStillWaiting(other.executionId);

	// the same form posted again (a back button, a double submit): that execution has finished
	const again = await submitForm(atIdp.text);
	expect(again.reply.status).toBe(404);
	expect(again.reply.json).toEqual({ code: 1031, message: 'No execution is waiting at this node for this state' });
	expect(nodeRuns(await api.execution(chosen.executionId), 'Done')).toBe(1);
	for (const other of runs.filter((r) => r !== chosen)) await scenario.expectStillWaiting(other.executionId);

	// a RelayState over 80 bytes (the form before the compact state was ~95) is dropped by the
	// IdP: the browser arrives without one, the stable URL says so (400 1030), nothing resumes
	const other = runs[2];
	const decoded = decodeState(String(other.generated.state))!;
	const longState = `ecb1.${Buffer.from(`${decoded.executionId}:${decoded.resumeToken}`).toString('base64url')}`;
	expect(Buffer.byteLength(longState)).toBeGreaterThan(80);
	const dropped = await http('GET', `${idp.url}/sso?${new URLSearchParams({ SAMLRequest: '_req-2', RelayState: longState, login: 'bob@example.com' })}`);
	const lost = await submitForm(dropped.text);
	expect(lost.fields.RelayState).toBeUndefined();
	expect(lost.reply.status).toBe(400);
	expect(lost.reply.json.code).toBe(1030);
	await scenario.expectStillWaiting(other.executionId);
	// the same long state sent straight to the ACS URL still decodes (states made before the change)
	const direct = await http('POST', stableUrl, {
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ SAMLResponse: lost.fields.SAMLResponse, RelayState: longState }).toString(),
	});
	expect(direct.status).toBe(200);
	expect(direct.headers.get('x-execution-id')).toBe(String(other.executionId));
	expect(nodeOutput(await api.waitForStatus(other.executionId, ['success']), 'Done')![0].data).toEqual({ SAMLResponse: lost.fields.SAMLResponse });
});
