import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { OPENAPI_JSON, OPENAPI_TYPES, openApiTypes } from '../scripts/openapi';
import { generateOpenApiJson } from '../src/openapi/generate';
import type { components, paths } from './support/openapi-schema';
import { useServiceWithRedis } from './support/service-with-redis';

const ADMIN_TOKEN = 'admin-token-for-the-openapi-test';
type ApiError = components['schemas']['ErrorResponse'];

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

  it('passes redocly lint (recommended rules) with no errors', () => {
    const lint = spawnSync(join(__dirname, '..', 'node_modules', '.bin', 'redocly'), ['lint', OPENAPI_JSON, '--format=json'], {
      encoding: 'utf8',
    });
    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number };
      problems: Array<{ severity: string; ruleId: string; location: Array<{ pointer: string }> }>;
    };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('gives every operation a summary, a security requirement and typed answers; nullable enums list null', () => {
    const document = JSON.parse(generated);
    const faults: string[] = [];
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.summary) faults.push(`${name}: no summary`);
        if (!Array.isArray(operation.security)) faults.push(`${name}: no security`);
        if (path.startsWith('/v1/admin/') && JSON.stringify(operation.security) !== JSON.stringify([{ admin: [] }]))
          faults.push(`${name}: not admin-only`);
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          const media = Object.entries<any>(response.content ?? {});
          if (media.length === 0) faults.push(`${name} ${status}: no content`);
          for (const [type, content] of media) if (!content.schema) faults.push(`${name} ${status} ${type}: no schema`);
        }
      }
    }
    const visit = (node: any, where: string): void => {
      if (!node || typeof node !== 'object') return;
      if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null))
        faults.push(`${where}: nullable enum without null`);
      if (!node.nullable && Array.isArray(node.enum) && node.enum.includes(null)) faults.push(`${where}: null in a non-nullable enum`);
      for (const [key, child] of Object.entries(node)) visit(child, `${where}/${key}`);
    };
    visit(document.components.schemas, '#/components/schemas');
    expect(faults).toEqual([]);
    expect(document.components.schemas.RoomStatus.properties.reason.enum).toContain(null);
  });

  it('test/support/openapi-schema.ts is what openapi-typescript makes of openapi.json', () => {
    if (readFileSync(OPENAPI_TYPES, 'utf8') !== openApiTypes(generated)) {
      throw new Error('test/support/openapi-schema.ts is out of date: run npm run openapi and commit the result');
    }
  });

  describe('served by the running service', () => {
    const service = useServiceWithRedis({ ADMIN_TOKEN });

    it('answers a client generated by openapi-typescript (openapi-fetch) in the documented shapes', async () => {
      const api = createClient<paths>({ baseUrl: service.svc.url.replace('[::1]', '127.0.0.1') });
      const roomId = 'typed-room';
      const beat = await api.POST('/v1/rooms/{roomId}/heartbeat', {
        params: { path: { roomId } },
        body: { liveId: 'typed-live', anchorId: 'typed-anchor' },
      });
      const state: 'live' | undefined = beat.data?.state;
      expect(state).toBe('live');
      expect(beat.data?.nextHeartbeatInMs).toBeGreaterThan(0);

      const status = await api.GET('/v1/rooms/{roomId}', { params: { path: { roomId } } });
      const reason: components['schemas']['RoomStatus']['reason'] | undefined = status.data?.reason;
      expect({ state: status.data?.state, reason }).toEqual({ state: 'live', reason: null });

      const lives = await api.GET('/v1/admin/lives', {
        params: { query: { shard: 0 } },
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(lives.response.status).toBe(200);
      expect(typeof lives.data?.shards).toBe('number');

      const guard = await api.GET('/v1/admin/guard', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const engaged: boolean | undefined = guard.data?.engaged;
      expect({ engaged, releasedUntil: guard.data?.releasedUntil }).toEqual({ engaged: false, releasedUntil: null });

      const ended = await api.POST('/v1/rooms/{roomId}/end', {
        params: { path: { roomId } },
        body: { liveId: 'typed-live', anchorId: 'typed-anchor' },
      });
      expect(ended.data?.reason).toBe('normal');

      const gone = await api.POST('/v1/rooms/{roomId}/heartbeat', {
        params: { path: { roomId } },
        body: { liveId: 'typed-live', anchorId: 'typed-anchor' },
      });
      expect(gone.response.status).toBe(410);
      expect(gone.error && 'reason' in gone.error ? gone.error.reason : undefined).toBe('normal');

      const refused = await api.POST('/v1/rooms/{roomId}/heartbeat', {
        params: { path: { roomId } },
        body: { liveId: 'bad:id', anchorId: 'typed-anchor' },
      });
      const message: ApiError['message'] | undefined = refused.error?.message;
      expect(refused.response.status).toBe(400);
      expect(JSON.stringify(message)).toContain('liveId');

      const health = await api.GET('/healthz');
      expect(health.data?.status).toBe('ok');
    });

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
