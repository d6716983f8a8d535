import { environmentVariableNames, loadEnvironment } from './load-environment';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', AUTH_MODE: 'none' };

describe('loadEnvironment', () => {
  it('applies the documented defaults', () => {
    const env = loadEnvironment(base);
    expect(env).toMatchObject({ PORT: 8080, HEARTBEAT_TIMEOUT_MS: 20000, SUSPECT_AFTER_MS: 10000, SWEEP_INTERVAL_MS: 1000, NOTIFIERS: ['log'] });
  });

  it('parses numbers and lists', () => {
    const env = loadEnvironment({ ...base, PORT: '9000', NOTIFIERS: 'log, webhook', WEBHOOK_URLS: 'http://a/x,https://b/y', WEBHOOK_SECRET: `whsec_${Buffer.alloc(24).toString('base64')}` });
    expect(env.PORT).toBe(9000);
    expect(env.NOTIFIERS).toEqual(['log', 'webhook']);
    expect(env.WEBHOOK_URLS).toEqual(['http://a/x', 'https://b/y']);
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT .*got "abc"/],
    [{ REDIS_URL: '' }, /REDIS_URL .*not set/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
    [{ NOTIFIERS: 'log,pigeon' }, /NOTIFIERS/],
    [{ NOTIFIERS: 'webhook' }, /WEBHOOK_URLS/],
    [{ REDIS_MODE: 'cluster' }, /REDIS_NODES/],
    [{ REDIS_MODE: 'sentinel', REDIS_NODES: 'a:26379' }, /REDIS_SENTINEL_MASTER/],
    [{ SUSPECT_AFTER_MS: '30000' }, /SUSPECT_AFTER_MS .*less than HEARTBEAT_TIMEOUT_MS/],
    [{ HEARTBEAT_TIMEOUT_MS: '400000' }, /HEARTBEAT_TIMEOUT_MS .*TIMEOUT_MAX_MS/],
  ])('refuses %j with one line naming the variable', (override, message) => {
    expect(() => loadEnvironment({ ...base, ...override })).toThrow(message);
    try {
      loadEnvironment({ ...base, ...override });
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('never echoes a secret', () => {
    expect(() => loadEnvironment({ ...base, ADMIN_TOKEN: 'short-secret' })).toThrow(/ADMIN_TOKEN .*value hidden/);
    expect(() => loadEnvironment({ ...base, ADMIN_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('requires the Tencent IM app and key only when the tencent-im notifier is on, and hides the key', () => {
    expect(loadEnvironment(base).TENCENT_IM_ADMIN).toBe('administrator');
    const im = { ...base, NOTIFIERS: 'tencent-im', TENCENT_IM_SDKAPPID: '1400000000', TENCENT_IM_SECRET_KEY: 'k'.repeat(64) };
    expect(loadEnvironment(im)).toMatchObject({
      TENCENT_IM_SDKAPPID: 1400000000, TENCENT_IM_BASE_URL: 'https://console.tim.qq.com', TENCENT_IM_RATE_PER_SEC: 200,
      TENCENT_IM_EVENTS: ['ended', 'interrupted', 'resumed'],
    });
    expect(() => loadEnvironment({ ...im, TENCENT_IM_SDKAPPID: '' })).toThrow(/TENCENT_IM_SDKAPPID .*not set/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_SECRET_KEY: 'short-key' })).toThrow(/TENCENT_IM_SECRET_KEY .*value hidden/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_SECRET_KEY: 'short-key' })).not.toThrow(/short-key/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_TIMEOUT_MS: '3000' })).toThrow(/TENCENT_IM_TIMEOUT_MS/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_EVENTS: 'ended,started' })).toThrow(/TENCENT_IM_EVENTS/);
    expect(() => loadEnvironment({ ...base, TENCENT_IM_CALLBACK_TOKEN: 'x'.repeat(200) })).toThrow(/TENCENT_IM_CALLBACK_TOKEN .*value hidden/);
  });

  it('lists every variable it reads', () => {
    expect(environmentVariableNames()).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'REDIS_NODES', 'WEBHOOK_SECRET', 'ADMIN_TOKEN']));
  });
});
