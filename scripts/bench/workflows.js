// The benchmark's workflows: ours (Generate Callback URL → External Callback Wait), n8n's Wait
// node, the lean stable-URL workflow and n8n's cheapest production webhook. Pure builders.
'use strict';
const { randomUUID } = require('node:crypto');

const ECW = 'n8n-nodes-external-callback.externalCallbackWait';
const GEN = 'n8n-nodes-external-callback.generateCallbackUrl';

let x = 0;
const pos = () => [(x++ % 8) * 220, 0];
const webhookNode = (responseMode) => ({
	id: randomUUID(),
	name: 'Start',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: pos(),
	webhookId: randomUUID(),
	parameters: { httpMethod: 'POST', path: `bench-${randomUUID()}`, responseMode, options: {} },
});
const respondNode = (urlExpr) => ({
	id: randomUUID(),
	name: 'Hand Out URL',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.1,
	position: pos(),
	parameters: { respondWith: 'json', responseBody: `={{ { url: ${urlExpr}, executionId: $execution.id } }}`, options: {} },
});
const noOp = () => ({ id: randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: pos(), parameters: {} });
/** The wait node's version under test: 2 (what the editor places) unless BENCH_WAIT_VERSION=1. */
const WAIT_VERSION = process.env.BENCH_WAIT_VERSION === '1' ? 1 : 2;
/** A wait node's own resume URL for a waiting execution (as Generate Callback URL builds it). */
const resumeUrlOf = (baseUrl, executionId, waitId, token) =>
	WAIT_VERSION >= 2
		? `${baseUrl}/webhook-waiting/${executionId}?signature=${token}&node=${encodeURIComponent(waitId)}`
		: `${baseUrl}/webhook-waiting/${executionId}/${waitId}?signature=${token}`;
const ecwNode = (parameters = {}, credentials) => ({
	id: randomUUID(),
	name: 'External Callback Wait',
	type: ECW,
	typeVersion: WAIT_VERSION,
	position: pos(),
	webhookId: randomUUID(),
	parameters,
	...(credentials ? { credentials } : {}),
});
function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { name: `bench ${name} ${randomUUID().slice(0, 6)}`, nodes, connections };
}

/** Webhook → Generate Callback URL → Respond (the URL) → External Callback Wait → NoOp. */
function oursWorkflow(name, waitParams = {}, credentials) {
	const wait = ecwNode(waitParams, credentials);
	const gen = { id: randomUUID(), name: 'Generate Callback URL', type: GEN, typeVersion: 1, position: pos(), parameters: {} };
	return { wf: chain(name, [webhookNode('responseNode'), gen, respondNode('$json.callbackUrl'), wait, noOp()]), wait };
}
/** Webhook → Respond ($execution.resumeUrl) → n8n Wait (On Webhook Call) → NoOp. */
function theirsWorkflow(name) {
	const wait = {
		id: randomUUID(),
		name: 'Wait',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: pos(),
		webhookId: randomUUID(),
		parameters: { resume: 'webhook', options: {} },
	};
	return { wf: chain(name, [webhookNode('responseNode'), respondNode('$execution.resumeUrl'), wait, noOp()]), wait };
}
/** Lean: Webhook (reply on receipt) → External Callback Wait with the stable URL. */
function leanWorkflow(name, n8nCred, waitParams = {}) {
	const wait = ecwNode({ stableUrl: true, ...waitParams }, { externalCallbackN8nApi: n8nCred });
	return { wf: chain(name, [webhookNode('onReceived'), wait]), wait };
}

module.exports = { webhookNode, noOp, chain, oursWorkflow, theirsWorkflow, leanWorkflow, resumeUrlOf, WAIT_VERSION };
