import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { headerValue } from '../auth/types';
import { isBot, isPrefetch } from './bots';
import {
	type CallbackError,
	botIgnored,
	confirmChoiceInvalid,
	confirmMethod,
	confirmTokenInvalid,
	prefetchIgnored,
} from './errors';
import type { IncomingCallback } from './parse';
import type { RespondMode, ResponsePlan } from './respond';

/**
 * Stage "human" of the pipeline (before the guards): links meant for people, which machines
 * fetch before the person clicks — mail security scanners (Defender Safe Links, Mimecast,
 * Proofpoint), chat unfurlers (Slack, Teams), browser prefetch.
 * - Ignore Bots: a call whose user agent is a bot (isbot's list, as n8n's Webhook node) or that
 *   is a prefetch is answered 403 (1060, 1061) and nothing happens.
 * - Confirm in Browser (the wait node's resume and fail URLs): a GET shows a small page with the
 *   message and buttons; only the page's POST, carrying a token bound to the URL's secret,
 *   continues (with `{ choice }` as the data); anything else resumes nothing.
 * Plain TypeScript, no n8n objects (n8n/settings.ts reads the settings).
 */

export interface ConfirmButton {
	label: string;
	value: string;
}

export interface ConfirmSpec {
	title: string;
	message: string;
	buttons: ConfirmButton[];
	/**
	 * The URL's secret the page's token is bound to: n8n 2.x's resume token or n8n 1.x's URL
	 * secret (the `signature` query parameter, checked before this stage runs). '' when the call
	 * has none: then no token validates (fail closed).
	 */
	secret: string;
	/** What else the token is bound to (the execution and the webhook: resume or fail URL). */
	binding: string;
}

export interface HumanSpec {
	ignoreBots: boolean;
	confirm?: ConfirmSpec;
}

/** The form fields the page posts. */
export const CONFIRM_FIELDS = { token: 'ecb_token', choice: 'choice' } as const;

/** Without buttons configured, the page offers these two. */
export const DEFAULT_BUTTONS: readonly ConfirmButton[] = [
	{ label: 'Approve', value: 'approve' },
	{ label: 'Reject', value: 'reject' },
];

/** Headers of every page this stage serves: nothing cached, indexed, framed, referred or loaded. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
	'content-type': 'text/html; charset=utf-8',
	'cache-control': 'no-store',
	'x-robots-tag': 'noindex, nofollow',
	'referrer-policy': 'no-referrer',
	'content-security-policy':
		"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	'x-frame-options': 'DENY',
	'x-content-type-options': 'nosniff',
};

export type HumanOutcome =
	/** Continue the pipeline with this call (for a confirmed POST: its data is `{ choice }`). */
	| { kind: 'pass'; incoming: IncomingCallback; confirmed?: ConfirmButton }
	/** Answer with this error; nothing is resumed (never "Fail the Wait": not the caller's data). */
	| { kind: 'refuse'; error: CallbackError; headers?: Record<string, string> }
	/** Answer with this page (or an empty reply); nothing is resumed. `screen`: after the guards admit the caller. */
	| { kind: 'page'; status: number; headers: Record<string, string>; body: string; screen?: boolean };

/** Runs the stage on one call. `spec` undefined (a forward from the stable URL): passes. */
export function humanStage(incoming: IncomingCallback, spec: HumanSpec | undefined): HumanOutcome {
	if (!spec || (!spec.ignoreBots && !spec.confirm)) return { kind: 'pass', incoming };
	const method = incoming.method.toUpperCase();
	// n8n answers these itself (OPTIONS 204, HEAD 404: no webhook has the method); never resume.
	if (method === 'HEAD' || method === 'OPTIONS') return { kind: 'page', status: 204, headers: { ...PAGE_HEADERS }, body: '' };
	if (spec.ignoreBots) {
		if (isBot(headerValue(incoming.headers, 'user-agent'))) return { kind: 'refuse', error: botIgnored() };
		if (isPrefetch(incoming.headers)) return { kind: 'refuse', error: prefetchIgnored() };
	}
	const confirm = spec.confirm;
	if (!confirm) return { kind: 'pass', incoming };
	const buttons = confirm.buttons.length ? confirm.buttons : DEFAULT_BUTTONS;
	if (method === 'GET') {
		const token = confirmToken(confirm.secret, confirm.binding);
		return { kind: 'page', status: 200, headers: { ...PAGE_HEADERS }, body: renderConfirmPage({ ...confirm, buttons, token }), screen: true };
	}
	if (method !== 'POST') return { kind: 'refuse', error: confirmMethod(method), headers: { allow: 'GET, POST' } };
	const form = incoming.body && typeof incoming.body === 'object' && !Array.isArray(incoming.body) ? (incoming.body as Record<string, unknown>) : {};
	if (!tokenMatches(form[CONFIRM_FIELDS.token], confirm.secret, confirm.binding)) return { kind: 'refuse', error: confirmTokenInvalid() };
	const chosen = buttons.find((b) => b.value === form[CONFIRM_FIELDS.choice]);
	if (!chosen) return { kind: 'refuse', error: confirmChoiceInvalid() };
	const data = { [CONFIRM_FIELDS.choice]: chosen.value };
	const json = Buffer.from(JSON.stringify(data), 'utf8');
	return {
		kind: 'pass',
		confirmed: chosen,
		incoming: { ...incoming, contentType: 'application/json', body: data, rawBody: json, contentLength: json.length },
	};
}

