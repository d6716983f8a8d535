import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';

/**
 * A TCP proxy in front of a Redis port, for faults that need a network in between: `delayMs` delays every byte
 * in each direction, keeping order (a round trip costs 2 · delayMs more: a Redis farther away; it may change while
 * running); `hold()` stops every byte in both directions (kept in order, not lost) until `release()`, as a
 * congested or partitioned link would; `retarget()` points new connections at another port and drops the current
 * ones, as a failover behind a stable address (a Sentinel-managed VIP, a Kubernetes Service) would.
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private held = false;

  private constructor(
    private readonly server: Server,
    private targetPort: number,
    public delayMs: number,
  ) {
    server.on('connection', (client) => this.pipe(client));
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `targetPort` there, `delayMs` later each way. */
  static async start(targetPort: number, delayMs = 0): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort, delayMs);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops forwarding: connections stay open, bytes wait (in the sockets' buffers) until release(). */
  hold(): void {
    this.held = true;
    for (const [a, b] of this.pairs) {
      a.pause();
      b.pause();
    }
  }

  release(): void {
    this.held = false;
    for (const [a, b] of this.pairs) {
      a.resume();
      b.resume();
    }
  }

  /** New connections go to `targetPort`; current ones are closed (their clients reconnect through the proxy). */
  retarget(targetPort: number): void {
    this.targetPort = targetPort;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.retarget(0);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      let last = 0; // when the previous chunk goes out: a chunk never overtakes an earlier one
      from.on('data', (chunk) => {
        const at = Math.max(Date.now() + this.delayMs, last);
        last = at;
        if (at <= Date.now()) to.write(chunk);
        else setTimeout(() => to.destroyed || to.write(chunk), at - Date.now());
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    for (const socket of pair) {
      socket.setNoDelay(true);
      socket.on('error', end);
      socket.on('close', end);
      if (this.held) socket.pause();
    }
  }
}
