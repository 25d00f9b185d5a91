import { createHmac } from 'node:crypto';

import {
	CONFIRM_FIELDS,
	DEFAULT_BUTTONS,
	PAGE_HEADERS,
	confirmToken,
	confirmedReply,
	escapeHtml,
	humanStage,
	renderConfirmPage,
	renderDonePage,
	tokenMatches,
	type HumanSpec,
} from '../../../nodes/callback/pipeline/human';
import type { IncomingCallback } from '../../../nodes/callback/pipeline/parse';

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test fixture, not a secret
const SECRET = 'a3f1c0de9b8e4f7a8c6d5e4f3a2b1c0d';
const BINDING = '101\ndefault';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function call(method: string, headers: Record<string, string> = {}, body: unknown = {}): IncomingCallback {
	return { method, contentType: method === 'POST' ? 'application/x-www-form-urlencoded' : '', headers: { 'user-agent': CHROME, ...headers }, query: { signature: SECRET }, body };
}

const confirm = (over: Partial<NonNullable<HumanSpec['confirm']>> = {}): HumanSpec => ({
	ignoreBots: false,
	confirm: { title: 'Approve refund?', message: 'Order 1042', buttons: [], secret: SECRET, binding: BINDING, ...over },
});

describe('confirmToken / tokenMatches', () => {
	test('HMAC-SHA256 keyed with the URL secret over the binding, base64url', () => {
		const expected = createHmac('sha256', SECRET).update(`ecb-confirm/v1\n${BINDING}`).digest('base64url');
		expect(confirmToken(SECRET, BINDING)).toBe(expected);
		expect(tokenMatches(expected, SECRET, BINDING)).toBe(true);
	});

	test('bound to the secret, the execution and the webhook', () => {
		const token = confirmToken(SECRET, BINDING);
		expect(tokenMatches(token, `${SECRET}x`, BINDING)).toBe(false);
		expect(tokenMatches(token, SECRET, '102\ndefault')).toBe(false);
		expect(tokenMatches(token, SECRET, '101\nfail')).toBe(false);
		expect(tokenMatches(`${token}x`, SECRET, BINDING)).toBe(false);
		expect(tokenMatches(token.slice(0, -1), SECRET, BINDING)).toBe(false);
	});

	test('fails closed: no secret makes no token, and nothing matches it', () => {
		expect(confirmToken('', BINDING)).toBe('');
		expect(tokenMatches('', '', BINDING)).toBe(false);
		expect(tokenMatches(confirmToken('', BINDING), '', BINDING)).toBe(false);
		expect(tokenMatches(undefined, SECRET, BINDING)).toBe(false);
		expect(tokenMatches(['x'], SECRET, BINDING)).toBe(false);
		expect(tokenMatches('', SECRET, BINDING)).toBe(false);
	});
});

describe('renderConfirmPage', () => {
	const hostile = '<script>alert(1)</script>"\' onmouseover=x `&amp;';

	test('escapes every text: title, message, labels and values', () => {
		const html = renderConfirmPage({
			title: hostile,
			message: hostile,
			buttons: [{ label: hostile, value: hostile }],
			token: 'tok"en',
		});
		expect(html).not.toContain('<script');
		expect(html).not.toContain('" onmouseover');
		expect(html).not.toContain("' onmouseover");
		expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39; onmouseover&#61;x &#96;&#38;amp;');
		expect(html).toContain('value="tok&#34;en"');
		// title, h1, message, label, value: five escaped copies
		expect(html.split('&#60;script&#62;').length - 1).toBe(5);
	});

	test('a form posting to its own URL (no action: the query string stays), one submit button per choice, the token hidden', () => {
		const html = renderConfirmPage({ title: 'T', message: 'M', buttons: DEFAULT_BUTTONS, token: 'abc' });
		expect(html).toMatch(/<form method="post">/);
		expect(html).not.toMatch(/action=/i);
		expect(html).toContain(`<input type="hidden" name="${CONFIRM_FIELDS.token}" value="abc">`);
		expect(html).toContain('<button type="submit" name="choice" value="approve">Approve</button>');
		expect(html).toContain('<button type="submit" name="choice" value="reject">Reject</button>');
	});

	test('self-contained: no script, nothing loaded from elsewhere, inline style only', () => {
		const html = renderConfirmPage({ title: 'T', message: 'M', buttons: DEFAULT_BUTTONS, token: 'abc' });
		expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import|javascript:/i);
		expect(html).toContain('<style>');
		expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
		expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
	});

	test('a button without a label shows its value; no message, no paragraph', () => {
		const html = renderConfirmPage({ title: 'T', message: '', buttons: [{ label: '', value: 'ok' }], token: 'abc' });
		expect(html).toContain('value="ok">ok</button>');
		expect(html).not.toContain('<p>');
	});

	test('escapeHtml: the characters that matter in content and in quoted attributes', () => {
		expect(escapeHtml(`<>&"'\`=`)).toBe('&#60;&#62;&#38;&#34;&#39;&#96;&#61;');
		expect(escapeHtml(undefined)).toBe('');
		expect(escapeHtml('Grüße, 1 + 1')).toBe('Grüße, 1 + 1');
	});

	test('the done page names the choice, escaped', () => {
		const html = renderDonePage('<b>T</b>', { label: '<i>Yes</i>', value: 'yes' });
		expect(html).toContain('&#60;i&#62;Yes&#60;/i&#62;');
		expect(html).not.toContain('<i>');
		expect(html).toContain('You can close this window');
	});
});

