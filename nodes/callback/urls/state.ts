/**
 * The state form of a callback URL (OAuth `state`, SAML `RelayState`): one fixed URL plus an
 * opaque value that identifies the execution. The value carries the execution id and n8n's
 * 256-bit resume token, so it is resolved without any n8n API call and is exactly as secret
 * as the resume URL: n8n itself checks the token when the call is forwarded to that URL.
 *
 * Form: `ecb2.<executionId>.<the token's 32 bytes, base64url: 43 chars>`.
 * SAML 2.0 (Bindings §3.4.3, §3.5.3) caps RelayState at 80 bytes. n8n's execution ids are
 * decimal strings of its database sequence (SQLite INTEGER, Postgres SERIAL): at most
 * 2^63−1, 19 digits, so an n8n state is at most 5 + 19 + 1 + 43 = 68 bytes. The form takes ids
 * of up to 31 characters of [0-9A-Za-z_-] and so is at most 80 bytes whatever the id.
 * The token keeps its 256 bits; the decoder accepts only the canonical encoding of 32 bytes,
 * so one token has exactly one state.
 *
 * The previous form, `ecb1.` + base64url("<executionId>:<hex token>") (about 95 bytes), is still
 * decoded: states made before the change keep working until their executions end. It is also
 * what encodeState falls back to for a token that is not 64 lowercase hex characters or an id
 * longer than 31 characters (neither comes from n8n 1.x or 2.x).
 */
import { EXECUTION_ID, PARAMS, RESUME_TOKEN_PARAM, STABLE_METHODS } from '../constants';
import { buildStableUrl } from './resumeUrl';
import { SetupError } from './setupError';
import type { WaitNodeInfo } from './waitNode';

/** SAML's limit for RelayState; every compact state fits. */
export const STATE_MAX_BYTES = 80;

const STATE_PREFIX = 'ecb2';
const STATE_ID = /^[0-9A-Za-z_-]{1,31}$/;
const STATE_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const HEX_TOKEN = /^[0-9a-f]{64}$/;

const LEGACY_PREFIX = 'ecb1';
const LEGACY_BODY = new RegExp(`^(${EXECUTION_ID}):([0-9a-f]{32,128})$`);

export function encodeState(executionId: string, resumeToken: string): string {
	if (STATE_ID.test(executionId) && HEX_TOKEN.test(resumeToken)) {
		return `${STATE_PREFIX}.${executionId}.${Buffer.from(resumeToken, 'hex').toString('base64url')}`;
	}
	return `${LEGACY_PREFIX}.${Buffer.from(`${executionId}:${resumeToken}`, 'utf8').toString('base64url')}`;
}

/** The execution a state names, or undefined when it is not a well-formed state (either form). */
export function decodeState(state: unknown): { executionId: string; resumeToken: string } | undefined {
	if (typeof state !== 'string' || state.length > 300) return undefined;
	const [prefix, ...parts] = state.split('.');
	if (prefix === STATE_PREFIX) return decodeCompact(state, parts);
	if (prefix === LEGACY_PREFIX && parts.length === 1) return decodeLegacy(parts[0]);
	return undefined;
}

function decodeCompact(state: string, parts: string[]): { executionId: string; resumeToken: string } | undefined {
	if (state.length > STATE_MAX_BYTES || parts.length !== 2) return undefined;
	const [executionId, token] = parts;
	if (!STATE_ID.test(executionId) || !STATE_TOKEN.test(token)) return undefined;
	const bytes = Buffer.from(token, 'base64url');
	// 43 characters hold 258 bits: the last 2 must be zero (the one canonical encoding)
	if (bytes.length !== 32 || bytes.toString('base64url') !== token) return undefined;
	return { executionId, resumeToken: bytes.toString('hex') };
}

function decodeLegacy(body: string): { executionId: string; resumeToken: string } | undefined {
	if (!body || !/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
	const match = LEGACY_BODY.exec(Buffer.from(body, 'base64url').toString('utf8'));
	if (!match || Buffer.from(`${match[1]}:${match[2]}`, 'utf8').toString('base64url') !== body) return undefined;
	return { executionId: match[1], resumeToken: match[2] };
}

/** The resume token in n8n's `$execution.resumeUrl` (`?signature=<token>`), if any. */
export function resumeTokenOf(resumeUrl: string): string | undefined {
	const token = new URL(resumeUrl).searchParams.get(RESUME_TOKEN_PARAM) ?? undefined;
	return token?.split('/')[0] || undefined;
}

/** State form: the wait node's stable URL plus an opaque state naming this execution. */
export function stateUrlFields(
	executionResumeUrl: string,
	executionId: string,
	waitNode: WaitNodeInfo,
): { callbackUrl: string; state: string; stateParameter: string; methods: string[] } {
	if (!waitNode.parameters[PARAMS.stableUrl] || !waitNode.webhookId) {
		throw new SetupError(
			`The state form needs "Stable URL" switched on in "${waitNode.name}"`,
			`Switch on "Stable URL" in "${waitNode.name}" and save the workflow, or use the path form`,
		);
	}
	const token = resumeTokenOf(executionResumeUrl);
	if (!token) {
		throw new SetupError(
			'This n8n gives executions no resume token (n8n 2.x does); the state form needs one',
			'Use the path form on this n8n version, or upgrade n8n to 2.x',
		);
	}
	const stateParameter = String(waitNode.parameters[PARAMS.stateParameter] || 'state');
	const state = encodeState(executionId, token);
	const url = new URL(buildStableUrl(executionResumeUrl, waitNode.webhookId));
	url.searchParams.set(stateParameter, state);
	return { callbackUrl: url.toString(), state, stateParameter, methods: [...STABLE_METHODS] };
}
