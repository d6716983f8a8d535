import { redactUrl, requestId } from './logging';

describe('log hygiene', () => {
  it('replaces credential query values and keeps the rest of the URL', () => {
    expect(redactUrl('/v1/callbacks/tencent-im?SdkAppid=1&usersig=abc&token=t&CallbackCommand=State.StateChange')).toBe(
      '/v1/callbacks/tencent-im?SdkAppid=1&usersig=[Redacted]&token=[Redacted]&CallbackCommand=State.StateChange',
    );
    expect(redactUrl('/v1/rooms/r1')).toBe('/v1/rooms/r1');
    expect(redactUrl('/x?UserSig=abc&%ZZ=1')).toBe('/x?UserSig=[Redacted]&%ZZ=1');
  });

  it('honours a plain X-Request-Id and replaces anything else with a UUID', () => {
    expect(requestId({ headers: { 'x-request-id': 'abc-123' } })).toBe('abc-123');
    expect(requestId({ headers: { 'x-request-id': 'two words' } })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId({ headers: { 'x-request-id': 'x'.repeat(129) } })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId({ headers: {} })).toMatch(/^[0-9a-f-]{36}$/);
  });
});
