import { createApp } from '../app.factory';
import { loadEnvironment } from '../config/load-environment';
import { buildOpenApiDocument } from './openapi';

/**
 * The committed openapi.json's text. The app is created, never initialised: its Redis connection is
 * lazy and opens only on init, so this runs without Redis. The settings only satisfy validation.
 */
export async function generateOpenApiJson(): Promise<string> {
  const env = loadEnvironment({ REDIS_URL: 'redis://127.0.0.1:6379', NOTIFIERS: 'log', LOG_LEVEL: 'fatal', AUTH_MODE: 'none' });
  const app = await createApp(env, { logDestination: { write: () => undefined } });
  const document = buildOpenApiDocument(app);
  return `${JSON.stringify(document, null, 2)}\n`;
}
