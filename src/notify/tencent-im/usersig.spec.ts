import { createHmac } from 'node:crypto';
import { decodeUserSig, generateUserSig, UserSigCache } from './usersig';

// The sample key of the tls-sig-api-v2 README; the signature below was produced by the official Node
// library tls-sig-api-v2@1.0.2 (genUserSig with Date.now fixed), as recorded in the research notes.
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const OFFICIAL_SIG =
  'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJEpycxNVbIyNEcVTa0oyCxKVbKyMDOBCRVnpitZKVX6OKZql5uHh6aGlhYmhVlm6IdEmFuUGhnmh7hnamdaRhUYlhoHFORFmhnYKtUCAK0SM5I_';

/** The published description: HMAC-SHA256 keyed by the key text over the four newline-terminated lines. */
function officialHmac(identifier: string, sdkappid: number, time: number, expire: number): string {
  const content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkappid}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  return createHmac('sha256', KEY).update(content, 'utf8').digest('base64');
}

describe('TLSSigAPIv2 UserSig', () => {
  it('decodes the official library output and its HMAC recomputes from the fields', () => {
    const doc = decodeUserSig(OFFICIAL_SIG);
    expect(doc).toEqual({
      'TLS.ver': '2.0',
      'TLS.identifier': 'administrator',
      'TLS.sdkappid': 1400000000,
      'TLS.time': 1700000000,
      'TLS.expire': 86400,
      'TLS.sig': 'yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=',
    });
    expect(officialHmac('administrator', 1400000000, 1700000000, 86400)).toBe(doc['TLS.sig']);
  });

  it('generates the same document as the official library, field for field and in order', () => {
    const ours = generateUserSig(1400000000, KEY, 'administrator', 86400, 1700000000);
    expect(ours).toMatch(/^[A-Za-z0-9*_-]+$/);
    const doc = decodeUserSig(ours);
    expect(JSON.stringify(doc)).toBe(JSON.stringify(decodeUserSig(OFFICIAL_SIG)));
  });

  it('signs with the key text, so another key gives another signature', () => {
    const doc = decodeUserSig(generateUserSig(1400000000, 'another-key-0123456789', 'administrator', 86400, 1700000000));
    expect(doc['TLS.sig']).not.toBe(officialHmac('administrator', 1400000000, 1700000000, 86400));
  });

  it('is cached, renewed at half its validity, and renewed at once on demand', () => {
    let now = 1700000000_000;
    const cache = new UserSigCache(1400000000, KEY, 'administrator', 86400, () => now);
    const first = cache.get();
    now += 3600_000;
    expect(cache.get()).toBe(first);
    now += 43200_000;
    const second = cache.get();
    expect(second).not.toBe(first);
    expect(decodeUserSig(second)['TLS.time']).toBe(1700000000 + 3600 + 43200);
    now += 1000;
    cache.renew();
    expect(decodeUserSig(cache.get())['TLS.time']).toBe(1700000000 + 3600 + 43200 + 1);
    expect(JSON.stringify({ cache })).not.toContain(second);
  });
});
