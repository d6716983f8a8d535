import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../test/support/free-port';
import { MAIN, ROOT } from './build';
import { sleep } from './options';

/**
 * A child process serving HTTP (the built service, or the bench's baseline server) on a free port.
 * stdout is dropped (logs cost the same either way; reading them would load the bench process);
 * the tail of stderr is kept for error messages.
 */
export class ChildServer {
  private errors = '';

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stderr!.on('data', (chunk) => (this.errors = (this.errors + chunk).slice(-4000)));
    child.stdout!.on('data', (chunk) => {
      // Keep start-up failures visible: only error lines are of interest.
      const text = String(chunk);
      if (/"level":(50|60)/.test(text)) this.errors = (this.errors + text).slice(-4000);
    });
  }

  /** `node dist/main.js` with `env` (plus PORT/HOST), ready when /healthz answers. */
  static async service(env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildServer> {
    return ChildServer.start([...nodeArgs, MAIN], env);
  }

  /** A TypeScript file run with ts-node (transpile only). */
  static async script(file: string, env: Record<string, string>): Promise<ChildServer> {
    return ChildServer.start(['-r', 'ts-node/register/transpile-only', file], env);
  }

  private static async start(args: string[], env: Record<string, string>): Promise<ChildServer> {
    const port = await freePort();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ChildServer(port, child);
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited at start-up:\n${server.errors}`);
      try {
        if ((await fetch(`${server.url}/healthz`)).ok) return server;
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    child.kill('SIGKILL');
    throw new Error(`${args.join(' ')} did not come up:\n${server.errors}`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** CPU time the process has used so far, user + system, in µs (Linux: /proc/<pid>/stat, 10 ms ticks). */
  cpuMicros(): number {
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10000;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15000): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
