import { CALLBACK_METHODS } from '../../../nodes/callback/constants';
import { buildResumeUrl } from '../../../nodes/callback/urls/resumeUrl';

describe('buildResumeUrl, wait node version 2 (static webhooks)', () => {
	it("is n8n's own resume URL with the node id as node=, the fail URL at /fail", () => {
		const n8n = 'https://n8n.example.com/n8n/webhook-waiting/123?signature=abc.DEF-_';
		expect(buildResumeUrl(n8n, 'node-uuid-1', 2)).toBe('https://n8n.example.com/n8n/webhook-waiting/123?signature=abc.DEF-_&node=node-uuid-1');
		expect(buildResumeUrl(n8n, 'node-uuid-1', 2, true)).toBe('https://n8n.example.com/n8n/webhook-waiting/123/fail?signature=abc.DEF-_&node=node-uuid-1');
		expect(buildResumeUrl('http://localhost:5678/webhook-waiting/9/', 'a b&c', 2)).toBe('http://localhost:5678/webhook-waiting/9?node=a+b%26c');
		expect(new URL(buildResumeUrl(n8n, 'a b&c', 2)).searchParams.get('node')).toBe('a b&c');
	});

	it('version 1 (and an unknown version) keeps the node id as path segment', () => {
		expect(buildResumeUrl('https://h.example/webhook-waiting/1?signature=s', 'n', 1, true)).toBe('https://h.example/webhook-waiting/1/n-fail?signature=s');
		expect(buildResumeUrl('https://h.example/webhook-waiting/1?signature=s', 'n')).toBe('https://h.example/webhook-waiting/1/n?signature=s');
	});
});

describe('buildResumeUrl', () => {
	it('appends the node id as a path segment before the query and keeps the signature', () => {
		expect(
			buildResumeUrl('https://n8n.example.com/webhook-waiting/123?signature=abc.DEF-_', 'node-uuid-1'),
		).toBe('https://n8n.example.com/webhook-waiting/123/node-uuid-1?signature=abc.DEF-_');
	});

	it('handles a trailing slash (or several) on the path', () => {
		expect(buildResumeUrl('https://n8n.example.com/webhook-waiting/123/?signature=s', 'n1')).toBe(
			'https://n8n.example.com/webhook-waiting/123/n1?signature=s',
		);
		expect(buildResumeUrl('http://localhost:5678/webhook-waiting/9//', 'n1')).toBe(
			'http://localhost:5678/webhook-waiting/9/n1',
		);
	});

	it('works without a query and keeps port and base path', () => {
		expect(buildResumeUrl('http://localhost:5678/n8n/webhook-waiting/7', 'abc')).toBe(
			'http://localhost:5678/n8n/webhook-waiting/7/abc',
		);
	});

	it('keeps every query parameter', () => {
		const url = new URL(buildResumeUrl('https://h.example/webhook-waiting/1?signature=s&x=1', 'n'));
		expect(url.pathname).toBe('/webhook-waiting/1/n');
		expect(url.searchParams.get('signature')).toBe('s');
		expect(url.searchParams.get('x')).toBe('1');
	});

	it('URL-encodes odd node ids into a single segment', () => {
		const result = buildResumeUrl('https://h.example/webhook-waiting/1?signature=s', 'a b/c?d#e%');
		expect(result).toBe('https://h.example/webhook-waiting/1/a%20b%2Fc%3Fd%23e%25?signature=s');
		const url = new URL(result);
		expect(url.search).toBe('?signature=s');
		expect(url.hash).toBe('');
		expect(decodeURIComponent(url.pathname.split('/').pop()!)).toBe('a b/c?d#e%');
	});

	it('throws for a URL that is not absolute', () => {
		expect(() => buildResumeUrl('/webhook-waiting/1', 'n')).toThrow();
	});

	it('lists the methods a wait node accepts', () => {
		expect([...CALLBACK_METHODS]).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
	});
});

describe('base URL override', () => {
	const { applyBaseUrl, validateBaseUrl, buildStableUrl } = jest.requireActual('../../../nodes/callback/urls/resumeUrl');
	const generated = 'http://127.0.0.1:5678/webhook-waiting/42/node-1?signature=abc';

	test('replaces scheme, host and path prefix, keeps the webhook path and query', () => {
		expect(applyBaseUrl(generated, 'https://hooks.example.com/n8n/')).toBe(
			'https://hooks.example.com/n8n/webhook-waiting/42/node-1?signature=abc',
		);
		expect(applyBaseUrl('http://10.0.0.5:5678/prefix/webhook/abc/callback?state=s', 'https://cb.example.com')).toBe(
			'https://cb.example.com/webhook/abc/callback?state=s',
		);
	});

	test.each(['http://hooks.example.com', 'ftp://x.example.com', 'not a url', 'https://x.example.com/?a=1', 'https://u:p@x.example.com', 'https://x.example.com/#f'])(
		'refuses %j',
		(base) => {
			expect(() => validateBaseUrl(base)).toThrow();
		},
	);

	test.each(['https://x.example.com', 'http://localhost:8080', 'http://127.0.0.1:1', 'http://[::1]:9', 'http://app.localhost'])('accepts %j', (base) => {
		expect(validateBaseUrl(base)).toBeInstanceOf(URL);
	});

	test('the stable URL of a wait node is on the resume URL origin and prefix', () => {
		expect(buildStableUrl('https://n8n.example.com/sub/webhook-waiting/42?signature=abc', 'wh-1')).toBe(
			'https://n8n.example.com/sub/webhook/wh-1/callback',
		);
	});
});
