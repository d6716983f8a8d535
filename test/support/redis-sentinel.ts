import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ask, redisServerBin, waitForPing } from './redis-process';
import { RedisServer } from './redis-server';
import { waitFor } from './wait-for';

export const SENTINEL_MASTER = 'led-primary';

/** One `redis-server --sentinel` process with its own (rewritable) config file. */
class SentinelProcess {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'led-sentinel-'));

  constructor(
    readonly port: number,
    private readonly master: string,
  ) {}

  async launch(primaryPort: number): Promise<void> {
    const config = join(this.dir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        `port ${this.port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${this.master} 127.0.0.1 ${primaryPort} 2`,
        // Short timings so a test sees a failover within seconds (a sentinel retries a failover of the same
        // master only after twice the failover-timeout, which the second failover of a test waits out).
        `sentinel down-after-milliseconds ${this.master} 1000`,
        `sentinel failover-timeout ${this.master} 2000`,
        `sentinel parallel-syncs ${this.master} 1`,
        '',
      ].join('\n'),
    );
    this.process = spawn(redisServerBin(), [config, '--sentinel'], { stdio: 'ignore' });
    await waitForPing(this.port);
  }

  async destroy(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A primary, one replica and three sentinels watching them (quorum 2), all real processes on free ports. */
export class RedisSentinelSet {
  private constructor(
    readonly servers: RedisServer[],
    readonly sentinels: SentinelProcess[],
    /** The master name the sentinels watch (REDIS_SENTINEL_MASTER). */
    readonly master: string,
  ) {}

  static async start(master = SENTINEL_MASTER): Promise<RedisSentinelSet> {
    const primary = await RedisServer.start();
    const replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(primary.port)]);
    const sentinels = await Promise.all([0, 1, 2].map(async () => new SentinelProcess(await freePort(), master)));
    const set = new RedisSentinelSet([primary, replica], sentinels, master);
    try {
      await Promise.all(sentinels.map((s) => s.launch(primary.port)));
      // Ready when the replica is in sync and every sentinel knows the replica and the other sentinels.
      await waitFor(
        async () => String(await ask(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
        20000,
        'replica in sync',
      );
      await waitFor(
        async () => {
          const views = await Promise.all(sentinels.map((s) => ask(s.port, 'SENTINEL', 'MASTER', master) as Promise<string[]>));
          return views.every((v) => Number(field(v, 'num-slaves')) >= 1 && Number(field(v, 'num-other-sentinels')) >= 2);
        },
        30000,
        'sentinels discovering each other and the replica',
      );
    } catch (err) {
      await set.destroy();
      throw err;
    }
    return set;
  }

  get env(): Record<string, string> {
    return {
      REDIS_MODE: 'sentinel',
      REDIS_NODES: this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_SENTINEL_MASTER: this.master,
    };
  }

  /** Port of the primary the sentinels currently announce. */
  async primaryPort(): Promise<number> {
    const [, port] = (await ask(this.sentinels[0].port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.master)) as [string, string];
    return Number(port);
  }

  serverOn(port: number): RedisServer {
    const server = this.servers.find((s) => s.port === port);
    if (!server) throw new Error(`no server of this set on port ${port}`);
    return server;
  }

  /** Waits until the sentinels announce a primary other than `oldPort`, and it accepts writes. */
  async waitForNewPrimary(oldPort: number, timeoutMs = 30000): Promise<number> {
    return waitFor(
      async () => {
        const port = await this.primaryPort().catch(() => oldPort);
        if (port === oldPort) return 0;
        const role = String(await ask(port, 'INFO', 'replication').catch(() => ''));
        return role.includes('role:master') ? port : 0;
      },
      timeoutMs,
      'a new primary',
    );
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.sentinels.map((s) => s.destroy()), ...this.servers.map((s) => s.destroy())]);
  }
}

/** Value of `name` in a flat [name, value, name, value, …] reply. */
function field(reply: string[], name: string): string | undefined {
  const at = reply.indexOf(name);
  return at >= 0 ? reply[at + 1] : undefined;
}
