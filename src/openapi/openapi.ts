import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** Security scheme name used by @ApiBearerAuth on admin routes. */
export const ADMIN_SECURITY = 'admin';
/** Security scheme name of the anchor JWT on heartbeat and end (AUTH_MODE=jwt). */
export const ANCHOR_SECURITY = 'anchor';
export const DOCS_PATH = 'docs';
const { version, description } = require('../../package.json') as { version: string; description: string };

/**
 * The OpenAPI document, built from the controllers' and DTOs' metadata alone: it needs the
 * application created (modules scanned) but not initialised, so Redis is never contacted.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('live-end-detector')
    .setDescription(
      `${description}\n\nAnchor apps call the heartbeat and end routes; late-joining viewers read the room status. ` +
        'Errors carry `message` naming each offending field. While Redis is unreachable every route that needs it ' +
        'answers 503 with Retry-After.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque token', description: 'ADMIN_TOKEN, for /v1/admin routes.' }, ADMIN_SECURITY)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'AUTH_MODE=jwt: a JWT from the business backend with `sub` = anchorId, `room` = roomId and `exp`.' },
      ANCHOR_SECURITY,
    )
    .addTag('rooms', 'Heartbeats, normal end and room status')
    .addTag('admin', 'Operator routes (bearer ADMIN_TOKEN)')
    .addTag('operations', 'Health and metrics')
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
}

/** Serves the Swagger UI at /docs and the document at /docs-json. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, yamlDocumentUrl: `${DOCS_PATH}-yaml` });
  return document;
}
