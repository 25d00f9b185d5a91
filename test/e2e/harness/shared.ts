/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { readFileSync } from 'node:fs';

import { N8nApi } from './client';
import { stateFile } from './globalSetup';
import type { InstanceInfo, N8nInstall } from './n8n';

export interface SharedState {
	install: N8nInstall;
	nodesDir: string;
	tarball: string;
	instance: InstanceInfo;
}

/** The n8n instance globalSetup started, shared by every e2e test file. */
export function shared(): { state: SharedState; api: N8nApi; logTail: (n?: number) => string } {
	const state = JSON.parse(readFileSync(stateFile(), 'utf8')) as SharedState;
	return {
		state,
		api: new N8nApi(state.instance),
		logTail: (n = 80) => readFileSync(state.instance.logFile, 'utf8').split('\n').slice(-n).join('\n'),
	};
}
