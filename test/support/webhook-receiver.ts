import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  at: number;
}

/**
 * A local business backend: records every POST and answers with the statuses it was told to
 * (one per request, in order; then 200), optionally after a delay.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private scripted: number[] = [];
  delayMs = 0;
  private server: Server;

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        receiver.requests.push({ headers: req.headers, body, json: safeParse(body), at: Date.now() });
        const status = receiver.scripted.shift() ?? 200;
        setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'), receiver.delayMs);
      });
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/live`;
  }

  /** The next requests get these statuses, in order. */
  respondWith(...statuses: number[]): void {
    this.scripted.push(...statuses);
  }

  events(filter: { type?: string; roomId?: string } = {}): any[] {
    return this.requests
      .map((r) => r.json)
      .filter((e) => (!filter.type || e.type === filter.type) && (!filter.roomId || e.roomId === filter.roomId));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function safeParse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}
