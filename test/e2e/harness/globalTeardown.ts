import type { N8nInstance } from './n8n';

export default async function globalTeardown() {
	const instance = (globalThis as any).__ECB_N8N__ as N8nInstance | undefined;
	if (!instance) return;
	await instance.stop();
	if (!process.env.ECB_KEEP_N8N_FOLDER) instance.destroy();
}
