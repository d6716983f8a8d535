import { loadEnvironment } from './load-environment';
import { CONFIG_SECTIONS, configSection } from './sections';
import { SECRET_VARIABLES } from './environment';

const env = loadEnvironment({
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_MODE: 'none',
  HEARTBEAT_TIMEOUT_MS: '3000',
  ADMIN_TOKEN: 'x'.repeat(20),
});

describe('configuration sections', () => {
  it('give a module its own variables only, derived values included, read-only', () => {
    const rooms = configSection(env, 'rooms');
    expect(Object.keys(rooms).sort()).toEqual([...CONFIG_SECTIONS.rooms].sort());
    expect(rooms).toMatchObject({ HEARTBEAT_TIMEOUT_MS: 3000, SUSPECT_AFTER_MS: 1500, HEARTBEAT_INTERVAL_MS: 750 });
    expect(Object.isFrozen(rooms)).toBe(true);
    expect(configSection(env, 'admin')).toEqual({ ADMIN_TOKEN: 'x'.repeat(20) });
  });

  it('keep each secret inside the sections that need it', () => {
    const holders = (secret: string) =>
      Object.entries(CONFIG_SECTIONS)
        .filter(([, names]) => (names as readonly string[]).includes(secret))
        .map(([s]) => s);
    expect(holders('ADMIN_TOKEN')).toEqual(['admin']);
    expect(holders('AUTH_JWT_SECRET')).toEqual(['auth']);
    expect(holders('WEBHOOK_SECRET')).toEqual(['notify']);
    expect(holders('TENCENT_IM_SECRET_KEY')).toEqual(['notify']);
    expect([...SECRET_VARIABLES].sort()).toEqual([
      'ADMIN_TOKEN',
      'AUTH_JWT_SECRET',
      'REDIS_PASSWORD',
      'REDIS_URL',
      'TENCENT_IM_CALLBACK_TOKEN',
      'TENCENT_IM_SECRET_KEY',
      'WEBHOOK_SECRET',
    ]);
  });
});
