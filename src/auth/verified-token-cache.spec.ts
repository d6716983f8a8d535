import { VerifiedTokenCache } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  const claims = (acceptUntil: number) => ({ sub: 'anchor-1', room: 'room-1', acceptUntil });

  it('answers a verified token until it stops being acceptable, then forgets it', () => {
    const cache = new VerifiedTokenCache();
    cache.set('token-a', claims(2000));
    expect(cache.get('token-a', 1999)).toMatchObject({ sub: 'anchor-1', room: 'room-1' });
    expect(cache.get('token-a', 2000)).toBeNull();
    expect(cache.get('token-a', 1000)).toBeNull();
  });

  it('knows only the exact token strings it was given', () => {
    const cache = new VerifiedTokenCache();
    cache.set('token-a', claims(2000));
    expect(cache.get('token-a ', 1000)).toBeNull();
    expect(cache.get('token-b', 1000)).toBeNull();
  });

  it('drops the oldest entry when full', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', claims(9000));
    cache.set('b', claims(9000));
    cache.set('c', claims(9000));
    expect(cache.get('a', 0)).toBeNull();
    expect(cache.get('b', 0)).not.toBeNull();
    expect(cache.get('c', 0)).not.toBeNull();
  });
});
