import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port';
import { sleep } from './options';

export interface Received {
  at: number;
  event: any;
}

/** The business backend's webhook endpoint, run by receiver-process.ts; arrivals are collected here. */
export class ForkedReceiver {
  readonly received: Received[] = [];

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: Received) => this.received.push(message));
  }

  static async start(delayMs = 0): Promise<ForkedReceiver> {
    const port = await freePort();
    const child = fork(join(__dirname, 'receiver-process.ts'), [], {
      env: { PATH: process.env.PATH, PORT: String(port), RECEIVER_DELAY_MS: String(delayMs) },
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const receiver = new ForkedReceiver(port, child);
    for (let i = 0; i < 400; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return receiver;
      } catch {
        /* not yet */
      }
      await sleep(50);
    }
    throw new Error('webhook receiver did not start');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/live`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
