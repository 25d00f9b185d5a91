import { NodeOperationError, WAIT_INDEFINITELY, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { indexWaitingExecution } from '../callback/n8n/n8nApi';
import { generatedExpiry } from '../callback/urls/expiry';
import { hintOf } from '../callback/urls/setupError';
import { hasN8nResumeToken, rememberTokenized } from '../callback/urls/urlSecret';
import { computeWaitTill, type WaitLimit } from '../callback/urls/waitTill';

/** How long a wait outlives the expiry of its callback URL (the window that answers 410). */
const EXPIRY_GRACE_MS = 60_000;

/**
 * Puts the execution to wait. One output: n8n continues a timed-out wait on output 0 with the
 * node's waiting input items, and it links a resumed item to its input only on output 0, so the
 * callback leaves there too. Every item says which it is: `timedOut: false` for a callback,
 * `timedOut: true` for a timeout.
 */
export async function waitExecute(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const limit: WaitLimit = {
		limitWaitTime: ctx.getNodeParameter('limitWaitTime', 0, false) as boolean,
		limitType: ctx.getNodeParameter('limitType', 0, 'afterTimeInterval') as WaitLimit['limitType'],
		resumeAmount: ctx.getNodeParameter('resumeAmount', 0, 1) as number,
		resumeUnit: ctx.getNodeParameter('resumeUnit', 0, 'hours') as WaitLimit['resumeUnit'],
		maxDateAndTime: ctx.getNodeParameter('maxDateAndTime', 0, '') as string,
	};
	let limitAt: Date | undefined;
	try {
		limitAt = computeWaitTill(limit);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			description: hintOf(error, 'Check the "Limit Wait Time" settings of this node'),
		});
	}
	const deadline = waitDeadline(limitAt, generatedExpiry(ctx));
	// n8n's signed resume URL of this execution, for the waiting tooltip (the editor reads it from
	// the run's metadata, as for n8n's Wait node): it shows the callback URL built on it.
	const resumeUrl = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
	ctx.setMetadata({ resumeUrl });
	// n8n gave it a resume token (2.x): this process's webhook() need not read it again
	if (hasN8nResumeToken(resumeUrl)) rememberTokenized(String(ctx.getWorkflow().id ?? ''), String(ctx.getExecutionId()));
	// The stable URL's correlation index (n8n 2.x): this execution's row, before it waits.
	try {
		await indexWaitingExecution(ctx, resumeUrl);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `The stable URL's correlation index could not be written: ${(error as Error).message}`, {
			description: 'Check the node\'s n8n API credential (its key needs the data table scopes) and that n8n\'s API is reachable from n8n',
		});
	}
	const received = [...items];
	if (deadline) markForTimeout(items);
	await ctx.putExecutionToWait(deadline ?? WAIT_INDEFINITELY);
	return [received];
}

/**
 * The earlier of the wait limit and the URL expiry set by Generate Callback URL. The wait ends a
 * minute after the expiry: from the expiry on, calls get 410 from the node (whatever n8n's wait
 * tracker, which polls once a minute, has done yet), and then the timeout path runs.
 */
export function waitDeadline(limitAt: Date | undefined, expiresAt: Date | undefined): Date | undefined {
	const expiryDeadline = expiresAt ? new Date(expiresAt.getTime() + EXPIRY_GRACE_MS) : undefined;
	return [limitAt, expiryDeadline].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
}

/**
 * On timeout n8n passes the waiting node's input items through unchanged (neither execute()
 * nor webhook() runs). These are the items of the execution stack entry that n8n persists with
 * the waiting execution, so marking them here is what a timed-out continuation carries.
 */
function markForTimeout(items: INodeExecutionData[]) {
	for (let i = 0; i < items.length; i++) {
		items[i] = { ...items[i], json: { ...items[i].json, timedOut: true } };
	}
}
