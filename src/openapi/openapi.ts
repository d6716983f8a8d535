import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentGatewayHeartbeats } from '../gateway/gateway.openapi';
import { documentHeartbeat, HEARTBEAT_MODELS } from '../rooms/heartbeat.openapi';
import { ADMIN_SECURITY, ANCHOR_SECURITY, GATEWAY_SECURITY } from './security-schemes';

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
      `${description}\n\nAnchor apps call the heartbeat and end routes (or a gateway beats for many of them); late-joining viewers read the room status. ` +
        'Errors carry `message` naming each offending field. While Redis is unreachable every route that needs it ' +
        'answers 503 with Retry-After.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque token', description: 'ADMIN_TOKEN, for /v1/admin routes.' }, ADMIN_SECURITY)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'AUTH_MODE=jwt: a JWT from the business backend with `sub` = anchorId, `room` = roomId and `exp`.' },
      ANCHOR_SECURITY,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'AUTH_MODE=jwt: a JWT from the business backend, signed with the anchor tokens\' key, with protected header `typ: gateway+jwt`, ' +
          '`sub` = the gateway\'s name, `rooms` = the room ids it may beat for (an entry ending in `*` is a prefix) and `exp`.',
      },
      GATEWAY_SECURITY,
    )
    .addTag('rooms', 'Heartbeats, normal end and room status')
    .addTag('gateway', 'Heartbeats of many anchors at once, for gateways that hold their connections')
    .addTag('admin', 'Operator routes (bearer ADMIN_TOKEN)')
    .addTag('operations', 'Health and metrics')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
    extraModels: HEARTBEAT_MODELS,
  });
  documentHeartbeat(document);
  documentGatewayHeartbeats(document);
  return document;
}

/** Serves the Swagger UI at /docs and the document at /docs-json. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, yamlDocumentUrl: `${DOCS_PATH}-yaml` });
  return document;
}
