import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';
import { redisServerBin, waitForPing } from './redis-process';

/** A real redis-server process on a free port, owned by one test file. */
export class RedisServer {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'led-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The service's connection settings for this server. */
  get env(): Record<string, string> {
    return { REDIS_URL: this.url };
  }

  /** A plain client for assertions on the keys the service leaves behind. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1 });
  }

  /** Keys matching `pattern` (same call as RedisClusterSet.keys, which asks every primary). */
  async keys(pattern: string): Promise<string[]> {
    const client = this.client();
    try {
      return await client.keys(pattern);
    } finally {
      client.disconnect();
    }
  }

  async launch(): Promise<void> {
    this.process = spawn(
      redisServerBin(),
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', ...this.extraArgs],
      { stdio: 'ignore' },
    );
    await waitForPing(this.port);
  }

  /** Kills the server and starts it again with no data (no persistence, a failover to an empty node): same port. */
  async restartEmpty(): Promise<void> {
    await this.stop('SIGKILL');
    for (const entry of readdirSync(this.dir)) rmSync(join(this.dir, entry), { recursive: true, force: true });
    await this.launch();
  }

  /** Sends a signal without waiting: SIGSTOP hangs Redis (connections stay open, nothing answers), SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void {
    this.process?.kill(signal);
  }

  /** Stops the process (SIGKILL simulates a crash; SIGTERM a clean stop). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.process = null;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
