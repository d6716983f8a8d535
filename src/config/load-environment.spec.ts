import { environmentVariableNames, loadEnvironment } from './load-environment';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', AUTH_MODE: 'none' };

describe('loadEnvironment', () => {
  it('applies the documented defaults', () => {
    const env = loadEnvironment(base);
    expect(env).toMatchObject({ PORT: 8080, HEARTBEAT_TIMEOUT_MS: 20000, SUSPECT_AFTER_MS: 10000, SWEEP_INTERVAL_MS: 1000, NOTIFIERS: ['log'] });
  });

  it('parses numbers and lists', () => {
    const env = loadEnvironment({ ...base, PORT: '9000', NOTIFIERS: 'log, webhook', WEBHOOK_URLS: 'http://a/x,https://b/y', WEBHOOK_SECRET: 's'.repeat(20) });
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

  it('derives SWEEP_GAP_MS so that the shortest room rides out an unnoticed outage, and refuses one above the suspect point', () => {
    // Shortest room (TIMEOUT_MIN_MS 5 s of 20 s): suspect 2.5 s, beat every 1.25 s, so outages over 1.25 s must count
    // as ours; two sweep intervals (2 s) is the least a gap can be told from a normal sweep.
    expect(loadEnvironment(base).SWEEP_GAP_MS).toBe(2000);
    expect(loadEnvironment({ ...base, TIMEOUT_MIN_MS: '20000' }).SWEEP_GAP_MS).toBe(5000);
    expect(loadEnvironment({ ...base, SWEEP_INTERVAL_MS: '200', TIMEOUT_MIN_MS: '10000' }).SWEEP_GAP_MS).toBe(2500);
    expect(loadEnvironment({ ...base, SWEEP_GAP_MS: '10000' }).SWEEP_GAP_MS).toBe(10000);
    expect(() => loadEnvironment({ ...base, SWEEP_GAP_MS: '12000' })).toThrow(/^Invalid configuration: SWEEP_GAP_MS \(12000\) must not exceed SUSPECT_AFTER_MS \(10000\)/);
    // A suspect point under two sweep intervals: the gap is the suspect point, down to 1.5 sweep intervals.
    expect(loadEnvironment({ ...base, TIMEOUT_MIN_MS: '20000', SUSPECT_AFTER_MS: '1500', HEARTBEAT_INTERVAL_MS: '1000' }).SWEEP_GAP_MS).toBe(1500);
    expect(() => loadEnvironment({ ...base, TIMEOUT_MIN_MS: '20000', SUSPECT_AFTER_MS: '1200', HEARTBEAT_INTERVAL_MS: '1000' })).toThrow(
      /SWEEP_GAP_MS \(1200, derived\) must be at least 1.5 times SWEEP_INTERVAL_MS \(1000\)/,
    );
    expect(() => loadEnvironment({ ...base, SWEEP_GAP_MS: '1500' })).toThrow(/SWEEP_GAP_MS \(1500\) must be at least twice SWEEP_INTERVAL_MS/);
  });

  it('refuses a disconnect grace the next heartbeat could not beat', () => {
    expect(() => loadEnvironment({ ...base, TENCENT_IM_DISCONNECT_GRACE_MS: '5000' })).toThrow(
      /^Invalid configuration: TENCENT_IM_DISCONNECT_GRACE_MS \(5000\) must exceed HEARTBEAT_INTERVAL_MS \(5000\)/,
    );
    expect(loadEnvironment({ ...base, TENCENT_IM_DISCONNECT_GRACE_MS: '5001' }).TENCENT_IM_DISCONNECT_GRACE_MS).toBe(5001);
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
      TENCENT_IM_EVENTS: ['ended', 'interrupted', 'resumed', 'replaced'],
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
