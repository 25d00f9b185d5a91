import { NODE_TYPES, isNodeType } from '../constants';
import { SetupError } from './setupError';

export interface WorkflowNodeLike {
	id?: string;
	name: string;
	type: string;
	typeVersion?: number;
	disabled?: boolean;
	webhookId?: string;
	parameters?: Record<string, unknown>;
}

/** What finding the wait node needs of the running workflow (GenerateCallbackUrl/execute.ts builds it). */
export interface WorkflowView {
	/** The name of the node asking (Generate Callback URL). */
	selfName: string;
	childNodes(name: string): Array<Pick<WorkflowNodeLike, 'name' | 'type' | 'disabled'>>;
	node(name: string): WorkflowNodeLike | null | undefined;
}

export interface WaitNodeInfo {
	name: string;
	id: string;
	/** 1 or 2: the layout of its resume URLs (urls/resumeUrl.ts). */
	typeVersion: number;
	webhookId?: string;
	parameters: Record<string, unknown>;
}

const NAME_IT = 'Set "Wait Node" to the name of the External Callback Wait node the URL should resume';

/**
 * Picks the External Callback Wait node a generated URL targets: the one named, or the only
 * one downstream of the current node. Its id is read from the running workflow (n8n's public
 * node API gives child nodes' names and types but not their ids).
 */
export function findWaitNode(workflow: WorkflowView, requested: string): WaitNodeInfo {
	let name = requested;
	if (!name) {
		const downstream = workflow
			.childNodes(workflow.selfName)
			.filter((n) => isNodeType(n.type, NODE_TYPES.wait) && !n.disabled);
		if (downstream.length !== 1) {
			throw new SetupError(
				downstream.length === 0
					? 'No External Callback Wait node follows this node: connect one or name it in "Wait Node"'
					: `Several External Callback Wait nodes follow this node (${downstream
							.map((n) => `"${n.name}"`)
							.join(', ')}): name the one to resume in "Wait Node"`,
				downstream.length === 0 ? `Connect an External Callback Wait node after this one, or ${NAME_IT.toLowerCase()}` : NAME_IT,
			);
		}
		name = downstream[0].name;
	}
	const node = workflow.node(name);
	if (!node) throw new SetupError(`There is no node named "${name}" in this workflow`, `${NAME_IT} (names are case-sensitive)`);
	if (!isNodeType(node.type, NODE_TYPES.wait)) {
		throw new SetupError(`Node "${name}" is not an External Callback Wait node`, NAME_IT);
	}
	if (!node.id) throw new SetupError(`Node "${name}" has no id; save the workflow and try again`, 'Save the workflow, then run it again');
	return { name: node.name, id: node.id, typeVersion: node.typeVersion ?? 1, webhookId: node.webhookId, parameters: node.parameters ?? {} };
}
