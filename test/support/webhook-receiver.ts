import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** The secret tests configure (WEBHOOK_SECRET): `whsec_` + base64 of 32 bytes, as Standard Webhooks asks. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789ab').toString('base64')}`;

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  at: number;
  /** Why the reference library refused its signature, or null when it verified. */
  verificationError: string | null;
  /** The status it was answered. */
  answeredWith: number;
}

/**
 * A local business backend: verifies every POST as a receiver following the docs does, with the Standard
 * Webhooks reference library (`standardwebhooks`), answering 401 when it fails; records every request; and
 * answers with the statuses it was told to (one per request, in order; then 200), optionally after a delay.
 * close() fails the test when any request did not verify, unless `allowUnverified` was set.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private scripted: number[] = [];
  delayMs = 0;
  /**
   * Decides the answer to a verified request by its event (before the scripted statuses): a status, or a status
   * with headers (e.g. a redirect's Location); undefined leaves it to the script. Outages and refusals of one event.
   */
  respondTo: ((event: any) => number | { status: number; headers?: Record<string, string> } | undefined) | null = null;
  /** Set by a test that sends unverifiable requests on purpose. */
  allowUnverified = false;
  /** Answered to each request that verified (JSON), for tests that read the body excerpt. */
  answerBody = '{}';
  private server: Server;
  private verifier: Webhook;

  /** @param secret the secret the receiver verifies with (the tests' WEBHOOK_SECRET by default) */
  static async start(options: { secret?: string } = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.verifier = new Webhook(options.secret ?? WEBHOOK_SECRET);
    receiver.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const verificationError = receiver.verify(body, req.headers);
        const request: ReceivedRequest = {
          headers: req.headers,
          body,
          json: safeParse(body),
          at: Date.now(),
          verificationError,
          answeredWith: 0,
        };
        receiver.requests.push(request);
        const decided = verificationError ? undefined : receiver.respondTo?.(safeParse(body));
        const { status, headers } =
          typeof decided === 'number' ? { status: decided, headers: {} } : (decided ?? { status: undefined, headers: {} });
        const answered = verificationError ? 401 : (status ?? receiver.scripted.shift() ?? 200);
        const answer = verificationError ? JSON.stringify({ error: verificationError }) : receiver.answerBody;
        request.answeredWith = answered;
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(answered, { 'content-type': 'application/json', ...headers }).end(answer);
        }, receiver.delayMs);
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

  /**
   * events(), each event once: what a receiver that de-duplicates on `webhook-id` (as the docs tell it to) acts
   * on. Delivery is at least once, so a request that timed out on a busy machine may arrive again.
   */
  distinctEvents(filter: { type?: string; roomId?: string } = {}): any[] {
    const byId = new Map<string, any>();
    for (const event of this.events(filter)) if (!byId.has(event.id)) byId.set(event.id, event);
    return [...byId.values()];
  }

  /** Requests the reference library refused. */
  get unverified(): ReceivedRequest[] {
    return this.requests.filter((r) => r.verificationError !== null);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const failed = this.unverified;
    if (failed.length > 0 && !this.allowUnverified)
      throw new Error(`${failed.length} webhook(s) failed Standard Webhooks verification, first: ${failed[0].verificationError}`);
  }

  private verify(body: string, headers: IncomingMessage['headers']): string | null {
    try {
      this.verifier.verify(body, headers as Record<string, string>);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }
}

function safeParse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}
