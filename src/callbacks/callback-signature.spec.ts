import { imCallbackSign, verifyImCallback } from './callback-signature';

describe('IM callback signature', () => {
  it('matches the sample of the IM documentation', () => {
    expect(imCallbackSign('xxxxyyyy', '1669872112')).toBe('17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061');
  });

  it('accepts a fresh right Sign and refuses wrong, stale, future or missing ones', () => {
    const now = 1669872112;
    const sign = imCallbackSign('token', String(now));
    expect(verifyImCallback('token', sign, String(now), 60, now + 30)).toBe('ok');
    expect(verifyImCallback('token', sign.toUpperCase(), String(now), 60, now)).toBe('ok');
    expect(verifyImCallback('other', sign, String(now), 60, now)).toBe('wrong');
    expect(verifyImCallback('token', sign.slice(1), String(now), 60, now)).toBe('wrong');
    expect(verifyImCallback('token', sign, String(now), 60, now + 61)).toBe('stale');
    expect(verifyImCallback('token', sign, String(now), 60, now - 61)).toBe('stale');
    expect(verifyImCallback('token', sign, 'soon', 60, now)).toBe('stale');
    expect(verifyImCallback('token', undefined, String(now), 60, now)).toBe('missing');
  });
});
