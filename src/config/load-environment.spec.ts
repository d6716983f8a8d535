import { ConfigurationError, derivedSettings, environmentVariableNames, loadEnvironment } from './load-environment';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', AUTH_MODE: 'none' };

describe('loadEnvironment', () => {
  it('applies the documented defaults', () => {
    const env = loadEnvironment(base);
    expect(env).toMatchObject({
      PORT: 8080,
      HEARTBEAT_TIMEOUT_MS: 20000,
      SUSPECT_AFTER_MS: 10000,
      SWEEP_INTERVAL_MS: 1000,
      NOTIFIERS: ['log'],
    });
  });

  it('parses numbers and lists', () => {
    const env = loadEnvironment({
      ...base,
      PORT: '9000',
      NOTIFIERS: 'log, webhook',
      WEBHOOK_URLS: 'http://a/x,https://b/y',
      WEBHOOK_SECRET: `whsec_${Buffer.alloc(24).toString('base64')}`,
    });
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
    [{ HEARTBEAT_TIMEOUT_MS: '400000', TIMEOUT_MAX_MS: '300000' }, /HEARTBEAT_TIMEOUT_MS .*TIMEOUT_MAX_MS/],
  ])('refuses %j with one line naming the variable', (override, message) => {
    expect(() => loadEnvironment({ ...base, ...override })).toThrow(message);
    try {
      loadEnvironment({ ...base, ...override });
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('refuses a timing beyond a day, naming the variable, instead of answering heartbeats with a deadline that overflows', () => {
    expect(() => loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '99999999999999999999' })).toThrow(/HEARTBEAT_TIMEOUT_MS/);
    expect(() => loadEnvironment({ ...base, TIMEOUT_MAX_MS: '86400001' })).toThrow(/TIMEOUT_MAX_MS/);
    expect(loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '86400000' }).HEARTBEAT_TIMEOUT_MS).toBe(86400000);
  });

  it('never echoes a secret', () => {
    expect(() => loadEnvironment({ ...base, ADMIN_TOKEN: 'short-secret' })).toThrow(/ADMIN_TOKEN .*value hidden/);
    expect(() => loadEnvironment({ ...base, ADMIN_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('requires the Tencent IM app and key only when the tencent-im notifier is on, and hides the key', () => {
    expect(loadEnvironment(base).TENCENT_IM_ADMIN).toBe('administrator');
    const im = { ...base, NOTIFIERS: 'tencent-im', TENCENT_IM_SDKAPPID: '1400000000', TENCENT_IM_SECRET_KEY: 'k'.repeat(64) };
    expect(loadEnvironment(im)).toMatchObject({
      TENCENT_IM_SDKAPPID: 1400000000,
      TENCENT_IM_BASE_URL: 'https://console.tim.qq.com',
      TENCENT_IM_RATE_PER_SEC: 200,
      TENCENT_IM_EVENTS: ['ended', 'interrupted', 'resumed', 'replaced'],
    });
    expect(() => loadEnvironment({ ...im, TENCENT_IM_SDKAPPID: '' })).toThrow(/TENCENT_IM_SDKAPPID .*not set/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_SECRET_KEY: 'short-key' })).toThrow(/TENCENT_IM_SECRET_KEY .*value hidden/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_SECRET_KEY: 'short-key' })).not.toThrow(/short-key/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_TIMEOUT_MS: '3000' })).toThrow(/TENCENT_IM_TIMEOUT_MS/);
    expect(() => loadEnvironment({ ...im, TENCENT_IM_EVENTS: 'ended,started' })).toThrow(/TENCENT_IM_EVENTS/);
    expect(() => loadEnvironment({ ...base, TENCENT_IM_CALLBACK_TOKEN: 'x'.repeat(200) })).toThrow(
      /TENCENT_IM_CALLBACK_TOKEN .*value hidden/,
    );
  });

  it('lists every variable it reads', () => {
    expect(environmentVariableNames()).toEqual(
      expect.arrayContaining(['PORT', 'REDIS_URL', 'REDIS_NODES', 'WEBHOOK_SECRET', 'ADMIN_TOKEN']),
    );
  });

  describe('booleans (issue 14: GUARD_ENABLED=1 turned the guard off without a word)', () => {
    it.each(['true', 'True', 'TRUE', '1', 'yes', 'Yes', 'on', 'ON'])('takes %s as true', (spelling) => {
      const env = loadEnvironment({ ...base, GUARD_ENABLED: spelling, DASHBOARD_ENABLED: spelling });
      expect(env.GUARD_ENABLED).toBe(true);
      expect(env.DASHBOARD_ENABLED).toBe(true);
    });

    it.each(['false', 'False', '0', 'no', 'NO', 'off', 'Off'])('takes %s as false', (spelling) => {
      const env = loadEnvironment({ ...base, GUARD_ENABLED: spelling, DASHBOARD_ENABLED: spelling });
      expect(env.GUARD_ENABLED).toBe(false);
      expect(env.DASHBOARD_ENABLED).toBe(false);
    });

    it.each(['enabled', 'y', '2', 'tru'])('refuses %s, naming the variable and the accepted spellings', (spelling) => {
      expect(() => loadEnvironment({ ...base, GUARD_ENABLED: spelling })).toThrow(
        new RegExp(`GUARD_ENABLED must be true or false \\(1/0, yes/no and on/off .*got "${spelling}"`),
      );
    });
  });

  describe('messages say what was expected (issue 14)', () => {
    it.each([
      [{ HEARTBEAT_TIMEOUT_MS: 'abc' }, 'HEARTBEAT_TIMEOUT_MS must be an integer (got "abc")'],
      [{ PORT: 'abc' }, 'PORT must be an integer (got "abc")'],
      [{ PORT: '1e3' }, 'PORT must be an integer (got "1e3")'],
      [{ PORT: '0x50' }, 'PORT must be an integer (got "0x50")'],
      [{ PORT: '70000' }, 'PORT must be at most 65535 (got "70000")'],
      [{ GUARD_MAX_SHARE: 'half' }, 'GUARD_MAX_SHARE must be a number (got "half")'],
      [{ NOTIFIERS: 'slack' }, 'NOTIFIERS must list only values among: log, webhook, tencent-im (got "slack")'],
      [{ REDIS_MODE: 'single' }, 'REDIS_MODE must be one of: standalone, sentinel, cluster (got "single")'],
      [{ REDIS_URL: 'http://x' }, 'REDIS_URL must be a redis:// or rediss:// URL (value hidden)'],
      [{ REDIS_URL: '' }, 'REDIS_URL is not set: it must be a redis:// or rediss:// URL'],
    ])('%j: %s', (override, message) => {
      expect(() => loadEnvironment({ ...base, ...override })).toThrow(`Invalid configuration: ${message}`);
    });

    it('reports every invalid variable in one message', () => {
      let error: ConfigurationError | undefined;
      try {
        loadEnvironment({
          REDIS_URL: 'redis://127.0.0.1:6379',
          PORT: 'abc',
          HEARTBEAT_TIMEOUT_MS: 'abc',
          GUARD_ENABLED: 'maybe',
          NOTIFIERS: 'slack',
        });
      } catch (err) {
        error = err as ConfigurationError;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error!.problems).toEqual([
        'PORT must be an integer (got "abc")',
        'HEARTBEAT_TIMEOUT_MS must be an integer (got "abc")',
        expect.stringMatching(/^GUARD_ENABLED must be true or false/),
        'NOTIFIERS must list only values among: log, webhook, tencent-im (got "slack")',
        'AUTH_MODE is not set: it must be one of: jwt, none',
      ]);
      expect(error!.message).not.toContain('\n');
    });
  });

  describe('settings derived from others (issue 14: HEARTBEAT_TIMEOUT_MS=3000 took five start attempts)', () => {
    it('HEARTBEAT_TIMEOUT_MS alone moves the suspect point, beat interval, timeout bounds and rate limit', () => {
      const env = loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '3000' });
      expect(env).toMatchObject({
        HEARTBEAT_TIMEOUT_MS: 3000,
        SUSPECT_AFTER_MS: 1500,
        HEARTBEAT_INTERVAL_MS: 750,
        TIMEOUT_MIN_MS: 3000,
        TIMEOUT_MAX_MS: 300000,
        HEARTBEAT_RATE_PER_SEC: 5,
      });
      expect(derivedSettings(env)).toEqual(
        expect.arrayContaining([
          'SUSPECT_AFTER_MS=1500 (half of HEARTBEAT_TIMEOUT_MS)',
          'HEARTBEAT_INTERVAL_MS=750 (a quarter of HEARTBEAT_TIMEOUT_MS)',
        ]),
      );
      const long = loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '600000' });
      expect(long).toMatchObject({ SUSPECT_AFTER_MS: 300000, HEARTBEAT_INTERVAL_MS: 150000, TIMEOUT_MIN_MS: 5000, TIMEOUT_MAX_MS: 600000 });
    });

    it('the defaults are what the derivations give from the default timeout', () => {
      expect(loadEnvironment(base)).toMatchObject({
        SUSPECT_AFTER_MS: 10000,
        HEARTBEAT_INTERVAL_MS: 5000,
        TIMEOUT_MIN_MS: 5000,
        TIMEOUT_MAX_MS: 300000,
        HEARTBEAT_RATE_PER_SEC: 5,
        SWEEP_GAP_MS: 2000,
        DELIVERY_BACKOFF_MAX_MS: 10000,
        DELIVERY_CLAIM_IDLE_MS: 30000,
        HTTP_HEADERS_TIMEOUT_MS: 5000,
      });
    });

    it('a rate limit that short rooms need raised is raised with them', () => {
      const env = loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '1000', TIMEOUT_MIN_MS: '200' });
      // The shortest room beats every 250 × 200 / 1000 = 50 ms: 20 a second, so the limit is 40.
      expect(env.HEARTBEAT_RATE_PER_SEC).toBe(40);
      expect(derivedSettings(env)).toContain(
        'HEARTBEAT_RATE_PER_SEC=40 (5, or twice the beat rate asked of a room with TIMEOUT_MIN_MS if that is more)',
      );
    });

    it('an explicit value wins, and a relation it breaks names the derived side as derived', () => {
      expect(loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '3000', SUSPECT_AFTER_MS: '2000' }).SUSPECT_AFTER_MS).toBe(2000);
      expect(() => loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '3000', HEARTBEAT_INTERVAL_MS: '2000' })).toThrow(
        'HEARTBEAT_INTERVAL_MS (2000) must be less than SUSPECT_AFTER_MS (1500, derived: half of HEARTBEAT_TIMEOUT_MS)',
      );
      expect(() => loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '3000', HEARTBEAT_RATE_PER_SEC: '1', TIMEOUT_MIN_MS: '1000' })).toThrow(
        /HEARTBEAT_RATE_PER_SEC \(1\) must be at least 8: twice the beat rate asked of a room with TIMEOUT_MIN_MS \(1000\)/,
      );
    });

    it('other timings follow their base too', () => {
      expect(loadEnvironment({ ...base, SWEEP_INTERVAL_MS: '3000' }).SWEEP_GAP_MS).toBe(6000);
      expect(loadEnvironment({ ...base, DELIVERY_BACKOFF_MS: '20000' })).toMatchObject({
        DELIVERY_BACKOFF_MAX_MS: 20000,
        DELIVERY_CLAIM_IDLE_MS: 40000,
      });
      expect(loadEnvironment({ ...base, HTTP_REQUEST_TIMEOUT_MS: '2000' }).HTTP_HEADERS_TIMEOUT_MS).toBe(2000);
    });

    it('SWEEP_GAP_MS lets the shortest room ride out an outage it does not notice, and never exceeds the suspect point', () => {
      // Shortest room (TIMEOUT_MIN_MS 5 s of 20 s): suspect 2.5 s, a beat every 1.25 s, so an outage over 1.25 s must
      // count as ours; two sweep intervals (2 s) is the least a gap can be told from a normal pause between sweeps.
      expect(loadEnvironment(base).SWEEP_GAP_MS).toBe(2000);
      expect(loadEnvironment({ ...base, TIMEOUT_MIN_MS: '20000' }).SWEEP_GAP_MS).toBe(5000);
      expect(loadEnvironment({ ...base, SWEEP_INTERVAL_MS: '200', TIMEOUT_MIN_MS: '10000' }).SWEEP_GAP_MS).toBe(2500);
      // A suspect point under two sweep intervals: the gap is the suspect point.
      expect(loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '3000', TIMEOUT_MIN_MS: '3000' }).SWEEP_GAP_MS).toBe(1500);
      expect(loadEnvironment({ ...base, SWEEP_GAP_MS: '10000' }).SWEEP_GAP_MS).toBe(10000);
      expect(() => loadEnvironment({ ...base, SWEEP_GAP_MS: '12000' })).toThrow(
        /SWEEP_GAP_MS \(12000\) must not exceed SUSPECT_AFTER_MS \(10000, derived: half of HEARTBEAT_TIMEOUT_MS\): a shorter outage of ours/,
      );
      expect(() => loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: '2000', TIMEOUT_MIN_MS: '2000', SWEEP_INTERVAL_MS: '1000' })).toThrow(
        /SWEEP_GAP_MS \(1000, derived: .*\) must be at least 1.5 times SWEEP_INTERVAL_MS \(1000\)/,
      );
    });

    it('refuses a disconnect grace the next heartbeat could not beat', () => {
      expect(() => loadEnvironment({ ...base, TENCENT_IM_DISCONNECT_GRACE_MS: '5000' })).toThrow(
        /TENCENT_IM_DISCONNECT_GRACE_MS \(5000\) must exceed HEARTBEAT_INTERVAL_MS \(5000, derived: a quarter of HEARTBEAT_TIMEOUT_MS\)/,
      );
      expect(loadEnvironment({ ...base, TENCENT_IM_DISCONNECT_GRACE_MS: '5001' }).TENCENT_IM_DISCONNECT_GRACE_MS).toBe(5001);
    });

    it('nothing is derived from an invalid source', () => {
      expect(() => loadEnvironment({ ...base, HEARTBEAT_TIMEOUT_MS: 'abc' })).toThrow(
        /^Invalid configuration: HEARTBEAT_TIMEOUT_MS must be an integer \(got "abc"\)$/,
      );
    });
  });
});
