import {
	TOKENIZED_MAX,
	TOKENIZED_TTL_MS,
	forgetTokenized,
	generatedSecrets,
	givenSignature,
	hasN8nResumeToken,
	isUrlSecret,
	knownTokenized,
	rememberTokenized,
	newUrlSecret,
	secretsOfGenerated,
	urlSecretMatches,
	withUrlSecret,
} from '../../../nodes/callback/urls/urlSecret';
import { decodeState, encodeState, resumeTokenOf } from '../../../nodes/callback/urls/state';

test('a new secret is 256 bits of hex, different every time', () => {
	const a = newUrlSecret();
	const b = newUrlSecret();
	expect(a).toMatch(/^[0-9a-f]{64}$/);
	expect(isUrlSecret(a)).toBe(true);
	expect(a).not.toBe(b);
});

test('matches only the exact secret', () => {
	const s = newUrlSecret();
	expect(urlSecretMatches(s, s)).toBe(true);
	const flipped = s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
	for (const given of [flipped, s.slice(0, -1), `${s}0`, s.toUpperCase(), '', undefined, null, 42, [s], `${s}/x`]) {
		expect(urlSecretMatches(given, s)).toBe(false);
	}
});

test('nothing matches a missing or malformed stored secret (fails closed)', () => {
	for (const stored of [undefined, '', 'abc', 42, null]) {
		expect(urlSecretMatches('abc', stored)).toBe(false);
		expect(urlSecretMatches(undefined, stored)).toBe(false);
		expect(urlSecretMatches('', stored)).toBe(false);
	}
});

test('tells n8n 2.x resume URLs (token) from 1.x ones (none)', () => {
	expect(hasN8nResumeToken(`http://127.0.0.1:5678/webhook-waiting/7?signature=${'a'.repeat(64)}`)).toBe(true);
	expect(hasN8nResumeToken('http://127.0.0.1:5678/webhook-waiting/7')).toBe(false);
	expect(hasN8nResumeToken('http://127.0.0.1:5678/webhook-waiting/7?signature=')).toBe(false);
	expect(hasN8nResumeToken('not a url')).toBe(false);
});

test('a 1.x resume URL with the secret reads like a 2.x one (path form and state form)', () => {
	const s = newUrlSecret();
	const url = withUrlSecret('http://127.0.0.1:5678/webhook-waiting/7', s);
	expect(url).toBe(`http://127.0.0.1:5678/webhook-waiting/7?signature=${s}`);
	expect(resumeTokenOf(url)).toBe(s);
	expect(decodeState(encodeState('7', s))).toEqual({ executionId: '7', resumeToken: s });
});

test('givenSignature reads the token part of the signature parameter', () => {
	expect(givenSignature({ signature: 'abc' })).toBe('abc');
	expect(givenSignature({ signature: 'abc/node-id' })).toBe('abc');
	expect(givenSignature({ signature: ['a', 'b'] })).toBeUndefined();
	expect(givenSignature({ signature: '' })).toBeUndefined();
	expect(givenSignature({})).toBeUndefined();
});

test('secretsOfGenerated reads the secret from path-form URLs and from a state', () => {
	const s = newUrlSecret();
	const base = 'http://127.0.0.1:5678/webhook-waiting/7';
	expect(
		secretsOfGenerated({ callbackUrl: `${base}/n1?signature=${s}&key=k`, failUrl: `${base}/n1-fail?signature=${s}` }),
	).toEqual([s]);
	expect(secretsOfGenerated({ callbackUrl: 'http://h/webhook/w/callback?state=x', state: encodeState('7', s) })).toEqual([s]);
	for (const json of [undefined, null, 'x', {}, { callbackUrl: `${base}/n1` }, { callbackUrl: `${base}/n1?signature=short` }, { callbackUrl: 'not a url' }, { state: 'ecb1.x' }]) {
		expect(secretsOfGenerated(json)).toEqual([]);
	}
});

function ctx(parents: Array<{ name: string; type?: string; disabled?: boolean; waitNode?: string; output?: unknown }>) {
	const byName = new Map(parents.map((p) => [p.name, p]));
	return {
		getNode: () => ({ name: 'Wait' }),
		getParentNodes: () =>
			parents.map((p) => ({
				name: p.name,
				type: p.type ?? 'n8n-nodes-external-callback.generateCallbackUrl',
				disabled: p.disabled,
				parameters: { waitNode: p.waitNode ?? '' },
			})),
		evaluateExpression: (expression: string) => {
			const name = JSON.parse(/\$\(("(?:[^"\\]|\\.)*")\)/.exec(expression)![1]) as string;
			const output = byName.get(name)?.output;
			if (output instanceof Error) throw output;
			return output === undefined ? '' : JSON.stringify(output);
		},
	};
}

test('generatedSecrets: the secrets of the generators that target this wait node, nothing else', () => {
	const [a, b, c, d] = [newUrlSecret(), newUrlSecret(), newUrlSecret(), newUrlSecret()];
	const url = (s: string) => ({ callbackUrl: `http://h/webhook-waiting/7/n?signature=${s}` });
	const secrets = generatedSecrets(
		ctx([
			{ name: 'Gen default', output: url(a) },
			{ name: 'Gen named "Wait"', waitNode: 'Wait', output: url(b) },
			{ name: 'Gen for another wait', waitNode: 'Other Wait', output: url(c) },
			{ name: 'Gen disabled', disabled: true, output: url(d) },
			{ name: 'Not a generator', type: 'n8n-nodes-base.set', output: url(d) },
			{ name: 'Gen not run' },
			{ name: 'Gen failing', output: new Error('boom') },
		]),
	);
	expect(secrets.sort()).toEqual([a, b].sort());
	expect(generatedSecrets(ctx([]))).toEqual([]);
});

describe('the memo of executions n8n gave a resume token', () => {
	beforeEach(() => forgetTokenized());

	test('known for the same workflow and execution only; older than TOKENIZED_TTL_MS: not known', () => {
		rememberTokenized('w1', '7', 1_000);
		expect(knownTokenized('w1', '7', 1_000 + TOKENIZED_TTL_MS - 1)).toBe(true);
		expect(knownTokenized('w2', '7', 1_000)).toBe(false);
		expect(knownTokenized('w1', '8', 1_000)).toBe(false);
		expect(knownTokenized('w1', '7', 1_000 + TOKENIZED_TTL_MS)).toBe(false);
		rememberTokenized('', '9');
		expect(knownTokenized('', '9')).toBe(false);
	});

	test('bounded: at most TOKENIZED_MAX, the oldest go first', () => {
		for (let i = 0; i < TOKENIZED_MAX + 3; i++) rememberTokenized('w1', String(i));
		expect(knownTokenized('w1', '2')).toBe(false);
		expect(knownTokenized('w1', '3')).toBe(true);
		expect(knownTokenized('w1', String(TOKENIZED_MAX + 2))).toBe(true);
	});
});
