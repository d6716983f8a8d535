import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const RULES = join(__dirname, '..', 'helm/live-end-detector/files/prometheus-rules.yaml');

/** The alert as the rule file declares it (its labels and annotations are what Prometheus sends). */
function rule(name: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  const groups = parse(readFileSync(RULES, 'utf8')).groups as Array<{ rules: Array<{ alert?: string }> }>;
  return groups.flatMap((g) => g.rules).find((r) => r.alert === name) as never;
}

describe('Prometheus alert for a full Redis (promtool test rules)', () => {
  it('fires once OOM refusals are counted, not for other Redis errors, and clears when they stop', () => {
    const promtool = process.env.PROMTOOL_BIN ?? 'promtool';
    if (spawnSync(promtool, ['--version']).error)
      throw new Error(`${promtool} not found: install Prometheus's promtool or set PROMTOOL_BIN`);
    const oom = rule('LiveEndDetectorRedisOutOfMemory');
    const firing = [{ exp_labels: oom.labels, exp_annotations: oom.annotations }];
    const test = {
      rule_files: [RULES],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // Two replicas: one refused 10 writes for lack of memory at minutes 3-4; timeouts keep growing throughout.
            { series: 'led_redis_errors_total{source="request",kind="out_of_memory",pod="a"}', values: '0 0 0 5 10 10 10 10 10 10 10 10' },
            { series: 'led_redis_errors_total{source="sweep",kind="timeout",pod="b"}', values: '0 3 6 9 12 15 18 21 24 27 30 33' },
          ],
          alert_rule_test: [
            { eval_time: '2m', alertname: 'LiveEndDetectorRedisOutOfMemory', exp_alerts: [] },
            { eval_time: '4m', alertname: 'LiveEndDetectorRedisOutOfMemory', exp_alerts: firing },
            { eval_time: '11m', alertname: 'LiveEndDetectorRedisOutOfMemory', exp_alerts: [] },
          ],
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'led-promtool-'));
    try {
      writeFileSync(join(dir, 'oom-test.yaml'), stringify(test));
      const result = spawnSync(promtool, ['test', 'rules', join(dir, 'oom-test.yaml')], { encoding: 'utf8' });
      expect([result.status, result.stdout + result.stderr]).toEqual([0, expect.stringContaining('SUCCESS')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
