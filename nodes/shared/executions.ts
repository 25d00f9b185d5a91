/**
 * Finding waiting executions through n8n's public API (the database is the source of truth;
 * nothing is kept in memory, so this works with several n8n processes).
 */
export type ApiGet = (path: string) => Promise<{ status: number; body: any }>;

export interface WaitingExecution {
	id: string;
	resumeToken: string;
	startedAt: string;
}

export type ExecutionState =
	| { kind: 'waiting-here'; execution: WaitingExecution }
	| { kind: 'resumed-here' }
	| { kind: 'finished' }
	| { kind: 'running' }
	| { kind: 'not-here' };

export class ApiError extends Error {
	constructor(readonly status: number) {
		super(`n8n API answered ${status}`);
	}
}

function lastNode(e: any): string | undefined {
	return e?.data?.resultData?.lastNodeExecuted;
}

/** Whether this node's run data holds a callback it resumed with. */
function resumedByNode(e: any, nodeName: string): boolean {
	const runs = e?.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.some((run: any) =>
		(run?.data?.main?.[0] ?? []).some((item: any) => item?.json?.timedOut === false && item?.json?.receivedAt),
	);
}

/** resumeToken: n8n 2.x's; '' on n8n 1.x, which has none (the forward is signed instead). */
function toWaiting(e: any): WaitingExecution {
	return { id: String(e.id), resumeToken: String(e.data?.resumeToken ?? ''), startedAt: String(e.startedAt ?? '') };
}

/** Where one execution stands relative to this node of this workflow. */
export async function executionState(get: ApiGet, id: string, workflowId: string, nodeName: string): Promise<ExecutionState> {
	if (!/^[0-9A-Za-z_-]{1,64}$/.test(id)) return { kind: 'not-here' };
	const res = await get(`/api/v1/executions/${encodeURIComponent(id)}?includeData=true`);
	if (res.status === 404) return { kind: 'not-here' };
	if (res.status !== 200) throw new ApiError(res.status);
	const e = res.body;
	if (String(e.workflowId) !== String(workflowId)) return { kind: 'not-here' };
	if (e.status === 'waiting') {
		return lastNode(e) === nodeName ? { kind: 'waiting-here', execution: toWaiting(e) } : { kind: 'not-here' };
	}
	if (e.status === 'running' || e.status === 'new') return resumedByNode(e, nodeName) ? { kind: 'resumed-here' } : { kind: 'running' };
	return resumedByNode(e, nodeName) ? { kind: 'resumed-here' } : e.finished || e.stoppedAt ? { kind: 'finished' } : { kind: 'not-here' };
}

/** Executions of this workflow waiting at this node, oldest first. */
export async function listWaitingHere(get: ApiGet, workflowId: string, nodeName: string, maxPages = 400): Promise<WaitingExecution[]> {
	const out: WaitingExecution[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < maxPages; page++) {
		const q = new URLSearchParams({ status: 'waiting', workflowId: String(workflowId), includeData: 'true', limit: '250' });
		if (cursor) q.set('cursor', cursor);
		const res = await get(`/api/v1/executions?${q.toString()}`);
		if (res.status !== 200) throw new ApiError(res.status);
		for (const e of res.body?.data ?? []) {
			if (lastNode(e) === nodeName) out.push(toWaiting(e));
		}
		cursor = res.body?.nextCursor ?? undefined;
		if (!cursor) break;
	}
	return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || Number(a.id) - Number(b.id));
}
