import { FakeTencentIm } from '../../test/support/fake-tencent-im';
import { RedisServer } from '../../test/support/redis-server';
import { ServiceProcess } from '../../test/support/service-process';
import { derivedSweepGapMs } from '../../src/config/environment';
import type { SimulationOptions } from './options';

export const SDKAPPID = 1400000000;
/** The callback auth token the simulated IM console and the service share. */
export const CALLBACK_TOKEN = 'simulator-callback-token';
// A throw-away key for the local IM stand-in: it signs nothing outside this process tree.
const IM_KEY = 'simulator-im-key-0123456789abcdef0123456789abcdef';

/** The local pieces a simulation runs against: Redis, the built service, and the viewers' IM. */
export interface Stack {
  redis: RedisServer;
  viewers: FakeTencentIm;
  service: ServiceProcess;
  stop(): Promise<void>;
}

export async function startStack(options: SimulationOptions): Promise<Stack> {
  // Killed and restarted in quality mode: with every write on disk, a restart loses nothing (AOF always).
  const redis = await RedisServer.start(['--appendfsync', 'always']);
  const timings = {
    SUSPECT_AFTER_MS: options.suspectMs,
    HEARTBEAT_INTERVAL_MS: options.intervalMs,
    HEARTBEAT_TIMEOUT_MS: options.timeoutMs,
    TIMEOUT_MIN_MS: options.timeoutMs,
    SWEEP_INTERVAL_MS: 200,
  };
  const viewers = await FakeTencentIm.start(SDKAPPID, IM_KEY);
  let service: ServiceProcess;
  try {
    service = await ServiceProcess.start({
      REDIS_URL: redis.url,
      // Keys of its own: a service of another run whose Redis had this port may still be reconnecting to it.
      REDIS_KEY_PREFIX: `sim${process.pid}x${redis.port}`,
      NOTIFIERS: 'tencent-im',
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: IM_KEY,
      TENCENT_IM_BASE_URL: viewers.url,
      TENCENT_IM_TIMEOUT_MS: '3100',
      HEARTBEAT_TIMEOUT_MS: String(options.timeoutMs),
      SUSPECT_AFTER_MS: String(options.suspectMs),
      HEARTBEAT_INTERVAL_MS: String(options.intervalMs),
      TIMEOUT_MIN_MS: String(options.timeoutMs),
      TIMEOUT_MAX_MS: String(options.timeoutMs * 10),
      SWEEP_INTERVAL_MS: String(timings.SWEEP_INTERVAL_MS),
      // What the service derives by itself (the test defaults set a short one).
      SWEEP_GAP_MS: String(derivedSweepGapMs(timings)),
      TENCENT_IM_CALLBACK_TOKEN: CALLBACK_TOKEN,
      TENCENT_IM_DISCONNECT_GRACE_MS: String(2 * options.intervalMs),
      HEARTBEAT_RATE_PER_SEC: String(Math.max(5, Math.ceil(4000 / options.intervalMs))),
      DASHBOARD_ENABLED: 'true',
      LOG_LEVEL: 'warn',
    });
  } catch (err) {
    await viewers.close();
    await redis.destroy();
    throw err;
  }
  return {
    redis,
    viewers,
    service,
    async stop() {
      await service.stop('SIGTERM');
      await viewers.close();
      await redis.destroy();
    },
  };
}
