import { createConnection, createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';

/**
 * A TCP proxy that adds `delayMs` to every byte in each direction (so a round trip through it costs 2 · delayMs
 * more), keeping order: what a network farther away does to a Redis client. `delayMs` may change while running.
 */
export class DelayProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server;

  private constructor(
    private readonly targetPort: number,
    public delayMs: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `targetPort` there. */
  static async start(targetPort: number, delayMs: number): Promise<DelayProxy> {
    const proxy = new DelayProxy(targetPort, delayMs);
    proxy.server = createServer((client) => proxy.connect(client));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(client: Socket): void {
    const upstream = createConnection(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => undefined); // the other side closing: handled by 'close'
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards each chunk `delayMs` after it arrived, never before an earlier chunk. */
  private pipe(from: Socket, to: Socket): void {
    let last = 0;
    from.on('data', (chunk) => {
      const at = Math.max(Date.now() + this.delayMs, last);
      last = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
  }
}
