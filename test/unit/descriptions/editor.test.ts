/**
 * The texts the editor computes from our node descriptions (subtitles, the waiting tooltip),
 * evaluated as the editor evaluates them: n8n-workflow's expression engine,
 * `workflow.expression.getSimpleParameterValue(node, text, 'internal', { $execution })`.
 */
import { Workflow, type IDataObject, type INode, type INodeType, type INodeTypes, type IWorkflowDataProxyAdditionalKeys } from 'n8n-workflow';

import { buildResumeUrl, buildStableUrl } from '../../../nodes/callback/urls/resumeUrl';
import { optionLabelExpression } from '../../../nodes/callback/descriptions/editor';
import { ExternalCallbackTrigger } from '../../../nodes/ExternalCallbackTrigger/ExternalCallbackTrigger.node';
import { ExternalCallbackWait } from '../../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';

const NODE_ID = '3f0c8b1e-5a52-4c1b-9d7e-2a6f4e1c9b70';
const WEBHOOK_ID = '8d2e4f60-1b3a-4c5d-8e9f-0a1b2c3d4e5f';
const TOKEN = 'a'.repeat(64);
const WAITING = 'http://127.0.0.1:5678/webhook-waiting';

/** Evaluates `text` for a node of `type` with `parameters`, as the editor does. */
function inEditor(type: INodeType, text: string, parameters: IDataObject, execution?: { id: string; resumeUrl: string }): string {
	const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) } as unknown as INodeTypes;
	const node: INode = {
		id: NODE_ID,
		name: 'Wait',
		type: `n8n-nodes-external-callback.${type.description.name}`,
		typeVersion: typeof type.description.version === 'number' ? type.description.version : 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		webhookId: WEBHOOK_ID,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additional = execution
		? ({ $execution: { id: execution.id, mode: 'test', resumeUrl: execution.resumeUrl, resumeFormUrl: '' } } as unknown as IWorkflowDataProxyAdditionalKeys)
		: {};
	return String(workflow.expression.getSimpleParameterValue(node, text, 'internal', additional));
}

