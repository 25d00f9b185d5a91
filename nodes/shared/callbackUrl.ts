/** Methods every External Callback Wait node accepts on its resume URL. */
export const CALLBACK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The resume URL of one wait node: n8n's `$execution.resumeUrl`
 * (`<base>/webhook-waiting/<executionId>?signature=<token>` on n8n 2.x) with the wait
 * node's id as path suffix, which is the restart-webhook path of that node.
 */
export function buildResumeUrl(executionResumeUrl: string, waitNodeId: string): string {
	const url = new URL(executionResumeUrl);
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(waitNodeId)}`;
	return url.toString();
}

/**
 * The stable URL of a wait node (`<base>/webhook/<webhookId>/callback`), on the same origin and
 * path prefix as n8n's resume URL (`<base>/webhook-waiting/<id>…`).
 */
export function buildStableUrl(executionResumeUrl: string, waitNodeWebhookId: string): string {
	const url = new URL(executionResumeUrl);
	const prefix = url.pathname.replace(/\/[^/]+\/[^/]+\/?$/, '');
	return `${url.origin}${prefix}/webhook/${encodeURIComponent(waitNodeWebhookId)}/callback`;
}
