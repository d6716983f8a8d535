import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { SCHEMA_VALIDATION_OPTIONS } from './common/schema-validation';
import { StorageOutageResponder } from './common/storage-outage';
import { registerBodyPolicy } from './common/body-policy';
import { HttpErrorFilter } from './common/http-error.filter';
import { RequestValidationPipe } from './common/request-validation';
import { isImCallbackRoute } from './callbacks/callback-body';
import { Environment } from './config/environment';
import { createHttpLogger, registerRequestLogging, REQUEST_ID_HEADER, requestId } from './logging';
import { setupOpenApi } from './openapi/openapi';

/** Request bodies are a few ids; anything bigger is refused before parsing. Long path ids reach validation, which names them. */
const BODY_LIMIT_BYTES = 16 * 1024;
/**
 * How often Node checks open requests against HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS (its default,
 * 30 s, would let a stalled body outlive both by that much). It walks only connections with a request in progress.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export interface AppOptions {
  /** Where logs go instead of stdout (tests read what would have been printed). */
  logDestination?: DestinationStream;
}

/**
 * Builds the application as main.ts runs it; tests use it too, so they exercise the real wiring.
 * Signals are handled by main.ts, which calls close(): the shutdown hooks then run in order.
 */
export async function createApp(env: Environment, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const httpLogger = createHttpLogger(env, options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env, httpLogger),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // A request whose headers or body stall is answered 408 and its connection closed (Fastify's client error
      // handler), so no client can hold a connection, or a shutdown, open for longer than these.
      requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      http: {
        headersTimeout: env.HTTP_HEADERS_TIMEOUT_MS,
        requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, env.HTTP_HEADERS_TIMEOUT_MS),
      },
      routerOptions: { maxParamLength: 1024 },
      trustProxy: true,
      // One id per request for Fastify and pino alike (registerRequestLogging hands Fastify's id to pino-http):
      // the caller's X-Request-Id when acceptable, else a new UUID; it is echoed in the response.
      requestIdHeader: false,
      genReqId: requestId,
      // Route schemas (the heartbeat's, the gateway's) validate as written (see SCHEMA_VALIDATION_OPTIONS).
      ajv: { customOptions: SCHEMA_VALIDATION_OPTIONS },
    }),
    // Body parsers are the body policy's (below), not Nest's JSON and form parsers.
    { bufferLogs: true, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyPolicy(fastify, isImCallbackRoute);
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  registerRequestLogging(fastify, httpLogger);
  app.useLogger(app.get(Logger));
  // From here on, log as it happens: start-up (which waits for Redis) must show its progress, and a failed start
  // its reasons, instead of holding them until the server listens.
  app.flushLogs();
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost).httpAdapter, app.get(StorageOutageResponder)));
  setupOpenApi(app);
  return app;
}