describe('waiting tooltip of External Callback Wait', () => {
	const wait = new ExternalCallbackWait().getNodeType(1);
	const tooltip = (parameters: IDataObject, resumeUrl: string, id = '42') =>
		inEditor(wait, wait.description.waitingNodeTooltip!, parameters, { id, resumeUrl });

	test("n8n 2.x (the signed resume URL from the run's metadata): the callback and fail URLs of the execution, as links", () => {
		const resumeUrl = `${WAITING}/42?signature=${TOKEN}`;
		const callback = buildResumeUrl(resumeUrl, NODE_ID);
		const fail = buildResumeUrl(resumeUrl, `${NODE_ID}-fail`);
		expect(callback).toBe(`${WAITING}/42/${NODE_ID}?signature=${TOKEN}`);
		const text = tooltip({ stableUrl: false }, resumeUrl);
		expect(text).toBe(
			`Waiting for a call to the callback URL of this execution: <a href="${callback}" target="_blank">${callback}</a>` +
				`<br>Fail URL (resumes with failed: true): <a href="${fail}" target="_blank">${fail}</a>`,
		);
	});

	test('with Stable URL on: also the stable URL with this execution', () => {
		const resumeUrl = `${WAITING}/42?signature=${TOKEN}`;
		const stable = `${buildStableUrl(resumeUrl, WEBHOOK_ID)}?execution=42`;
		expect(stable).toBe(`http://127.0.0.1:5678/webhook/${WEBHOOK_ID}/callback?execution=42`);
		expect(tooltip({ stableUrl: true }, resumeUrl)).toContain(
			`<br>Stable URL (while the workflow is published): <a href="${stable}" target="_blank">${stable}</a>`,
		);
		expect(tooltip({ stableUrl: false }, resumeUrl)).not.toContain('Stable URL');
	});

	test('a path prefix (N8N_PATH, a proxy) stays in both URLs', () => {
		const resumeUrl = `https://hooks.example.com/n8n/webhook-waiting/7?signature=${TOKEN}`;
		const text = tooltip({ stableUrl: true }, resumeUrl, '7');
		expect(text).toContain(`href="${buildResumeUrl(resumeUrl, NODE_ID)}"`);
		expect(text).toContain(`href="${buildStableUrl(resumeUrl, WEBHOOK_ID)}?execution=7"`);
	});

	test('without a resume token (n8n 1.x, or no metadata): no URL that would be refused, but where the URL is', () => {
		const text = tooltip({ stableUrl: false }, `${WAITING}/42`);
		expect(text).toBe(
			'Waiting for a call to the callback URL of this execution: the callbackUrl that a Generate Callback URL node output for it',
		);
		expect(text).not.toContain('http');
		expect(tooltip({ stableUrl: true }, `${WAITING}/42`)).toContain(`/webhook/${WEBHOOK_ID}/callback?execution=42`);
	});

	test('HTML in the URL is escaped', () => {
		expect(tooltip({}, `${WAITING}/42?signature=${TOKEN}&x="<b>`)).not.toMatch(/<b>|"</);
	});
});

describe('waiting tooltip of External Callback Wait version 2', () => {
	const wait = new ExternalCallbackWait().getNodeType(2);
	test('one tooltip for both versions: the node\'s own $nodeVersion picks the layout (the editor may pair a node with the newest version\'s description)', () => {
		expect(wait.description.waitingNodeTooltip).toBe(new ExternalCallbackWait().getNodeType(1).description.waitingNodeTooltip);
		expect(wait.description.waitingNodeTooltip).toContain('$nodeVersion');
	});
	const tooltip = (parameters: IDataObject, resumeUrl: string, id = '42') =>
		inEditor(wait, wait.description.waitingNodeTooltip!, parameters, { id, resumeUrl });

	test('the callback URL is n8n\'s resume URL with node=<node id>, the fail URL at /fail: what Generate Callback URL outputs', () => {
		const resumeUrl = `${WAITING}/42?signature=${TOKEN}`;
		const callback = buildResumeUrl(resumeUrl, NODE_ID, 2);
		const fail = buildResumeUrl(resumeUrl, NODE_ID, 2, true);
		expect(callback).toBe(`${WAITING}/42?signature=${TOKEN}&node=${NODE_ID}`);
		expect(fail).toBe(`${WAITING}/42/fail?signature=${TOKEN}&node=${NODE_ID}`);
		const esc = (u: string) => u.replace(/&/g, '&amp;');
		expect(tooltip({ stableUrl: false }, resumeUrl)).toBe(
			`Waiting for a call to the callback URL of this execution: <a href="${esc(callback)}" target="_blank">${esc(callback)}</a>` +
				`<br>Fail URL (resumes with failed: true): <a href="${esc(fail)}" target="_blank">${esc(fail)}</a>`,
		);
		expect(tooltip({ stableUrl: true }, resumeUrl)).toContain(`/webhook/${WEBHOOK_ID}/callback?execution=42`);
	});
});

describe('subtitles show the labels of the chosen options', () => {
	const wait = new ExternalCallbackWait().getNodeType(1);
	const trigger = new ExternalCallbackTrigger();

	test.each([
		[{}, 'respond: Immediately, 200 With Empty Body'],
		[{ respond: 'default' }, 'respond: Immediately, 200 With Empty Body'],
		[{ respond: 'custom' }, 'respond: Immediately, Custom Response'],
		[{ respond: 'redirect' }, 'respond: Immediately, Redirect'],
		[{ respond: 'responseNode' }, "respond: Using 'Respond to Webhook' Node"],
		[{ respond: 'lastNode' }, 'respond: When Last Node Finishes'],
	])('External Callback Wait %j → %s', (parameters, subtitle) => {
		// The editor fills unset parameters with their defaults before it evaluates the subtitle.
		expect(inEditor(wait, wait.description.subtitle!, { respond: 'default', ...parameters })).toBe(subtitle);
	});

	test.each([
		['none', 'auth: None'],
		['jwt', 'auth: JWT'],
		['apiKey', 'auth: API Key'],
		['signature', 'auth: Webhook Signature'],
		['userLookup', 'auth: User Lookup Endpoint'],
	])('External Callback Trigger with authentication %s → %s', (authentication, subtitle) => {
		expect(inEditor(trigger, trigger.description.subtitle!, { authentication })).toBe(subtitle);
	});

	test('every option of the property has its label; an unknown value shows as it is', () => {
		const property = {
			displayName: 'Mode',
			name: 'mode',
			type: 'options' as const,
			default: 'a',
			options: [
				{ name: 'First "A"', value: 'a' },
				{ name: 'Two', value: 2 },
			],
		};
		const withMode: INodeType = { description: { ...wait.description, properties: [property] } };
		const text = `={{ ${optionLabelExpression(property)} }}`;
		expect(inEditor(withMode, text, { mode: 'a' })).toBe('First "A"');
		expect(inEditor(withMode, text, { mode: 2 })).toBe('Two');
		expect(inEditor(withMode, text, { mode: 'later' })).toBe('later');
	});
});
