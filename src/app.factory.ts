import { ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { StorageUnavailableFilter } from './common/storage-unavailable.filter';
import { Environment } from './config/environment';

/** Request bodies are a few ids; anything bigger is refused before parsing. Long path ids reach validation, which names them. */
const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Builds the application as main.ts runs it; tests use it too, so they exercise the real wiring.
 * Signals are handled by main.ts, which calls close(): the shutdown hooks then run in order.
 */
export async function createApp(env: Environment): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, routerOptions: { maxParamLength: 1024 }, trustProxy: true }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
  );
  app.useGlobalFilters(new StorageUnavailableFilter(app.get(HttpAdapterHost).httpAdapter));
  return app;
}
