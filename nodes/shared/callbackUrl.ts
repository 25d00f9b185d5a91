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
