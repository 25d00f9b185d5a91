/**
 * The state form of a callback URL (OAuth `state`, SAML `RelayState`): one fixed URL plus an
 * opaque value that identifies the execution. The value carries the execution id and n8n's
 * 256-bit resume token, so it is resolved without any n8n API call and is exactly as secret
 * as the resume URL: n8n itself checks the token when the call is forwarded to that URL.
 */
const STATE_PREFIX = 'ecb1';

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
	const match = /^([0-9A-Za-z_-]{1,64}):([0-9a-f]{32,128})$/.exec(text);
	if (!match || Buffer.from(`${match[1]}:${match[2]}`, 'utf8').toString('base64url') !== body) return undefined;
	return { executionId: match[1], resumeToken: match[2] };
}

/** The resume token in n8n's `$execution.resumeUrl` (`?signature=<token>`), if any. */
export function resumeTokenOf(resumeUrl: string): string | undefined {
	const token = new URL(resumeUrl).searchParams.get('signature') ?? undefined;
	return token?.split('/')[0] || undefined;
}
