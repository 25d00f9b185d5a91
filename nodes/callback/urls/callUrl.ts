/**
 * The public URL of an incoming call, as the sender called it: what signatures over `{url}`
 * (Twilio, generic templates) are computed over. n8n may sit behind proxies, so the URL n8n sees
 * is not it; like every URL this package hands out, it is n8n's public base (WEBHOOK_URL, or a
 * configured base) followed by the path from `/webhook…/` on and the query exactly as received.
 */

/** Where the package's URLs start their own part: `/webhook/`, `/webhook-waiting/`, `/webhook-test/`. */
const WEBHOOK_SEGMENT = /\/webhook[^/]*\//;

/** `received` (a path with query, or an absolute URL) re-based on `base`'s origin and path prefix. */
export function withPublicBase(received: string, base: string): string {
	const target = URL.canParse(base) ? new URL(base) : undefined;
	if (!target || (target.protocol !== 'https:' && target.protocol !== 'http:') || target.search || target.hash) {
		throw new Error('Signature verification: the public base URL must be an http(s) origin with an optional path, e.g. https://hooks.example.com/n8n');
	}
	const pathAndQuery = received.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
	const at = pathAndQuery.search(WEBHOOK_SEGMENT);
	const rest = at >= 0 ? pathAndQuery.slice(at) : pathAndQuery;
	return `${target.origin}${target.pathname.replace(/\/+$/, '')}${rest.startsWith('/') ? rest : `/${rest}`}`;
}

/**
 * The public URL of a call n8n received at `pathAndQuery` (its `originalUrl`), with n8n's public
 * base taken from one of the node's webhook URLs (n8n builds those from WEBHOOK_URL). Without a
 * webhook URL, the Host header (or X-Forwarded-Host/-Proto when a proxy set them) is used.
 */
export function publicCallUrl(
	pathAndQuery: string,
	nodeWebhookUrl: string | undefined,
	headers: Record<string, string | string[] | undefined>,
): string | undefined {
	if (nodeWebhookUrl && URL.canParse(nodeWebhookUrl)) {
		const hook = new URL(nodeWebhookUrl);
		const at = hook.pathname.search(WEBHOOK_SEGMENT);
		return withPublicBase(pathAndQuery, `${hook.origin}${at >= 0 ? hook.pathname.slice(0, at) : ''}`);
	}
	const first = (name: string) => {
		const v = headers[name];
		return (Array.isArray(v) ? v[0] : v)?.split(',')[0].trim() || undefined;
	};
	const host = first('x-forwarded-host') ?? first('host');
	if (!host) return undefined;
	const proto = first('x-forwarded-proto') === 'https' ? 'https' : 'http';
	return URL.canParse(`${proto}://${host}`) ? `${proto}://${host}${pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`}` : undefined;
}
