/**
 * Names and small helpers the three nodes and the engine share. The node and credential
 * descriptions spell their own names out as literals (n8n's lint rules and the compliance check
 * read them from the source); a unit test (test/unit/constants.test.ts) keeps them equal to these.
 */

/** The nodes' `description.name` (n8n's node type is `<package name>.<name>`). */
export const NODE_TYPES = {
	wait: 'externalCallbackWait',
	generate: 'generateCallbackUrl',
	trigger: 'externalCallbackTrigger',
} as const;

/** How a node type ends whatever the package name: `<package>.externalCallbackWait`. */
export const isNodeType = (type: string, name: (typeof NODE_TYPES)[keyof typeof NODE_TYPES]): boolean =>
	type.endsWith(`.${name}`);

/** Authentication methods and the n8n credential type each one uses. */
export const AUTH_CREDENTIALS = {
	backendless: 'externalCallbackBackendlessApi',
	jwt: 'externalCallbackJwtApi',
	introspection: 'externalCallbackIntrospectionOAuth2Api',
	userLookup: 'externalCallbackUserLookupApi',
	apiKey: 'externalCallbackApiKeyApi',
	signature: 'externalCallbackSignatureApi',
} as const;

/** The n8n public-API credential of the stable URL. */
export const N8N_API_CREDENTIAL = 'externalCallbackN8nApi';

/** Methods every callback URL accepts (wait node resume URLs, the trigger). */
export const CALLBACK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Methods of the wait node's stable URL (and of state-form URLs). */
export const STABLE_METHODS = ['GET', 'POST'] as const;

/** The wait node's webhooks, as getWebhookName() reports them. */
export const WEBHOOK_NAMES = { resume: 'default', fail: 'fail', stable: 'stable' } as const;
/** Version 1 of the wait node: the fail URL's path is the node's id plus this (the resume URL's path is the id). */
export const FAIL_PATH_SUFFIX = '-fail';

/**
 * Version 2 of the wait node: its webhook fields are all static, so that n8n evaluates no
 * expression for a call before the node runs (docs/architecture.md, "Wait node versions"). The
 * resume URL is n8n's own `$execution.resumeUrl`, the fail URL has the path `fail`, and the node
 * a URL is for travels in its query (`node=<node id>`), checked by the node.
 */
export const FAIL_PATH_V2 = 'fail';
export const NODE_QUERY_PARAM = 'node';
/** The wait node's current version (what the editor places); version 1 stays for existing workflows. */
export const WAIT_NODE_VERSION = 2;

/** The first wait node version with static webhooks. */
export const FIRST_STATIC_VERSION = 2;
/** Whether a wait node of this typeVersion uses the static layout of version 2. */
export const hasStaticWebhooks = (typeVersion: number | undefined): boolean => (typeVersion ?? 1) >= FIRST_STATIC_VERSION;

/**
 * The query parameter of n8n 2.x's resume token (`?signature=<token>`); on n8n 1.x the URL
 * secret of Generate Callback URL stands in the same place.
 */
export const RESUME_TOKEN_PARAM = 'signature';

/**
 * This package's own headers between the stable URL and a resume URL (targeting/forward.ts says
 * what each carries). Never taken from a caller, never forwarded on, never in the node output.
 */
export const FORWARD_HEADER = 'x-external-callback-forward';
export const OUTCOME_HEADER = 'x-external-callback-outcome';
/** Where an unsigned forward comes from (`<workflow id> <node id>`). */
export const ORIGIN_HEADER = 'x-external-callback-origin';
/** The stable URL asks a resume URL which workflow and node it belongs to (state form). */
export const PROBE_HEADER = 'x-external-callback-probe';
export const PROBE_WORKFLOW_HEADER = 'x-external-callback-workflow';
export const PROBE_NODE_HEADER = 'x-external-callback-node';
/** The correlation key a stable URL call was routed by (URI-encoded): the resume URL checks it again. */
export const KEY_HEADER = 'x-external-callback-key';
export const INTERNAL_HEADERS = [FORWARD_HEADER, ORIGIN_HEADER, PROBE_HEADER, PROBE_WORKFLOW_HEADER, PROBE_NODE_HEADER, OUTCOME_HEADER, KEY_HEADER] as const;

/** Node parameters read outside the description that declares them. */
export const PARAMS = {
	authentication: 'authentication',
	stableUrl: 'stableUrl',
	stateParameter: 'stateParameter',
	repeatedStatus: 'repeatedStatus',
	refusedCalls: 'refusedCalls',
	waitNode: 'waitNode',
	confirmInBrowser: 'confirmInBrowser',
	correlationKey: 'correlationKey',
	keyFromCall: 'keyFromCall',
} as const;

/** The stable URL's query parameter naming a correlation key (only with a Correlation Key set). */
export const KEY_QUERY_PARAM = 'key';

/** An execution id as n8n makes them (sequential digits, or ids of other databases). */
export const EXECUTION_ID = '[0-9A-Za-z_-]{1,64}';
export const EXECUTION_ID_PATTERN = new RegExp(`^${EXECUTION_ID}$`);

/** "a, b" or one per line → ['a', 'b'] (keys, roles, algorithms). */
export function parseList(text: unknown): string[] {
	return (text === undefined || text === null ? '' : String(text))
		.split(/[\n,]/)
		.map((s) => s.trim())
		.filter(Boolean);
}
