import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { loadEnvironment } from '../../src/config/load-environment';

/** Short timings so that a crash is detected in well under a second. */
export const FAST_TIMINGS = {
  HEARTBEAT_TIMEOUT_MS: '600',
  SUSPECT_AFTER_MS: '300',
  HEARTBEAT_INTERVAL_MS: '100',
  TIMEOUT_MIN_MS: '200',
  TIMEOUT_MAX_MS: '60000',
  SWEEP_INTERVAL_MS: '50',
  // At most the suspect point (start-up refuses more); a stall of the busy test machine under it is not an outage.
  SWEEP_GAP_MS: '300',
  DELIVERY_POLL_MS: '50',
  DELIVERY_BACKOFF_MS: '50',
  DELIVERY_BACKOFF_MAX_MS: '200',
  // Rooms with TIMEOUT_MIN_MS are asked to beat every ~33 ms; the rate limit must allow that.
  HEARTBEAT_RATE_PER_SEC: '100',
  HEARTBEAT_RATE_BURST: '20',
  LOG_LEVEL: 'error',
  // Tests end many lives at once on purpose; the guard has tests of its own.
  GUARD_MIN_COUNT: '100000',
  // A stall of the busy test machine must not pass for a hung Redis; test/faults/redis-misbehaves sets its own.
  REDIS_COMMAND_TIMEOUT_MS: '2000',
};

/** Existing tests run without anchor tokens; auth tests set AUTH_MODE=jwt themselves. */
export const TEST_DEFAULTS = { ...FAST_TIMINGS, AUTH_MODE: 'none' };

export { WEBHOOK_SECRET } from './webhook-receiver';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Boots the real application (same wiring as main.ts) on a free port with the given environment. */
export async function startTestApp(env: Record<string, string>): Promise<TestApp> {
  const config = loadEnvironment({ ...TEST_DEFAULTS, PORT: '1', ...env });
  const app = await createApp(config);
  // A test that restarts the service on the same address passes PORT; otherwise any free port.
  await app.listen(env.PORT ? config.PORT : 0, '127.0.0.1');
  const url = await app.getUrl();
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url.replace('[::1]', '127.0.0.1') + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  };
  return {
    app,
    url,
    post: (path, body, headers) => call('POST', path, body, headers),
    get: (path, headers) => call('GET', path, undefined, headers),
    close: () => app.close(),
  };
}
