import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { exposedNames } from './support/prometheus-text';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';

const root = join(__dirname, '..');
/** Series names an expression refers to: ours and the default process/Node ones. */
const METRIC_NAME = /\b(?:led|process|nodejs)_[a-zA-Z0-9_]+\b/g;

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(join(root, 'helm/live-end-detector/files/grafana-dashboard.json'), 'utf8'));
  const panels = (dashboard.panels as any[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) => (p.targets ?? []).map((t: { expr: string }) => t.expr));
}

function ruleExpressions(): string[] {
  const rules = parse(readFileSync(join(root, 'helm/live-end-detector/files/prometheus-rules.yaml'), 'utf8'));
  return (rules.groups as any[]).flatMap((g) => g.rules.map((r: { expr: string }) => r.expr));
}

describe('Grafana dashboard and Prometheus rules', () => {
  let redis: RedisServer;
  let svc: TestApp;
  let exposed: Set<string>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    svc = await startTestApp({ REDIS_URL: redis.url });
    exposed = exposedNames((await svc.get('/metrics')).body);
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  it('the dashboard is a Grafana dashboard whose panels query only metrics /metrics exposes', () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'helm/live-end-detector/files/grafana-dashboard.json'), 'utf8'));
    expect(dashboard).toMatchObject({ uid: 'live-end-detector', title: 'live-end-detector' });
    const ids = (dashboard.panels as Array<{ id: number }>).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);

    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(10);
    for (const expr of expressions) {
      const names = expr.match(METRIC_NAME) ?? [];
      expect([expr, names.length > 0]).toEqual([expr, true]);
      for (const name of names) expect([expr, name, exposed.has(name)]).toEqual([expr, name, true]);
    }
  });

  it('every alert has a severity and a summary, and queries only metrics /metrics exposes', () => {
    const rules = parse(readFileSync(join(root, 'helm/live-end-detector/files/prometheus-rules.yaml'), 'utf8'));
    const alerts = (rules.groups as any[]).flatMap((g) => g.rules);
    expect(alerts.map((r: { alert: string }) => r.alert)).toEqual(
      expect.arrayContaining([
        'LiveEndDetectorNoSweeps',
        'LiveEndDetectorGuardEngaged',
        'LiveEndDetectorOutboxOldestTooOld',
        'LiveEndDetectorOutboxBacklogGrowing',
        'LiveEndDetectorDeadLetters',
        'LiveEndDetectorRedisErrors',
      ]),
    );
    for (const rule of alerts) {
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
    }
    for (const expr of ruleExpressions()) {
      const names = expr.match(METRIC_NAME) ?? [];
      expect([expr, names.length > 0]).toEqual([expr, true]);
      for (const name of names) expect([expr, name, exposed.has(name)]).toEqual([expr, name, true]);
    }
  });
});
