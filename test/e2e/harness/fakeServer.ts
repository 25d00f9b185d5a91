/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest on Node, never inside n8n; these rules guard the code that ships (nodes/, credentials/) */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Recorded {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

/** A small HTTP server on 127.0.0.1 playing an external system (gateway, provider). */
export class FakeServer {
	readonly requests: Recorded[] = [];
	private server?: Server;
	url = '';

	constructor(private readonly handler: (req: Recorded, res: ServerResponse) => void | Promise<void>) {}

	async start(): Promise<string> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const rec: Recorded = {
					method: req.method ?? 'GET',
					url: req.url ?? '/',
					headers: req.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				};
				this.requests.push(rec);
				Promise.resolve(this.handler(rec, res)).catch((e) => {
					res.statusCode = 500;
					res.end(String(e));
				});
			});
		});
		await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
		const { port } = this.server.address() as { port: number };
		this.url = `http://127.0.0.1:${port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((r) => this.server!.close(() => r()));
	}
}
