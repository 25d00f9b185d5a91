import { isBot, isPrefetch } from '../../../nodes/callback/pipeline/bots';

/**
 * Real user agents. The bot list is isbot 3.6.13's (what n8n's Webhook node uses for Ignore
 * Bots); every expectation below was also checked against that library itself.
 */
const BOTS: Record<string, string> = {
	'Microsoft Defender Safe Links / Bing preview':
		'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b',
	'Microsoft Teams / Skype link preview':
		'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.79 Safari/537.36 Edge/14.14393 SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
	'Slack link unfurl': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
	'Slack image fetch': 'Slack-ImgProxy (+https://api.slack.com/robots)',
	'Discord preview': 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
	'Facebook / Messenger preview': 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
	'LinkedIn preview': 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
	'X (Twitter) preview': 'Twitterbot/1.0',
	'WhatsApp preview': 'WhatsApp/2.23.20.0 A',
	'Telegram preview': 'TelegramBot (like TwitterBot)',
	'Gmail image proxy': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
	Googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
	Bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
	'Headless Chrome': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.71 Safari/537.36',
	curl: 'curl/8.5.0',
	wget: 'Wget/1.21.4',
	'python-requests': 'python-requests/2.31.0',
	axios: 'axios/1.6.2',
	'Java HttpClient': 'Java-http-client/17.0.9',
	Postman: 'PostmanRuntime/7.36.0',
	'Go HTTP client': 'Go-http-client/1.1',
};

const BROWSERS: Record<string, string> = {
	'Chrome on Windows': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
	'Chrome on Linux': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
	'Chrome on Android': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
	'Edge on Windows':
		'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
	'Firefox on Windows': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
	'Firefox on Linux': 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
	'Safari on macOS': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
	'Safari on iPhone':
		'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
	'Samsung Internet':
		'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
	'Android web view (Google app excluded by isbot)':
		'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/117.0.0.0 Mobile Safari/537.36 GoogleApp/14.38.23.29.arm64',
	'Cubot phone (not "bot")': 'Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Mobile Safari/537.36',
};

describe('isBot: isbot 3.6.13, as n8n\'s Webhook node', () => {
	test.each(Object.entries(BOTS))('%s is a bot', (_name, ua) => {
		expect(isBot(ua)).toBe(true);
	});

	test.each(Object.entries(BROWSERS))('%s is a person', (_name, ua) => {
		expect(isBot(ua)).toBe(false);
	});

	test('no user agent (or an empty one) is not a bot, as in isbot', () => {
		expect(isBot(undefined)).toBe(false);
		expect(isBot('')).toBe(false);
	});

	test('a scanner that sends a browser\'s user agent cannot be told by it (what Confirm in Browser is for)', () => {
		// Proofpoint, Mimecast and Defender's detonation fetch links with ordinary browser user agents.
		expect(isBot(BROWSERS['Chrome on Windows'])).toBe(false);
	});

	test('case does not matter', () => {
		expect(isBot('SLACKBOT-LINKEXPANDING 1.0')).toBe(true);
	});
});

describe('isPrefetch', () => {
	test.each([
		[{ 'sec-purpose': 'prefetch' }],
		[{ 'sec-purpose': 'prefetch;prerender' }],
		[{ 'sec-purpose': 'prefetch; anonymous-client-ip' }],
		[{ purpose: 'prefetch' }],
		[{ 'x-moz': 'prefetch' }],
		[{ 'x-purpose': 'preview' }],
		[{ purpose: ['prefetch'] }],
	])('%j is a prefetch', (headers) => {
		expect(isPrefetch(headers)).toBe(true);
	});

	test.each([[{}], [{ 'sec-purpose': '' }], [{ 'sec-fetch-mode': 'navigate' }], [{ purpose: 'prefetcher' }]])('%j is not', (headers) => {
		expect(isPrefetch(headers)).toBe(false);
	});
});
