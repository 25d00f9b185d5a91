import { randomBytes } from 'node:crypto';

import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialType, INodeType } from 'n8n-workflow';

import { ExternalCallbackApiKeyApi } from '../../../credentials/ExternalCallbackApiKeyApi.credentials';
import { ExternalCallbackBackendlessApi } from '../../../credentials/ExternalCallbackBackendlessApi.credentials';
import { ExternalCallbackIntrospectionOAuth2Api } from '../../../credentials/ExternalCallbackIntrospectionOAuth2Api.credentials';
import { ExternalCallbackJwtApi } from '../../../credentials/ExternalCallbackJwtApi.credentials';
import { ExternalCallbackN8nApi } from '../../../credentials/ExternalCallbackN8nApi.credentials';
import { ExternalCallbackSignatureApi } from '../../../credentials/ExternalCallbackSignatureApi.credentials';
import { ExternalCallbackUserLookupApi } from '../../../credentials/ExternalCallbackUserLookupApi.credentials';
import { ExternalCallbackTrigger } from '../../../nodes/ExternalCallbackTrigger/ExternalCallbackTrigger.node';
import { ExternalCallbackWait } from '../../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { GenerateCallbackUrl } from '../../../nodes/GenerateCallbackUrl/GenerateCallbackUrl.node';
import { credentialTest } from '../../../nodes/callback/n8n/credentialTests';
import {
	testApiKeyCredential,
	testSignatureCredential,
	testUserLookupCredential,
} from '../../../nodes/callback/auth/credentialTests';
import { guardCredentials } from '../../../nodes/callback/descriptions/guard';
import { N8N_API_CREDENTIAL } from '../../../nodes/callback/constants';

/** A fresh random value for every run: the tests hold no secrets. */
const random = (bytes = 24) => randomBytes(bytes).toString('hex');

describe('API key credential test', () => {
	test('every key is accepted where the credential says, the message names the place but no key', () => {
		const keys = [random(), random()];
		const header = testApiKeyCredential({ apiKeys: `${keys[0]},\n ${keys[1]} `, location: 'header', name: 'X-Api-Key' });
		expect(header).toEqual({ status: 'OK', message: expect.stringContaining('2 keys, accepted in the header "X-Api-Key"') });
		const query = testApiKeyCredential({ apiKeys: keys[0], location: 'query', name: 'key' });
		expect(query).toEqual({ status: 'OK', message: expect.stringContaining('1 key, accepted in the query parameter "key"') });
		for (const result of [header, query]) for (const key of keys) expect(result.message).not.toContain(key);
	});

	test('the defaults of the node: x-api-key in a header, api_key in the query', () => {
		expect(testApiKeyCredential({ apiKeys: random() }).message).toContain('header "x-api-key"');
		expect(testApiKeyCredential({ apiKeys: random(), location: 'query' }).message).toContain('query parameter "api_key"');
	});

	test.each<[string, ICredentialDataDecryptedObject, string]>([
		['no key', { apiKeys: '', location: 'header', name: 'x-api-key' }, 'No API key is set: every call would be refused'],
		['only separators', { apiKeys: ' ,\n, ', location: 'header', name: 'x-api-key' }, 'No API key is set'],
		['a header name with a space', { apiKeys: 'k1', location: 'header', name: 'api key' }, '"api key" is not a valid header name'],
		['a key a header cannot carry', { apiKeys: 'k1,k\u00012', location: 'header', name: 'x-api-key' }, 'Key #2 has characters an HTTP header cannot carry'],
	])('%s → Error', (_, data, message) => {
		expect(testApiKeyCredential(data)).toEqual({ status: 'Error', message: expect.stringContaining(message) });
	});

	test('in the query a key may hold any character (it is percent-encoded)', () => {
		expect(testApiKeyCredential({ apiKeys: 'k\u00012', location: 'query', name: 'key' }).status).toBe('OK');
	});
});

