import { HINT_MAX, HINT_TTL_MS, clearHints, dropHint, hintCount, hintedToken, rememberHint } from '../../../nodes/callback/targeting/hints';
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