/**
 * The page's token: HMAC-SHA256 keyed with the URL's secret over the binding. Only who holds
 * the link (the secret) can make it, so a page elsewhere cannot post for the person, and a
 * scanner that posts to the link without reading its page gets 403. '' without a secret.
 */
export function confirmToken(secret: string, binding: string): string {
	if (!secret) return '';
	return createHmac('sha256', secret).update(`ecb-confirm/v1\n${binding}`).digest('base64url');
}

/** Constant time: compares SHA-256 digests of equal length. False without a secret. */
export function tokenMatches(given: unknown, secret: string, binding: string): boolean {
	const expected = confirmToken(secret, binding);
	if (!expected || typeof given !== 'string' || !given) return false;
	const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
	return String(text ?? '').replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
	'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328}' +
	'main{max-width:32rem;margin:10vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}' +
	'h1{font-size:1.4rem;margin:0 0 1rem}p{margin:0 0 1.5rem;white-space:pre-line;overflow-wrap:anywhere}' +
	'.buttons{display:flex;flex-wrap:wrap;gap:.75rem}' +
	'button{font:inherit;padding:.6rem 1.4rem;border:1px solid #8c959f;border-radius:8px;background:#fff;color:inherit;cursor:pointer}' +
	'button:first-child{background:#1f6feb;border-color:#1f6feb;color:#fff}';

function page(title: string, content: string): string {
	return (
		'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		'<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">' +
		`<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
		`<body><main>${content}</main></body></html>`
	);
}

/**
 * The confirmation page: the title, the message and one submit button per choice in a form
 * that posts to the page's own URL (no action attribute: the query string, with the URL's
 * secret, is kept). No script, inline CSS only, every text escaped.
 */
export function renderConfirmPage(p: { title: string; message: string; buttons: readonly ConfirmButton[]; token: string }): string {
	const buttons = p.buttons
		.map((b) => `<button type="submit" name="${CONFIRM_FIELDS.choice}" value="${escapeHtml(b.value)}">${escapeHtml(b.label || b.value)}</button>`)
		.join('');
	return page(
		p.title,
		`<h1>${escapeHtml(p.title)}</h1>` +
			(p.message ? `<p>${escapeHtml(p.message)}</p>` : '') +
			`<form method="post"><input type="hidden" name="${CONFIRM_FIELDS.token}" value="${escapeHtml(p.token)}">` +
			`<div class="buttons">${buttons}</div></form>`,
	);
}

/** The page after a choice was accepted. */
export function renderDonePage(title: string, chosen: ConfirmButton): string {
	return page(
		title,
		`<h1>${escapeHtml(title)}</h1><p>Your choice: <strong>${escapeHtml(chosen.label || chosen.value)}</strong>. You can close this window.</p>`,
	);
}

/**
 * The reply to a confirmed POST: with Respond "Immediately, 200 With Empty Body" the person
 * gets the done page instead of a blank one; other Respond modes answer as configured.
 */
export function confirmedReply(plan: ResponsePlan, respond: RespondMode, spec: HumanSpec | undefined, chosen: ConfirmButton | undefined): ResponsePlan {
	if (!chosen || !spec?.confirm || respond !== 'default') return plan;
	return { status: 200, headers: { ...PAGE_HEADERS }, body: renderDonePage(spec.confirm.title, chosen) };
}
