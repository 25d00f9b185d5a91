/**
 * Credential tests (the editor's "Test" / save check) for the credentials that check incoming
 * calls locally: API key, webhook signature and user lookup. There is no service of ours to ask,
 * so each test runs the node's own verifier on calls it builds from the credential, with exactly
 * the options the node uses (guard.ts), and says what a caller could never get through.
 * Nothing here is sent anywhere; no message holds a key or a secret.
 */
import { createHmac } from 'node:crypto';

import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';

import { verifyApiKey } from './apiKey';
import {
	configuredSecrets,
	parseTemplate,
	type SignatureOptions,
	standardWebhooksHmacKey,
	templateSignatureHeaders,
	templateSpec,
	verifySignature,
} from './signature';
import type { AuthRequest } from './types';
import { CallbackError } from '../pipeline/errors';
import { apiKeyOptions, signatureOptions, userLookupOptions } from './guard';

/** RFC 9110 field name (token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters an HTTP field value cannot carry. */
const NOT_IN_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

const ok = (message: string): INodeCredentialTestResult => ({ status: 'OK', message });
const failed = (message: string): INodeCredentialTestResult => ({ status: 'Error', message });

const probe = (headers: AuthRequest['headers'], query: AuthRequest['query'] = {}, rawBody?: Buffer): AuthRequest => ({
	method: 'POST',
	headers,
	query,
	rawBody,
});

/** A set-up the verifier cannot work with: its reason (a plain Error, never a CallbackError). */
interface SetUpError {
	setUp: string;
}

/**
 * What the verifier does with a call: accepts it, refuses it as the caller's mistake (a
 * CallbackError: no, a wrong or a malformed credential), or cannot check it (the set-up's reason).
 */
function attempt(verify: () => unknown): 'accepted' | 'refused' | SetUpError {
	try {
		verify();
		return 'accepted';
	} catch (error) {
		if (error instanceof CallbackError) return 'refused';
		return { setUp: error instanceof Error ? error.message : String(error) };
	}
}

// ---- API key ---------------------------------------------------------------------------------

/** Every configured key is accepted where the credential says callers send it; another key is not. */
export function testApiKeyCredential(data: ICredentialDataDecryptedObject): INodeCredentialTestResult {
	const options = apiKeyOptions(data);
	const name = options.name.trim();
	const where = options.location === 'header' ? `header "${name}"` : `query parameter "${name}"`;
	if (options.keys.length === 0) return failed('No API key is set: every call would be refused');
	if (options.location === 'header') {
		if (!HEADER_NAME.test(name)) return failed(`"${name}" is not a valid header name: no call can carry the key`);
		const bad = options.keys.findIndex((key) => NOT_IN_HEADER_VALUE.test(key));
		if (bad >= 0) return failed(`Key #${bad + 1} has characters an HTTP header cannot carry`);
	}
	const present = (key: string) =>
		options.location === 'header' ? probe({ [name.toLowerCase()]: key }) : probe({}, { [name]: key });
	for (let i = 0; i < options.keys.length; i++) {
		const result = attempt(() => verifyApiKey(present(options.keys[i]), options));
		if (typeof result === 'object') return failed(result.setUp);
		if (result === 'refused') return failed(`Key #${i + 1} is not accepted in the ${where}`);
	}
	if (attempt(() => verifyApiKey(present(`${options.keys.join('')}#`), options)) !== 'refused') {
		return failed(`A key that is not configured is accepted in the ${where}`);
	}
	const count = options.keys.length === 1 ? '1 key' : `${options.keys.length} keys`;
	return ok(`${count}, accepted in the ${where} (checked locally: there is no service to call)`);
}

// ---- Webhook signature -----------------------------------------------------------------------

const SCHEME_LABELS: Record<SignatureOptions['scheme'], string> = {
	stripe: 'Stripe',
	github: 'GitHub',
	shopify: 'Shopify',
	slack: 'Slack',
	standardWebhooks: 'Standard Webhooks',
	hmac: 'generic HMAC',
	zoom: 'Zoom',
	twilio: 'Twilio',
};

/** Where the probe pretends to have been called (never contacted). */
const PROBE_URL = 'https://credential-test.invalid/webhook/credential-test/callback?probe=1';

