import Fastify from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { Environment } from './config/environment';
import { createHttpLogger, loggerModuleParams, redactUrl, registerRequestLogging, requestId } from './logging';
import { HEARTBEAT_ROUTE } from './rooms/heartbeat.schema';

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

describe('request logging (a real Fastify and pino-http)', () => {
  it("logs a request under Fastify's id and binds its logger for what the request logs; skips the heartbeat routes", async () => {
    const lines: string[] = [];
    const httpLogger = createHttpLogger(Object.assign(new Environment(), { LOG_LEVEL: 'info' }), {
      write: (line) => void lines.push(line),
    });
    const logger = new PinoLogger(loggerModuleParams(httpLogger));
    const fastify = Fastify({ genReqId: requestId });
    registerRequestLogging(fastify, httpLogger);
    fastify.get('/v1/things/:id', async (_request, reply) => {
      logger.info('looked for a thing');
      return reply.code(404).send({ statusCode: 404 });
    });
    fastify.post(HEARTBEAT_ROUTE, async (_request, reply) => {
      logger.info('beat refused');
      return reply.code(400).send({ statusCode: 400 });
    });

    await fastify.inject({ method: 'GET', url: '/v1/things/1', headers: { 'x-request-id': 'req-thing-1' } });
    await fastify.inject({ method: 'POST', url: '/v1/rooms/r1/heartbeat', headers: { 'x-request-id': 'req-beat-1' }, payload: {} });
    await fastify.close();

    const records = lines.map(
      (line) => JSON.parse(line) as { msg: string; req?: { id: string; url: string }; res?: { statusCode: number } },
    );
    expect(records.filter((r) => r.req?.id === 'req-thing-1').map((r) => r.msg)).toEqual(['looked for a thing', 'request completed']);
    expect(records.find((r) => r.msg === 'request completed')).toMatchObject({ req: { url: '/v1/things/1' }, res: { statusCode: 404 } });
    // The heartbeat route logs its own refusals: no request line, no request-bound logger.
    expect(records.filter((r) => r.msg === 'beat refused')).toEqual([expect.not.objectContaining({ req: expect.anything() })]);
    expect(lines.join('')).not.toContain('req-beat-1');
  });
});
