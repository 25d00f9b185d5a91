/**
 * The state form of a callback URL (OAuth `state`, SAML `RelayState`): one fixed URL plus an
 * opaque value that identifies the execution. The value carries the execution id and n8n's
 * 256-bit resume token, so it is resolved without any n8n API call and is exactly as secret
 * as the resume URL: n8n itself checks the token when the call is forwarded to that URL.
 */
import { EXECUTION_ID, PARAMS, RESUME_TOKEN_PARAM, STABLE_METHODS } from '../constants';
import { buildStableUrl } from './resumeUrl';
import { SetupError } from './setupError';
import type { WaitNodeInfo } from './waitNode';

const STATE_PREFIX = 'ecb1';

const STATE_BODY = new RegExp(`^(${EXECUTION_ID}):([0-9a-f]{32,128})$`);

export function encodeState(executionId: string, resumeToken: string): string {
	return `${STATE_PREFIX}.${Buffer.from(`${executionId}:${resumeToken}`, 'utf8').toString('base64url')}`;
}

/** The execution a state names, or undefined when it is not a well-formed state. */
export function decodeState(state: unknown): { executionId: string; resumeToken: string } | undefined {
	if (typeof state !== 'string' || state.length > 300) return undefined;
	const [prefix, body, ...rest] = state.split('.');
	if (prefix !== STATE_PREFIX || !body || rest.length) return undefined;
	if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
	const text = Buffer.from(body, 'base64url').toString('utf8');
	const match = STATE_BODY.exec(text);
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
