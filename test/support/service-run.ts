import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_DEFAULTS } from './test-app';
import { waitFor } from './wait-for';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** How a run of the service ended: exit code (or signal) and when, in ms since the run began. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

/**
 * One run of the built service (`node dist/main.js`) that may fail at start-up, for tests of what an operator sees:
 * the output as printed and the exit. Unlike ServiceProcess it neither waits for /healthz nor throws on exit.
 * TEST_DEFAULTS apply unless `env` overrides them (an empty string unsets a variable for the service).
 */
export class ServiceRun {
  readonly child: ChildProcess;
  readonly exited: Promise<ServiceExit>;
  private readonly startedAt = Date.now();
  private text = '';

  constructor(env: Record<string, string>) {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build before these tests`);
    this.child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ...TEST_DEFAULTS, HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => (this.text += chunk));
    this.child.stderr!.on('data', (chunk) => (this.text += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() - this.startedAt })),
    );
  }

  /** Everything printed so far (stdout and stderr). */
  get output(): string {
    return this.text;
  }

  /** Waits until the output matches `pattern`; fails with the output so far. */
  async waitForOutput(pattern: RegExp, timeoutMs = 20000): Promise<void> {
    await waitFor(() => pattern.test(this.text) || this.child.exitCode !== null, timeoutMs, `output matching ${pattern}`);
    if (!pattern.test(this.text)) throw new Error(`service exited before printing ${pattern}:\n${this.text}`);
  }

  /** Sends `signal`; resolves with the exit and how long after the signal it came. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ServiceExit & { afterSignalMs: number }> {
    const sentAt = Date.now() - this.startedAt;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const exit = await this.exited;
    return { ...exit, afterSignalMs: exit.atMs - sentAt };
  }

  /** Ends the run whatever its state (for afterEach). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