function mac(algorithm: string, key: Buffer, parts: Array<string | Buffer>): Buffer {
	const hmac = createHmac(algorithm, key);
	for (const part of parts) hmac.update(part);
	return hmac.digest();
}

/** The call a sender would make: Twilio posts a form, the others JSON; headers a template names are set. */
function probeCall(options: SignatureOptions, body: Buffer): AuthRequest {
	const headers: AuthRequest['headers'] = {
		'content-type': options.scheme === 'twilio' ? 'application/x-www-form-urlencoded' : 'application/json',
	};
	if (options.scheme === 'hmac') {
		for (const part of parseTemplate(templateSpec(options).template, templateSpec(options).timestampHeader)) {
			if (part.kind === 'header') headers[part.name] = 'credential-test';
		}
	}
	return { method: 'POST', headers, query: { probe: '1' }, rawBody: body, url: PROBE_URL };
}

/**
 * The headers a sender holding `secret` puts on `call` at `nowMs`, as each scheme documents
 * them; undefined for a Standard Webhooks public key (only the sender's private key signs).
 */
function signedHeaders(options: SignatureOptions, secret: string, call: AuthRequest, nowMs: number): AuthRequest['headers'] | undefined {
	const body = call.rawBody ?? Buffer.alloc(0);
	const key = Buffer.from(secret, 'utf8');
	const ts = String(Math.floor(nowMs / 1000));
	switch (options.scheme) {
		case 'stripe':
			return { 'stripe-signature': `t=${ts},v1=${mac('sha256', key, [`${ts}.`, body]).toString('hex')}` };
		case 'github':
			return { 'x-hub-signature-256': `sha256=${mac('sha256', key, [body]).toString('hex')}` };
		case 'shopify':
			return { 'x-shopify-hmac-sha256': mac('sha256', key, [body]).toString('base64') };
		case 'slack':
			return {
				'x-slack-signature': `v0=${mac('sha256', key, [`v0:${ts}:`, body]).toString('hex')}`,
				'x-slack-request-timestamp': ts,
			};
		case 'standardWebhooks': {
			const hmacKey = standardWebhooksHmacKey(secret);
			if (!hmacKey) return undefined;
			const id = 'msg_credential_test';
			return {
				'webhook-id': id,
				'webhook-timestamp': ts,
				'webhook-signature': `v1,${mac('sha256', hmacKey, [`${id}.${ts}.`, body]).toString('base64')}`,
			};
		}
		case 'hmac':
		case 'zoom':
		case 'twilio':
			return templateSignatureHeaders(options, call, secret, nowMs);
	}
}

/**
 * The set-up is usable (secrets, header, algorithm, template, tolerance), a call signed with
 * each configured secret (current and previous) as the sender signs it is accepted, and the
 * same signature on another body is refused. A Standard Webhooks public key (whpk_) cannot sign:
 * the test checks that it decodes and that a forged v1a signature is refused.
 */
