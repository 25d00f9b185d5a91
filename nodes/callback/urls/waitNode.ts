import type { IExecuteFunctions } from 'n8n-workflow';

export const WAIT_NODE_TYPE_SUFFIX = '.externalCallbackWait';

interface WorkflowNodeLike {
	id?: string;
	name: string;
	type: string;
	disabled?: boolean;
	webhookId?: string;
	parameters?: Record<string, unknown>;
}

export interface WaitNodeInfo {
	name: string;
	id: string;
	webhookId?: string;
	parameters: Record<string, unknown>;
}

/**
 * Picks the External Callback Wait node a generated URL targets: the one named, or the only
 * one downstream of the current node. Its id is read from the running workflow (n8n's public
 * node API gives child nodes' names and types but not their ids).
 */
export function findWaitNode(ctx: IExecuteFunctions, requested: string): WaitNodeInfo {
	const self = ctx.getNode().name;
	let name = requested;
	if (!name) {
		const downstream = ctx
			.getChildNodes(self)
			.filter((n) => n.type.endsWith(WAIT_NODE_TYPE_SUFFIX) && !n.disabled);
		if (downstream.length !== 1) {
			throw new Error(
				downstream.length === 0
					? 'No External Callback Wait node follows this node: connect one or name it in "Wait Node"'
					: `Several External Callback Wait nodes follow this node (${downstream
							.map((n) => `"${n.name}"`)
							.join(', ')}): name the one to resume in "Wait Node"`,
			);
		}
		name = downstream[0].name;
	}
	const workflow = (ctx as unknown as { workflow?: { getNode(name: string): WorkflowNodeLike | null } })
		.workflow;
	const node = workflow?.getNode(name);
	if (!node) throw new Error(`There is no node named "${name}" in this workflow`);
	if (!node.type.endsWith(WAIT_NODE_TYPE_SUFFIX)) {
		throw new Error(`Node "${name}" is not an External Callback Wait node`);
	}
	if (!node.id) throw new Error(`Node "${name}" has no id; save the workflow and try again`);
	return { name: node.name, id: node.id, webhookId: node.webhookId, parameters: node.parameters ?? {} };
}
