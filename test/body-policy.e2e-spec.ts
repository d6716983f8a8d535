/**
 * One body policy for every route (issue 14, point 6): JSON only (415 with a message saying to send
 * `content-type: application/json`), one 400 format naming each field on the Fastify heartbeat route and the Nest
 * routes alike, and pathological JSON (prototype keys, depth, size, not an object) a 4xx everywhere, never a 5xx.
 * Tencent IM's callback route is the exception: it reads its body whatever the Content-Type.
 */
import { useServiceWithRedis } from './support/service-with-redis';

const HEARTBEAT = '/v1/rooms/body-1/heartbeat';
const END = '/v1/rooms/body-1/end';
const ROUTES = [HEARTBEAT, END];
const VALID = JSON.stringify({ liveId: 'live-1', anchorId: 'anchor-1' });

describe('request bodies', () => {
  const service = useServiceWithRedis();

  /** A raw POST: the body exactly as given, and only the headers given. */
  async function post(path: string, body: string | Uint8Array | undefined, contentType?: string) {
    const response = await fetch(service.svc.url.replace('[::1]', '127.0.0.1') + path, {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      // Bytes, not a string: fetch would add content-type text/plain to a string body.
      body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
    });
    const text = await response.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: response.status, body: json };
  }

  describe.each(ROUTES)('%s', (path) => {
    it.each([
      ['text/plain', VALID, 'got content-type: text/plain'],
      ['application/x-www-form-urlencoded', 'liveId=live-1&anchorId=anchor-1', 'got content-type: application/x-www-form-urlencoded'],
      // What `curl -d '{…}'` sends.
      ['application/x-www-form-urlencoded', VALID, 'got content-type: application/x-www-form-urlencoded'],
      [undefined, VALID, 'no content-type was given'],
      ['application/xml', '<live/>', 'got content-type: application/xml'],
    ])('refuses content-type %s with 415, saying to send JSON', async (contentType, body, got) => {
      const response = await post(path, body, contentType);
      expect(response).toEqual({
        status: 415,
        body: {
          statusCode: 415,
          error: 'Unsupported Media Type',
          message: `send the body as JSON with content-type: application/json (${got})`,
        },
      });
    });

    it.each([
      ['not JSON', '{"liveId":', /^body is not valid JSON: /],
      [
        'a __proto__ key',
        '{"__proto__":{"admin":true},"liveId":"live-1","anchorId":"anchor-1"}',
        /^body must not contain the keys __proto__ or constructor\.prototype$/,
      ],
      [
        'a constructor.prototype key',
        '{"constructor":{"prototype":{"x":1}},"liveId":"live-1","anchorId":"anchor-1"}',
        /^body must not contain the keys __proto__ or constructor\.prototype$/,
      ],
      [
        '5,000 levels of nesting',
        `{"liveId":${'['.repeat(5000)}${']'.repeat(5000)},"anchorId":"a"}`,
        /^body is nested deeper than 32 levels$/,
      ],
      ['empty', '', /^body is empty: send a JSON object$/],
      ['an array', '[]', /^body must be a JSON object$/],
      ['null', 'null', /^body must be a JSON object$/],
      ['a string', '"live-1"', /^body must be a JSON object$/],
    ])('answers a body that is %s with one 400 naming the fault', async (_what, body, message) => {
      const response = await post(path, body, 'application/json');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: [expect.stringMatching(message)] });
    });

    it('refuses a body over the size limit with 413 in the same shape', async () => {
      const response = await post(path, JSON.stringify({ liveId: 'x'.repeat(20000), anchorId: 'a' }), 'application/json');
      expect(response).toEqual({ status: 413, body: { statusCode: 413, error: 'Payload Too Large', message: expect.any(String) } });
    });
  });

  it('takes application/json with a charset on both routes', async () => {
    const live = JSON.stringify({ liveId: 'charset-1', anchorId: 'anchor-1' });
    expect((await post(HEARTBEAT, live, 'application/json; charset=utf-8')).status).toBe(200);
    expect((await post(END, live, 'application/json; charset=UTF-8')).body).toMatchObject({ state: 'ended', liveId: 'charset-1' });
  });

  it.each([
    [{}, ['liveId is required', 'anchorId is required']],
    [{ liveId: 5, anchorId: 'a b' }, ['liveId must be a string', 'anchorId may contain only letters, digits and _ . @ -']],
    [{ liveId: 'x'.repeat(129), anchorId: 'anchor-1' }, ['liveId must be at most 128 characters']],
    [{ liveId: 'live-1', anchorId: 'anchor-1', extra: 1 }, ['property extra should not exist']],
  ])('the heartbeat and the end route name each faulty field of %j in the same words', async (body, messages) => {
    for (const path of ROUTES) {
      const response = await post(path, JSON.stringify(body), 'application/json');
      expect({ path, ...response }).toEqual({ path, status: 400, body: { statusCode: 400, error: 'Bad Request', message: messages } });
    }
  });

  it('a body that is not UTF-8 is judged as JSON like any other (400 naming the field), not refused as bad framing', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"liveId":"l'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('","anchorId":"a"}'),
    ]);
    for (const path of ROUTES) {
      const response = await post(path, bytes, 'application/json');
      expect({ path, ...response }).toEqual({
        path,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: ['liveId may contain only letters, digits and _ . @ -'] },
      });
    }
    const callback = await post('/v1/callbacks/tencent-im', new Uint8Array([0x37, 0xff, 0xff]), 'application/json');
    expect(callback.body).toMatchObject({ ActionStatus: 'FAIL' });
  });

  it("Tencent IM's callback route reads its body whatever the Content-Type", async () => {
    const callback = JSON.stringify({ CallbackCommand: 'State.StateChange', Info: { To_Account: 'nobody', Action: 'Login' } });
    for (const contentType of [undefined, 'text/plain', 'application/json']) {
      const response = await post('/v1/callbacks/tencent-im?CallbackCommand=State.StateChange', callback, contentType);
      expect({ contentType, ...response }).toEqual({ contentType, status: 200, body: expect.objectContaining({ ActionStatus: 'OK' }) });
    }
  });
});