export function testSignatureCredential(data: ICredentialDataDecryptedObject, nowMs = Date.now()): INodeCredentialTestResult {
	const options = signatureOptions(data);
	const label = SCHEME_LABELS[options.scheme] ?? options.scheme;
	if (options.scheme === 'hmac') {
		const header = (options.header ?? '').trim();
		if (header && !HEADER_NAME.test(header)) return failed(`"${header}" is not a valid header name: no call can carry the signature`);
		const timestampHeader = (options.timestampHeader ?? '').trim();
		if (timestampHeader && !HEADER_NAME.test(timestampHeader)) return failed(`"${timestampHeader}" is not a valid header name: no call can carry the timestamp`);
		if (options.prefix && NOT_IN_HEADER_VALUE.test(options.prefix)) {
			return failed('The prefix has characters an HTTP header cannot carry');
		}
	}
	const body = Buffer.from(options.scheme === 'twilio' ? 'Body=credential+test&From=%2B15550100' : '{"credentialTest":true}', 'utf8');
	const otherBody = Buffer.from(options.scheme === 'twilio' ? 'Body=credential+test&From=%2B15550199' : '{"credentialTest":false}', 'utf8');
	let call: AuthRequest;
	try {
		call = probeCall(options, body);
	} catch (error) {
		return failed(error instanceof Error ? error.message : String(error));
	}
	const withHeaders = (headers: AuthRequest['headers'], rawBody = body): AuthRequest => ({ ...call, headers: { ...call.headers, ...headers }, rawBody });
	// An unsigned call: a usable set-up refuses it as unsigned; a broken one gives its reason
	// (empty secret, bad whsec_/whpk_ key, no header, unknown scheme, algorithm, encoding or placeholder).
	const unsigned = attempt(() => verifySignature(call, options, nowMs));
	if (typeof unsigned === 'object') return failed(unsigned.setUp);
	if (unsigned === 'accepted') return failed('A call without a signature is accepted');

	const secrets = (() => {
		try {
			return configuredSecrets(options);
		} catch (error) {
			return error instanceof Error ? error : new Error(String(error));
		}
	})();
	if (secrets instanceof Error) return failed(secrets.message);
	const signedWith: string[] = [];
	let publicKeys = 0;
	for (const { key, which } of secrets) {
		let headers: AuthRequest['headers'] | undefined;
		try {
			headers = signedHeaders(options, key, call, nowMs);
		} catch (error) {
			return failed(error instanceof Error ? error.message : String(error));
		}
		if (!headers) {
			// A public key: it must decode (verified above for the current one) and refuse a forgery.
			const ts = String(Math.floor(nowMs / 1000));
			const forged = { 'webhook-id': 'msg_credential_test', 'webhook-timestamp': ts, 'webhook-signature': `v1a,${Buffer.alloc(64, 1).toString('base64')}` };
			const result = attempt(() => verifySignature(withHeaders(forged), { ...options, secret: key, previousSecret: undefined }, nowMs));
			if (typeof result === 'object') return failed(`The ${which} key: ${result.setUp}`);
			if (result === 'accepted') return failed(`A forged v1a signature is accepted with the ${which} key`);
			publicKeys++;
			continue;
		}
		// Signed as the sender signs it: accepted (the timestamp tolerance is checked here too).
		const signed = attempt(() => verifySignature(withHeaders(headers), options, nowMs));
		if (typeof signed === 'object') return failed(signed.setUp);
		if (signed === 'refused') return failed(`A call signed with the ${which} secret (${label}) is refused`);
		// The same signature on another body: refused.
		const tampered = attempt(() => verifySignature(withHeaders(headers, otherBody), options, nowMs));
		if (tampered !== 'refused') return failed(`A signature is accepted for a body it was not made for (${label})`);
		signedWith.push(which);
	}
	const parts = [
		signedWith.length
			? `a call signed with ${signedWith.length === 1 && secrets.length === 1 ? 'this secret' : `the ${signedWith.join(' or the ')} secret`} is accepted and a tampered one refused`
			: '',
		publicKeys ? `${publicKeys === 1 ? 'the public key is' : 'the public keys are'} valid Ed25519 keys and a forged v1a signature is refused` : '',
	].filter(Boolean);
	return ok(`${label}: ${parts.join('; ')} (checked locally: there is no service to call)`);
}

// ---- User lookup endpoint ----------------------------------------------------------------------

/**
 * The lookup needs a caller's token, which a credential test does not have, so the endpoint is
 * not called: the test checks what would make every lookup fail before it is sent.
 */
export function testUserLookupCredential(data: ICredentialDataDecryptedObject): INodeCredentialTestResult {
	const options = userLookupOptions(data);
	let url: URL;
	try {
		url = new URL(options.url);
	} catch {
		return failed('The lookup URL is not an absolute URL (e.g. https://api.example.com/me)');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return failed('The lookup URL must start with https:// or http://');
	if (options.tokenSource === 'header') {
		const name = options.tokenName || 'user-token';
		if (!HEADER_NAME.test(name)) return failed(`"${name}" is not a valid header name: no caller can send the token in it`);
	}
	const sendHeader = options.sendHeader || 'authorization';
	if (!HEADER_NAME.test(sendHeader)) return failed(`"${sendHeader}" is not a valid header name: the lookup cannot send the token in it`);
	if (options.sendPrefix && NOT_IN_HEADER_VALUE.test(options.sendPrefix)) {
		return failed('The token prefix has characters an HTTP header cannot carry');
	}
	return ok(
		`The lookup URL and headers are valid. ${url.host} is called with each caller's token, so it is not contacted by this test`,
	);
}