describe('humanStage', () => {
	test('off (no spec, or nothing on): every call passes unchanged', () => {
		const c = call('GET', { 'user-agent': 'curl/8.5.0' });
		expect(humanStage(c, undefined)).toEqual({ kind: 'pass', incoming: c });
		expect(humanStage(c, { ignoreBots: false })).toEqual({ kind: 'pass', incoming: c });
	});

	test('Ignore Bots: a bot gets 403 / 1060, a prefetch 403 / 1061, a person passes', () => {
		const spec = { ignoreBots: true };
		const bot = humanStage(call('POST', { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }), spec);
		expect(bot.kind === 'refuse' && [bot.error.status, bot.error.code]).toEqual([403, 1060]);
		const prefetch = humanStage(call('GET', { 'sec-purpose': 'prefetch' }), spec);
		expect(prefetch.kind === 'refuse' && [prefetch.error.status, prefetch.error.code]).toEqual([403, 1061]);
		const person = call('GET');
		expect(humanStage(person, spec)).toEqual({ kind: 'pass', incoming: person });
	});

	test('HEAD and OPTIONS never pass: 204, empty', () => {
		for (const method of ['HEAD', 'OPTIONS']) {
			for (const spec of [{ ignoreBots: true }, confirm()]) {
				const out = humanStage(call(method), spec);
				expect(out).toMatchObject({ kind: 'page', status: 204, body: '' });
			}
		}
	});

	test('Confirm in Browser: GET shows the page with its headers and a token bound to the URL', () => {
		const out = humanStage(call('GET'), confirm());
		if (out.kind !== 'page') throw new Error(out.kind);
		expect(out.status).toBe(200);
		expect(out.headers).toEqual(PAGE_HEADERS);
		expect(out.headers['cache-control']).toBe('no-store');
		expect(out.headers['x-robots-tag']).toBe('noindex, nofollow');
		expect(out.headers['content-security-policy']).toContain("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
		expect(out.headers['x-frame-options']).toBe('DENY');
		expect(out.headers['referrer-policy']).toBe('no-referrer');
		expect(out.body).toContain(`value="${confirmToken(SECRET, BINDING)}"`);
		expect(out.body).toContain('Approve refund?');
		expect(out.body).toContain('value="approve"');
	});

	test('Confirm in Browser: a GET from a browser prefetch or a scanner also only gets the page', () => {
		for (const headers of [{ 'sec-purpose': 'prefetch' }, { 'user-agent': 'Mozilla/5.0 BingPreview/1.0b' }] as Array<Record<string, string>>) {
			expect(humanStage(call('GET', headers), confirm())).toMatchObject({ kind: 'page', status: 200 });
		}
		// with Ignore Bots as well, they are refused
		const both = { ...confirm(), ignoreBots: true };
		expect(humanStage(call('GET', { 'sec-purpose': 'prefetch' }), both)).toMatchObject({ kind: 'refuse' });
	});

	test('Confirm in Browser: the page\'s POST passes with { choice } as the data (token and other fields dropped)', () => {
		const token = confirmToken(SECRET, BINDING);
		const out = humanStage(call('POST', {}, { [CONFIRM_FIELDS.token]: token, choice: 'reject', extra: 'x' }), confirm());
		if (out.kind !== 'pass') throw new Error(out.kind);
		expect(out.confirmed).toEqual({ label: 'Reject', value: 'reject' });
		expect(out.incoming.body).toEqual({ choice: 'reject' });
		expect(out.incoming.contentType).toBe('application/json');
		expect(out.incoming.rawBody?.toString()).toBe('{"choice":"reject"}');
		expect(out.incoming.query).toEqual({ signature: SECRET });
		expect(JSON.stringify(out.incoming.body)).not.toContain(token);
	});

	test('Confirm in Browser: configured buttons are the only choices', () => {
		const spec = confirm({ buttons: [{ label: 'Ship it', value: 'ship' }] });
		const token = confirmToken(SECRET, BINDING);
		expect(humanStage(call('POST', {}, { ecb_token: token, choice: 'ship' }), spec)).toMatchObject({ kind: 'pass', confirmed: { value: 'ship' } });
		const other = humanStage(call('POST', {}, { ecb_token: token, choice: 'approve' }), spec);
		expect(other.kind === 'refuse' && [other.error.status, other.error.code]).toEqual([400, 1063]);
	});

	test('Confirm in Browser: a POST without the token, with a wrong one, or for another URL gets 403 / 1062', () => {
		const forged = [
			{},
			{ choice: 'approve' },
			{ ecb_token: 'guess', choice: 'approve' },
			{ ecb_token: confirmToken(SECRET, '101\nfail'), choice: 'approve' },
			{ ecb_token: confirmToken('other-secret', BINDING), choice: 'approve' },
		];
		for (const body of forged) {
			const out = humanStage(call('POST', {}, body), confirm());
			expect(out.kind === 'refuse' && [out.error.status, out.error.code]).toEqual([403, 1062]);
		}
		// a JSON array or text body is no form either
		expect(humanStage(call('POST', {}, ['x']), confirm())).toMatchObject({ kind: 'refuse' });
		expect(humanStage(call('POST', {}, 'ecb_token=x'), confirm())).toMatchObject({ kind: 'refuse' });
	});

	test('Confirm in Browser without a URL secret: the page shows, but no POST validates (fail closed)', () => {
		const spec = confirm({ secret: '' });
		expect(humanStage(call('GET'), spec)).toMatchObject({ kind: 'page', status: 200 });
		const out = humanStage(call('POST', {}, { ecb_token: '', choice: 'approve' }), spec);
		expect(out.kind === 'refuse' && out.error.code).toBe(1062);
	});

	test('Confirm in Browser: other methods get 405 / 1064 with Allow', () => {
		for (const method of ['PUT', 'PATCH', 'DELETE']) {
			const out = humanStage(call(method), confirm());
			if (out.kind !== 'refuse') throw new Error(out.kind);
			expect([out.error.status, out.error.code]).toEqual([405, 1064]);
			expect(out.headers).toEqual({ allow: 'GET, POST' });
		}
	});
});

describe('confirmedReply', () => {
	const plan = { status: 200, headers: {}, body: '' };
	const chosen = { label: 'Approve', value: 'approve' };

	test('Respond default after a confirmed POST: the done page with the page headers', () => {
		const out = confirmedReply(plan, 'default', confirm(), chosen);
		expect(out.status).toBe(200);
		expect(out.headers).toEqual(PAGE_HEADERS);
		expect(out.body).toContain('<strong>Approve</strong>');
	});

	test('other Respond modes, or no confirmation: the plan as configured', () => {
		const custom = { status: 201, headers: { 'content-type': 'text/plain' }, body: 'ok' };
		expect(confirmedReply(custom, 'custom', confirm(), chosen)).toBe(custom);
		expect(confirmedReply(plan, 'default', confirm(), undefined)).toBe(plan);
		expect(confirmedReply(plan, 'default', { ignoreBots: true }, chosen)).toBe(plan);
		expect(confirmedReply(plan, 'default', undefined, chosen)).toBe(plan);
	});
});
