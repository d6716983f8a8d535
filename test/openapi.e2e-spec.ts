import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from '../src/openapi/generate';
import { useServiceWithRedis } from './support/service-with-redis';

describe('OpenAPI document', () => {
  let generated: string;

  beforeAll(async () => {
    // Built from the controllers alone: no Redis runs for this part.
    generated = await generateOpenApiJson();
  });

  it('openapi.json at the repository root is up to date', () => {
    const committed = readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8');
    if (committed !== generated) {
      throw new Error('openapi.json differs from what the controllers describe: run npm run openapi and commit the result');
    }
  });

  it('documents every status each route can answer, with schemas', () => {
    const document = JSON.parse(generated);
    const codes = (path: string, method: string) => Object.keys(document.paths[path][method].responses).sort();
    expect(codes('/v1/rooms/{roomId}/heartbeat', 'post')).toEqual(['200', '400', '401', '403', '409', '410', '413', '415', '429', '503']);
    expect(codes('/v1/rooms/{roomId}/end', 'post')).toEqual(['200', '400', '401', '403', '409', '413', '415', '503']);
    expect(codes('/v1/rooms/{roomId}', 'get')).toEqual(['200', '400', '503']);
    expect(codes('/v1/admin/lives', 'get')).toEqual(['200', '400', '401', '403', '503']);
    expect(codes('/v1/admin/rooms/{roomId}/end', 'post')).toEqual(['200', '400', '401', '403', '404', '503']);
    expect(codes('/readyz', 'get')).toEqual(['200', '503']);
    expect(document.paths['/healthz']).toBeDefined();
    expect(document.paths['/metrics']).toBeDefined();

    const unavailable = document.paths['/v1/rooms/{roomId}/heartbeat'].post.responses['503'];
    expect(unavailable.headers['Retry-After']).toBeDefined();
    expect(document.paths['/v1/admin/lives'].get.security).toEqual([{ admin: [] }]);
    expect(document.components.securitySchemes.admin).toMatchObject({ type: 'http', scheme: 'bearer' });

    const body = document.components.schemas.HeartbeatBody;
    expect(body.required).toEqual(['liveId', 'anchorId']);
    expect(body.properties.liveId).toMatchObject({ pattern: '^[A-Za-z0-9_.@-]+$', maxLength: 128 });
    for (const [name, schema] of Object.entries<any>(document.components.schemas)) {
      for (const [field, property] of Object.entries<any>(schema.properties ?? {})) {
        expect([name, field, property.type ?? property.$ref ?? property.oneOf ?? property.allOf]).not.toContain(undefined);
      }
    }
  });

  describe('served by the running service', () => {
    const service = useServiceWithRedis();

    it('serves the document at /docs-json and the Swagger UI at /docs', async () => {
      const json = await service.svc.get('/docs-json');
      expect(json.status).toBe(200);
      expect(json.body).toEqual(JSON.parse(generated));
      const ui = await service.svc.get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toContain('text/html');
      expect(ui.body).toContain('swagger-ui');
      expect((await service.svc.get('/docs/swagger-ui-bundle.js')).status).toBe(200);
    });
  });
});
