import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import type { AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv from 'ajv';
import { FakeTencentIm } from './support/fake-tencent-im';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WEBHOOK_SECRET, WebhookReceiver } from './support/webhook-receiver';

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const ADMIN_TOKEN = 'admin-token-for-the-asyncapi-test';

describe('AsyncAPI event catalogue (asyncapi.yaml)', () => {
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(readFileSync(join(__dirname, '..', 'asyncapi.yaml'), 'utf8'));
    // Not even a hint: the document follows the AsyncAPI ruleset as it stands.
    expect(diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    document = parsed!;
  });

  it('is valid AsyncAPI, with a message for every webhook event type and every viewer notice', () => {
    const names = document
      .messages()
      .all()
      .map((m) => m.name());
    expect(names.sort()).toEqual([
      'LIVE_ENDED',
      'LIVE_INTERRUPTED',
      'LIVE_REPLACED',
      'LIVE_RESUMED',
      'live.ended',
      'live.interrupted',
      'live.resumed',
      'live.started',
      'webhook.test',
    ]);
  });

  describe('describes what the running service sends', () => {
    let redis: RedisServer;
    let im: FakeTencentIm;
    let receiver: WebhookReceiver;
    let svc: TestApp;

    beforeAll(async () => {
      redis = await RedisServer.start();
      im = await FakeTencentIm.start(SDKAPPID, KEY);
      receiver = await WebhookReceiver.start();
      svc = await startTestApp({
        REDIS_URL: redis.url,
        ADMIN_TOKEN,
        NOTIFIERS: 'webhook,tencent-im',
        WEBHOOK_URLS: receiver.url,
        WEBHOOK_SECRET,
        TENCENT_IM_SDKAPPID: String(SDKAPPID),
        TENCENT_IM_SECRET_KEY: KEY,
        TENCENT_IM_BASE_URL: im.url,
        TENCENT_IM_TIMEOUT_MS: '3100',
      });
    });

    afterAll(async () => {
      await svc?.close();
      await receiver?.close();
      await im?.close();
      await redis?.destroy();
    });

    const validator = (name: string, part: 'payload' | 'headers') => {
      const message = document
        .messages()
        .all()
        .find((m) => m.name() === name);
      const schema = part === 'payload' ? message?.payload()?.json() : message?.headers()?.json();
      if (!schema) throw new Error(`asyncapi.yaml has no ${part} for message ${name}`);
      return new Ajv({ strict: false, allErrors: true }).compile(schema);
    };
    const check = (name: string, part: 'payload' | 'headers', value: unknown) => {
      const validate = validator(name, part);
      return validate(value) ? null : `${name} ${part}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(value)}`;
    };

    it('every webhook (headers and body) and every IM notice Data matches its message schema', async () => {
      const beat = (room: string, liveId: string, timeoutMs?: number) =>
        svc.post(`/v1/rooms/${room}/heartbeat`, { liveId, anchorId: 'anchor', timeoutMs });
      // A crash (interrupted, then ended by timeout with a deadline), a resume, a normal end, a superseding start.
      await beat('cat-crash', 'cat-crash-live');
      await beat('cat-resume', 'cat-resume-live', 4000);
      await beat('cat-resume', 'cat-resume-live', 4000);
      await waitFor(async () => (await svc.get('/v1/rooms/cat-resume')).body.state === 'interrupted', 10000, 'an interruption');
      await beat('cat-resume', 'cat-resume-live', 4000);
      await svc.post('/v1/rooms/cat-resume/end', { liveId: 'cat-resume-live', anchorId: 'anchor' });
      await beat('cat-super', 'cat-super-1');
      await beat('cat-super', 'cat-super-2');
      await svc.post('/v1/rooms/cat-super/end', { liveId: 'cat-super-2', anchorId: 'anchor' });
      expect((await svc.post('/v1/admin/webhooks/test', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);

      const types = () => new Set(receiver.requests.map((r) => `${r.json?.type}/${r.json?.reason ?? ''}`));
      await waitFor(
        () =>
          [
            'live.started/',
            'live.interrupted/',
            'live.ended/timeout',
            'live.resumed/',
            'live.ended/normal',
            'live.ended/superseded',
            'webhook.test/',
          ].every((t) => types().has(t)),
        10000,
        `every kind of webhook (got ${[...types()].join(', ')})`,
      );
      await waitFor(
        () => ['LIVE_ENDED', 'LIVE_INTERRUPTED', 'LIVE_RESUMED', 'LIVE_REPLACED'].every((t) => im.messages.some((m) => m.data?.type === t)),
        10000,
        'every kind of notice',
      );

      const faults: string[] = [];
      for (const request of receiver.requests) {
        faults.push(check(request.json.type, 'payload', request.json) ?? '', check(request.json.type, 'headers', request.headers) ?? '');
      }
      for (const message of im.messages) faults.push(check(message.data.type, 'payload', message.data) ?? '');
      expect(faults.filter(Boolean)).toEqual([]);
      expect(receiver.requests.find((r) => r.json.reason === 'timeout')?.json.deadline).toEqual(expect.any(Number));
    });

    it('the schemas are strict enough to refuse what the service does not send', () => {
      expect(
        check('LIVE_ENDED', 'payload', { type: 'LIVE_ENDED', roomId: 'r', liveId: 'l', anchorId: 'a', reason: 'crashed', at: 1, seq: 1 }),
      ).toContain('enum');
      expect(
        check('live.ended', 'payload', {
          id: 'l:2',
          type: 'live.ended',
          seq: 2,
          roomId: 'r',
          liveId: 'l',
          anchorId: 'a',
          groupId: 'r',
          at: 1,
        }),
      ).toContain('reason');
      expect(
        check('live.started', 'headers', { 'webhook-id': 'l:1', 'webhook-timestamp': '1', 'webhook-signature': 'sha256=abc' }),
      ).toContain('pattern');
    });
  });
});
