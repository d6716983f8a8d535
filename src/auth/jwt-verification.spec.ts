import { generateKeyPairSync } from 'node:crypto';
import { loadEnvironment } from '../config/load-environment';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };
const SECRET = 'an-hs256-secret-of-at-least-32-chars!';
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('anchor authentication settings', () => {
  it('requires AUTH_MODE to be chosen', () => {
    expect(() => loadEnvironment(base)).toThrow(/^Invalid configuration: AUTH_MODE .*not set/);
  });

  it('accepts AUTH_MODE=none without keys', () => {
    expect(loadEnvironment({ ...base, AUTH_MODE: 'none' }).AUTH_MODE).toBe('none');
  });

  it('accepts an HS256 secret, an EC and an RSA public key (one-line PEM with \\n escapes too)', () => {
    expect(loadEnvironment({ ...base, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: SECRET }).AUTH_MODE).toBe('jwt');
    expect(() => loadEnvironment({ ...base, AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: ecPem })).not.toThrow();
    expect(() => loadEnvironment({ ...base, AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: rsaPem.replace(/\n/g, '\\n') })).not.toThrow();
  });

  it.each([
    [{}, /AUTH_MODE=jwt needs AUTH_JWT_SECRET .* or AUTH_JWT_PUBLIC_KEY/],
    [{ AUTH_JWT_SECRET: SECRET, AUTH_JWT_PUBLIC_KEY: ecPem }, /either AUTH_JWT_SECRET .* or AUTH_JWT_PUBLIC_KEY .* not both/],
    [{ AUTH_JWT_SECRET: 'too-short' }, /AUTH_JWT_SECRET .*value hidden/],
    [{ AUTH_JWT_PUBLIC_KEY: 'not a key' }, /AUTH_JWT_PUBLIC_KEY is not a PEM public key/],
    [{ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ALGORITHMS: 'RS256' }, /AUTH_JWT_ALGORITHMS lists RS256/],
    [{ AUTH_JWT_PUBLIC_KEY: ecPem, AUTH_JWT_ALGORITHMS: 'HS256' }, /AUTH_JWT_ALGORITHMS lists HS256/],
    [{ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ALGORITHMS: 'none' }, /AUTH_JWT_ALGORITHMS/],
  ])('refuses jwt mode with %j, naming the variable', (override, message) => {
    expect(() => loadEnvironment({ ...base, AUTH_MODE: 'jwt', ...override })).toThrow(message);
  });

  it('never echoes the secret', () => {
    expect(() => loadEnvironment({ ...base, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'too-short' })).not.toThrow(/too-short/);
  });

  it('refuses a heartbeat rate limit below what the service asks of its fastest rooms', () => {
    expect(() => loadEnvironment({ ...base, AUTH_MODE: 'none', HEARTBEAT_RATE_PER_SEC: '1' })).toThrow(
      /HEARTBEAT_RATE_PER_SEC \(1\) must be at least 1.6/,
    );
    expect(loadEnvironment({ ...base, AUTH_MODE: 'none', HEARTBEAT_RATE_PER_SEC: '0' }).HEARTBEAT_RATE_PER_SEC).toBe(0);
  });
});
