import { FakeTencentIm } from './fake-tencent-im';
import { ImCallbackSender } from './im-callbacks';
import { RedisServer } from './redis-server';
import { ServiceProcess } from './service-process';
import { WEBHOOK_SECRET, WebhookReceiver } from './webhook-receiver';

const SDKAPPID = 1400000000;
const IM_KEY = 'detection-test-im-key-0123456789abcdef0123456789';
const CALLBACK_TOKEN = 'detection-callback-token';

/**
 * What the detection tests run against, each a real process or server: redis-server (AOF on), the built
 * service (`dist/main.js`, killable and restartable), the viewers' IM (the Tencent IM stand-in, which also
 * checks UserSig and de-duplicates), the business backend (a Standard Webhooks receiver), and IM's
 * callbacks to the service, signed as IM signs them.
 */
export class DetectionStack {
  private constructor(
    readonly redis: RedisServer,
    readonly viewers: FakeTencentIm,
    readonly backend: WebhookReceiver,
    readonly service: ServiceProcess,
    readonly im: ImCallbackSender,
  ) {}

  static async start(env: Record<string, string>, redisArgs: string[] = []): Promise<DetectionStack> {
    const redis = await RedisServer.start(redisArgs);
    const viewers = await FakeTencentIm.start(SDKAPPID, IM_KEY);
    const backend = await WebhookReceiver.start();
    const service = await ServiceProcess.start({
      REDIS_URL: redis.url,
      // Keys of our own: a service of another test run whose Redis was on this port before may reconnect to it.
      REDIS_KEY_PREFIX: `det${process.pid}x${redis.port}`,
      NOTIFIERS: 'tencent-im,webhook',
      WEBHOOK_URLS: backend.url,
      WEBHOOK_SECRET,
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: IM_KEY,
      TENCENT_IM_BASE_URL: viewers.url,
      TENCENT_IM_TIMEOUT_MS: '3100',
      TENCENT_IM_CALLBACK_TOKEN: CALLBACK_TOKEN,
      ...env,
    });
    const im = new ImCallbackSender(() => service.url, String(SDKAPPID), CALLBACK_TOKEN);
    return new DetectionStack(redis, viewers, backend, service, im);
  }

  /** The notices the viewers of `liveId` got, in arrival order: "TYPE" or "TYPE reason". */
  toldViewers(liveId: string): string[] {
    return this.viewers.messages
      .filter((m) => m.data?.liveId === liveId)
      .map((m) => (m.data.reason ? `${m.data.type} ${m.data.reason}` : m.data.type));
  }

  /**
   * toldViewers() in `seq` order, as the documented viewer handler reads them: endings are sent first, so a
   * LIVE_ENDED may arrive before a LIVE_RESUMED that was still waiting for the IM rate.
   */
  toldViewersBySeq(liveId: string): string[] {
    return this.viewers.messages
      .filter((m) => m.data?.liveId === liveId)
      .sort((a, b) => a.data.seq - b.data.seq)
      .map((m) => (m.data.reason ? `${m.data.type} ${m.data.reason}` : m.data.type));
  }

  /** The events the business backend got about `liveId`: "type" or "type reason". */
  toldBackend(liveId: string): string[] {
    return this.backend.requests
      .map((r) => r.json)
      .filter((e) => e?.liveId === liveId)
      .map((e) => (e.reason ? `${e.type} ${e.reason}` : e.type));
  }

  async post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(this.service.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async room(roomId: string): Promise<any> {
    return (await fetch(`${this.service.url}/v1/rooms/${roomId}`)).json();
  }

  async stop(): Promise<void> {
    await this.service.stop('SIGKILL');
    await this.viewers.close();
    await this.backend.close();
    await this.redis.destroy();
  }
}