/** A whsec_ value in URL-safe base64 (not a secret: a malformed fixture). */
const URL_SAFE_WHSEC = ['whsec', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2La-aS_'].join('_');

describe('webhook signature credential test', () => {
	const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;

	test.each<[string, ICredentialDataDecryptedObject]>([
		['stripe', { scheme: 'stripe', toleranceSeconds: 300 }],
		['github', { scheme: 'github' }],
		['shopify', { scheme: 'shopify' }],
		['slack', { scheme: 'slack', toleranceSeconds: 0 }],
		['hmac sha256 hex', { scheme: 'hmac', header: 'x-signature' }],
		['hmac sha512 base64 with a prefix', { scheme: 'hmac', header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' }],
		['hmac sha1', { scheme: 'hmac', header: 'x-signature', algorithm: 'sha1' }],
	])('%s: a call signed with the secret is accepted, a tampered one refused', (_, data) => {
		const secret = random();
		const result = testSignatureCredential({ ...data, secret });
		expect(result).toEqual({ status: 'OK', message: expect.stringContaining('a call signed with this secret is accepted and a tampered one refused') });
		expect(result.message).not.toContain(secret);
	});

	test('standard webhooks: a whsec_ secret (or its bare base64) is accepted', () => {
		const secret = whsec();
		expect(testSignatureCredential({ scheme: 'standardWebhooks', secret, toleranceSeconds: 300 }).status).toBe('OK');
		expect(testSignatureCredential({ scheme: 'standardWebhooks', secret: secret.slice('whsec_'.length) }).status).toBe('OK');
		// The spec repository's unpadded secrets (spare bits set in the last character) are usable.
		for (const unpadded of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr']) {
			expect(testSignatureCredential({ scheme: 'standardWebhooks', secret: unpadded })).toEqual({ status: 'OK', message: expect.any(String) });
		}
	});

	test.each<[string, ICredentialDataDecryptedObject, string]>([
		['an empty secret', { scheme: 'stripe', secret: '' }, 'the secret is empty'],
		['no secret at all', { scheme: 'github' }, 'the secret is empty'],
		['a standard webhooks secret that is not base64', { scheme: 'standardWebhooks', secret: 'whsec_not base64!' }, 'must be whsec_ followed by base64'],
		['a standard webhooks secret in URL-safe base64', { scheme: 'standardWebhooks', secret: URL_SAFE_WHSEC }, "it contains '-' or '_' (URL-safe base64)"],
		['generic HMAC without a header', { scheme: 'hmac', secret: 'x' }, 'no signature header is configured'],
		['generic HMAC with a header name that cannot exist', { scheme: 'hmac', secret: 'x', header: 'x signature' }, '"x signature" is not a valid header name'],
		['generic HMAC with a prefix a header cannot carry', { scheme: 'hmac', secret: 'x', header: 'x-sig', prefix: 'v1\n' }, 'The prefix has characters'],
		['generic HMAC with an unknown algorithm', { scheme: 'hmac', secret: 'x', header: 'x-sig', algorithm: 'md5' }, 'unsupported algorithm "md5"'],
		['a negative tolerance', { scheme: 'stripe', secret: 'x', toleranceSeconds: -1 }, 'tolerance must be a number of seconds >= 0'],
		['a tolerance that is not a number', { scheme: 'slack', secret: 'x', toleranceSeconds: 'soon' }, 'tolerance must be a number'],
		['an unknown scheme', { scheme: 'paypal', secret: 'x' }, 'unknown scheme "paypal"'],
	])('%s → Error', (_, data, message) => {
		expect(testSignatureCredential(data)).toEqual({ status: 'Error', message: expect.stringContaining(message) });
	});

	test('the timestamp is the time given: a signed call is checked at that time', () => {
		const at = Date.UTC(2030, 0, 1);
		expect(testSignatureCredential({ scheme: 'stripe', secret: random(), toleranceSeconds: 0 }, at).status).toBe('OK');
	});
});

describe('user lookup credential test', () => {
	test('a usable set-up: OK, says that the endpoint is not called', () => {
		const result = testUserLookupCredential({ url: 'https://id.example.com/me', readFrom: 'header', readFromName: 'user-token' });
		expect(result).toEqual({ status: 'OK', message: expect.stringContaining('id.example.com is called with each caller') });
		expect(testUserLookupCredential({ url: 'http://127.0.0.1:8080/me', readFrom: 'bearer', sendHeader: 'x-token', sendPrefix: '' }).status).toBe('OK');
	});

	test.each<[string, ICredentialDataDecryptedObject, string]>([
		['no URL', { url: '' }, 'not an absolute URL'],
		['a URL without a scheme', { url: 'id.example.com/me' }, 'not an absolute URL'],
		['another scheme', { url: 'ftp://id.example.com/me' }, 'must start with https:// or http://'],
		['a caller header that cannot exist', { url: 'https://id.example.com/me', readFrom: 'header', readFromName: 'user token' }, '"user token" is not a valid header name'],
		['a lookup header that cannot exist', { url: 'https://id.example.com/me', sendHeader: 'x:token' }, '"x:token" is not a valid header name'],
		['a prefix a header cannot carry', { url: 'https://id.example.com/me', sendPrefix: 'Bearer\r\n' }, 'The token prefix has characters'],
	])('%s → Error', (_, data, message) => {
		expect(testUserLookupCredential(data)).toEqual({ status: 'Error', message: expect.stringContaining(message) });
	});

	test('a query parameter name may hold any character (it is percent-encoded)', () => {
		expect(testUserLookupCredential({ url: 'https://id.example.com/me', readFrom: 'query', readFromName: 'user token' }).status).toBe('OK');
	});
});

describe('methods.credentialTest', () => {
	const context = {} as ICredentialTestFunctions;
	const decrypted = (type: string, data?: ICredentialDataDecryptedObject) => ({ id: '1', name: 'test', type, data });

	test('each function tests the credential data n8n hands it (none at all included)', async () => {
		const key = random();
		await expect(
			credentialTest.externalCallbackApiKeyApiTest.call(context, decrypted('externalCallbackApiKeyApi', { apiKeys: key })),
		).resolves.toMatchObject({ status: 'OK' });
		await expect(credentialTest.externalCallbackApiKeyApiTest.call(context, decrypted('externalCallbackApiKeyApi'))).resolves.toEqual({
			status: 'Error',
			message: 'No API key is set: every call would be refused',
		});
		await expect(
			credentialTest.externalCallbackSignatureApiTest.call(context, decrypted('externalCallbackSignatureApi', { scheme: 'github', secret: key })),
		).resolves.toMatchObject({ status: 'OK' });
		await expect(
			credentialTest.externalCallbackUserLookupApiTest.call(context, decrypted('externalCallbackUserLookupApi', { url: 'nope' })),
		).resolves.toMatchObject({ status: 'Error' });
	});

	const nodes: Array<[string, INodeType]> = [
		['External Callback Trigger', new ExternalCallbackTrigger()],
		['External Callback Wait', new ExternalCallbackWait().getNodeType(1)],
		['Generate Callback URL', new GenerateCallbackUrl()],
	];

	test.each(nodes)('%s: every testedBy names a function of its methods.credentialTest', (_, node) => {
		const tested = (node.description.credentials ?? []).filter((c) => c.testedBy !== undefined);
		expect(tested.length).toBeGreaterThan(0);
		for (const c of tested) {
			expect(typeof c.testedBy).toBe('string');
			expect(typeof node.methods?.credentialTest?.[c.testedBy as string]).toBe('function');
		}
	});

	test('a credential without a test of its own is tested by every node entry that uses it; the others have a test', () => {
		const credentials: ICredentialType[] = [
			new ExternalCallbackApiKeyApi(),
			new ExternalCallbackBackendlessApi(),
			new ExternalCallbackIntrospectionOAuth2Api(),
			new ExternalCallbackJwtApi(),
			new ExternalCallbackN8nApi(),
			new ExternalCallbackSignatureApi(),
			new ExternalCallbackUserLookupApi(),
		];
		const untested = credentials.filter((c) => c.test === undefined).map((c) => c.name);
		expect(untested.sort()).toEqual(['externalCallbackApiKeyApi', 'externalCallbackSignatureApi', 'externalCallbackUserLookupApi']);
		for (const name of untested) {
			const uses = nodes.flatMap(([, node]) => (node.description.credentials ?? []).filter((c) => c.name === name));
			expect(uses.length).toBeGreaterThan(0);
			for (const use of uses) expect(use.testedBy).toBe(`${name}Test`);
		}
	});

	test('the trigger and the wait node list guardCredentials (the wait node then the n8n API credential)', () => {
		expect(new ExternalCallbackTrigger().description.credentials).toEqual(guardCredentials);
		expect(new ExternalCallbackWait().getNodeType(1).description.credentials).toEqual([
			...guardCredentials,
			{ name: N8N_API_CREDENTIAL, required: false, displayOptions: { show: { stableUrl: [true] } } },
		]);
	});
});
