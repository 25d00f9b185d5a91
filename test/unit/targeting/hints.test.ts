import { HINT_MAX, HINT_TTL_MS, clearHints, dropHint, dropKeyHint, hintCount, hintedToken, keyHint, rememberHint, rememberKeyHint } from '../../../nodes/callback/targeting/hints';
import { sealToken } from '../../../nodes/callback/targeting/keyIndex';

const API_KEY = 'k'.repeat(40);
const TOKEN = 'a'.repeat(64);
const at = (executionId: string, o: { workflowId?: string; nodeId?: string; apiKey?: string } = {}) => ({
	workflowId: o.workflowId ?? 'w1',
	nodeId: o.nodeId ?? 'n1',
	executionId,
	apiKey: o.apiKey ?? API_KEY,
});
const remember = (executionId: string, nowMs?: number, token = TOKEN) =>
	rememberHint({ ...at(executionId), seal: sealToken(API_KEY, executionId, token) }, nowMs);

describe('per-process hints for execution=<id> (a hint only: every use is checked at the resume URL)', () => {
	beforeEach(() => clearHints());

	test('a remembered token is found for the same workflow, node, execution and API key only', () => {
		remember('7');
		expect(hintedToken(at('7'))).toBe(TOKEN);
		expect(hintedToken(at('8'))).toBeUndefined();
		expect(hintedToken(at('7', { workflowId: 'w2' }))).toBeUndefined();
		expect(hintedToken(at('7', { nodeId: 'n2' }))).toBeUndefined();
		expect(hintedToken(at('7', { apiKey: 'another key' }))).toBeUndefined();
	});

	test('the token is kept sealed: a seal bound to another execution does not open (and is dropped)', () => {
		rememberHint({ ...at('7'), seal: sealToken(API_KEY, '8', TOKEN) });
		expect(hintCount()).toBe(1);
		expect(hintedToken(at('7'))).toBeUndefined();
		expect(hintCount()).toBe(0);
	});

	test('older than HINT_TTL_MS: gone', () => {
		remember('7', 1_000);
		expect(hintedToken(at('7'), 1_000 + HINT_TTL_MS - 1)).toBe(TOKEN);
		expect(hintedToken(at('7'), 1_000 + HINT_TTL_MS)).toBeUndefined();
		expect(hintCount()).toBe(0);
	});

	test('bounded: at most HINT_MAX, the oldest go first', () => {
		for (let i = 0; i < HINT_MAX + 5; i++) remember(String(i));
		expect(hintCount()).toBe(HINT_MAX);
		expect(hintedToken(at('4'))).toBeUndefined();
		expect(hintedToken(at('5'))).toBe(TOKEN);
		expect(hintedToken(at(String(HINT_MAX + 4)))).toBe(TOKEN);
	});

	test('dropped on request; nothing remembered without an API key or a seal', () => {
		remember('7');
		dropHint(at('7'));
		expect(hintedToken(at('7'))).toBeUndefined();
		rememberHint({ ...at('9', { apiKey: '' }), seal: 'x' });
		rememberHint({ ...at('9'), seal: '' });
		expect(hintCount()).toBe(0);
		expect(hintedToken(at('9', { apiKey: '' }))).toBeUndefined();
	});
});

describe('per-process hints for ?key= (the execution that went to wait alone with its key)', () => {
	beforeEach(() => clearHints());
	const keyAt = (key: string, o: { workflowId?: string; nodeId?: string; apiKey?: string } = {}) => ({
		workflowId: o.workflowId ?? 'w1',
		nodeId: o.nodeId ?? 'n1',
		key,
		apiKey: o.apiKey ?? API_KEY,
	});
	const rememberKey = (key: string, executionId: string, nowMs?: number) =>
		rememberKeyHint({ ...keyAt(key), executionId, seal: sealToken(API_KEY, executionId, TOKEN) }, nowMs);

	test('found for the same workflow, node, key and API key only, with the execution and its token', () => {
		rememberKey('T-101', '7');
		expect(keyHint(keyAt('T-101'))).toEqual({ executionId: '7', resumeToken: TOKEN });
		expect(keyHint(keyAt('T-102'))).toBeUndefined();
		expect(keyHint(keyAt('T-101', { workflowId: 'w2' }))).toBeUndefined();
		expect(keyHint(keyAt('T-101', { nodeId: 'n2' }))).toBeUndefined();
		expect(keyHint(keyAt('T-101', { apiKey: 'another key' }))).toBeUndefined();
	});

	test('two executions remembered alone with one key (they went to wait at once): neither is hinted', () => {
		rememberKey('T-101', '7');
		rememberKey('T-101', '7'); // the same one again (a retried execute()) keeps it
		expect(keyHint(keyAt('T-101'))?.executionId).toBe('7');
		rememberKey('T-101', '8');
		expect(keyHint(keyAt('T-101'))).toBeUndefined();
		expect(hintCount()).toBe(0);
	});

	test('older than HINT_TTL_MS, dropped, or without an API key, seal or key: none', () => {
		rememberKey('T-1', '7', 1_000);
		expect(keyHint(keyAt('T-1'), 1_000 + HINT_TTL_MS - 1)?.executionId).toBe('7');
		expect(keyHint(keyAt('T-1'), 1_000 + HINT_TTL_MS)).toBeUndefined();
		rememberKey('T-2', '8');
		dropKeyHint(keyAt('T-2'));
		expect(keyHint(keyAt('T-2'))).toBeUndefined();
		rememberKeyHint({ ...keyAt('T-3', { apiKey: '' }), executionId: '9', seal: 'x' });
		rememberKeyHint({ ...keyAt('T-3'), executionId: '9', seal: '' });
		rememberKeyHint({ ...keyAt(''), executionId: '9', seal: sealToken(API_KEY, '9', TOKEN) });
		expect(hintCount()).toBe(0);
	});

	test('bounded: at most HINT_MAX keys, the oldest go first', () => {
		for (let i = 0; i < HINT_MAX + 3; i++) rememberKey(`K-${i}`, String(i));
		expect(keyHint(keyAt('K-2'))).toBeUndefined();
		expect(keyHint(keyAt('K-3'))?.executionId).toBe('3');
		expect(hintCount()).toBe(HINT_MAX);
	});
});
