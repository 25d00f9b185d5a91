/* eslint-disable @n8n/community-nodes/no-restricted-imports -- types of a script that runs on Node (benchmark, e2e harness), never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
// Types of scripts/lib/http.js (the one keep-alive HTTP client of the scripts and the e2e harness).
import type { Agent, IncomingHttpHeaders } from 'node:http';

import type { InstanceInfo } from './n8n';

export interface RawResponse {
	status: number;
	/** node's headers object: lower-case names, set-cookie as an array */
	headers: IncomingHttpHeaders;
	text: string;
	/** request sent → last byte received */
	ms: number;
}

export interface RequestOptions {
	headers?: Record<string, string>;
	/** a string or Buffer as is; anything else as JSON */
	body?: unknown;
	/** default 120 000 */
	timeoutMs?: number;
}

export function request(method: string, url: string, options?: RequestOptions): Promise<RawResponse>;
export function parseJson(text: string): unknown;
export function apiRequest(info: Pick<InstanceInfo, 'baseUrl' | 'apiKey'>, method: string, apiPath: string, body?: unknown): Promise<unknown>;
export function listExecutions(
	info: Pick<InstanceInfo, 'baseUrl' | 'apiKey'>,
	workflowId: string | number,
	options?: {
		status?: string;
		includeData?: boolean;
		deadline?: number;
		maxPages?: number;
		onPage?: (page: { ms: number; bytes: number }) => void;
	},
): Promise<unknown[]>;
export function closeIdle(): void;
export const agent: Agent;
