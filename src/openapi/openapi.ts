import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentGatewayHeartbeats } from '../gateway/gateway.openapi';
import { documentHeartbeat, HEARTBEAT_MODELS } from '../rooms/heartbeat.openapi';
import { ADMIN_SECURITY, ANCHOR_SECURITY, GATEWAY_SECURITY, IM_CALLBACK_SECURITY } from './security-schemes';

export const DOCS_PATH = 'docs';
const { version, description, license } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
  description: string;
  license: string;
};

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
    .setLicense(license, `https://spdx.org/licenses/${license}.html`)
    // Relative: the service that serves this document, wherever it runs.
    .addServer('/', 'The service serving this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'opaque token', description: 'ADMIN_TOKEN, for /v1/admin routes.' },
      ADMIN_SECURITY,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'AUTH_MODE=jwt: a JWT from the business backend with `sub` = anchorId, `room` = roomId and `exp`.',
      },
      ANCHOR_SECURITY,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "AUTH_MODE=jwt: a JWT from the business backend, signed with the anchor tokens' key, with protected header `typ: gateway+jwt`, " +
          "`sub` = the gateway's name, `rooms` = the room ids it may beat for (an entry ending in `*` is a prefix) and `exp`.",
      },
      GATEWAY_SECURITY,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: 'Sign',
        description:
          'TENCENT_IM_CALLBACK_TOKEN set: Tencent IM appends Sign = hex sha256(token + RequestTime) and RequestTime (Unix seconds) ' +
          'to the callback URL (https://cloud.tencent.com/document/product/269/1522).',
      },
      IM_CALLBACK_SECURITY,
    )
    .addTag('callbacks', 'Tencent IM third-party callbacks')
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
  finishDocument(document);
  return document;
}

/**
 * What the decorators cannot say: an operation without a security requirement is public (`security: []`, so
 * tools see it was meant), and a nullable enum lists `null` among its values (OpenAPI 3.0.3, "nullable").
 */
function finishDocument(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = operations[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const schema = node as { nullable?: boolean; enum?: unknown[] };
    if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null]; // a copy: decorators share enum arrays
    for (const child of Object.values(node)) visit(child);
  };
  visit(document.components?.schemas);
}

/** Serves the Swagger UI at /docs and the document at /docs-json. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, yamlDocumentUrl: `${DOCS_PATH}-yaml` });
  return document;
}
