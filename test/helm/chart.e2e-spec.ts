/**
 * What an operator relies on in the rendered chart: probes on the real endpoints, only environment variables the
 * service reads, secrets kept out of ConfigMaps, values checked by the schema, existingSecret and in-chart Redis.
 * Renders with the real `helm` (no cluster needed); see test/helm/run-chart-tests.sh for lint + kubeconform.
 */
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { environmentVariableNames } from '../../src/config/load-environment';
import { CHART, find, get, K8sObject, readText, render, renderNotes, tryRender } from './helm';

const EXAMPLES = readdirSync(join(CHART, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(CHART, 'examples', f));

/*
 * Names DESIGN.md lists that the service does not read yet. Keep this EMPTY unless an example or default must use
 * one of them before the service does; the service engineer removes each entry once Environment declares it.
 */
const PENDING_IN_SERVICE: string[] = [];

const readByService = new Set([...environmentVariableNames(), ...PENDING_IN_SERVICE]);

function deployment(objects: K8sObject[]): K8sObject {
  return get(objects, 'Deployment', 'led-live-end-detector');
}

function container(objects: K8sObject[]) {
  const containers = deployment(objects).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

function configData(objects: K8sObject[]): Record<string, string> {
  return get(objects, 'ConfigMap', 'led-live-end-detector').data ?? {};
}

function secretData(objects: K8sObject[]): Record<string, string> {
  const data = get(objects, 'Secret', 'led-live-end-detector').data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v as string, 'base64').toString()]));
}

/** Every environment variable name the pods of the service can get from the chart's own objects. */
function envNamesOf(objects: K8sObject[]): string[] {
  const names = new Set<string>(Object.keys(configData(objects)));
  const secret = find(objects, 'Secret', 'led-live-end-detector');
  for (const key of Object.keys(secret?.data ?? {})) names.add(key);
  for (const env of container(objects).env ?? []) names.add(env.name);
  return [...names].sort();
}

const RENDERINGS: [string, object, string[]][] = [
  ['default values', {}, []],
  ...EXAMPLES.map((file): [string, object, string[]] => [`examples/${file.split('/').pop()}`, {}, [file]]),
  ['in-chart Redis with a password Secret', { redis: { internal: { enabled: true } }, secrets: { REDIS_PASSWORD: 'x' } }, []],
  ['external Redis password from a Redis Secret', { redis: { passwordSecret: { name: 'redis' } } }, []],
];

describe('helm chart: environment variables', () => {
  it.each(RENDERINGS)('%s: every variable the chart sets is one the service reads', (_name, values, files) => {
    const names = envNamesOf(render(values, files));
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => !readByService.has(n))).toEqual([]);
  });

  it('values.yaml and every example only name variables the service reads (config and secrets keys)', () => {
    for (const file of [join(CHART, 'values.yaml'), ...EXAMPLES]) {
      const values = load(readText(file)) as { config?: object; secrets?: object };
      const names = [...Object.keys(values.config ?? {}), ...Object.keys(values.secrets ?? {})];
      expect({ file, unknown: names.filter((n) => !readByService.has(n)) }).toEqual({ file, unknown: [] });
    }
  });

  it('names hard-coded in the templates are ones the service reads', () => {
    const dir = join(CHART, 'templates');
    const hardCoded = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f !== 'redis-statefulset.yaml' && f !== 'NOTES.txt')) {
      const text = readText(join(dir, file));
      // ConfigMap keys written by the helpers (`REDIS_URL: ...`) and container env entries (`- name: PORT`).
      for (const m of text.matchAll(/^\s*([A-Z][A-Z0-9_]{2,}):/gm)) hardCoded.add(m[1]);
      for (const m of text.matchAll(/-\s+name:\s+([A-Z][A-Z0-9_]{2,})\s*$/gm)) hardCoded.add(m[1]);
    }
    expect([...hardCoded].sort()).toEqual(
      expect.arrayContaining(['PORT', 'REDIS_MODE', 'REDIS_NODES', 'REDIS_PASSWORD', 'REDIS_SENTINEL_MASTER', 'REDIS_URL']),
    );
    expect([...hardCoded].filter((n) => !readByService.has(n))).toEqual([]);
  });

  it('PORT follows the container port', () => {
    const c = container(render({ containerPorts: { http: 9090 } }));
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9090, protocol: 'TCP' }]);
    expect(c.env).toContainEqual({ name: 'PORT', value: '9090' });
  });

  it('renders the Redis connection for each mode', () => {
    expect(configData(render({ redis: { url: 'rediss://r.example:6380/1' } }))).toMatchObject({
      REDIS_MODE: 'standalone',
      REDIS_URL: 'rediss://r.example:6380/1',
    });
    const sentinel = configData(render({ redis: { mode: 'sentinel', nodes: ['s1:26379', 's2:26379'], sentinelMaster: 'mymaster' } }));
    expect(sentinel).toMatchObject({ REDIS_MODE: 'sentinel', REDIS_NODES: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'mymaster' });
    expect(sentinel.REDIS_URL).toBeUndefined();
    const cluster = configData(render({ redis: { mode: 'cluster', nodes: ['c1:6379', 'c2:6379'] } }));
    expect(cluster).toMatchObject({ REDIS_MODE: 'cluster', REDIS_NODES: 'c1:6379,c2:6379' });
    expect(cluster.REDIS_SENTINEL_MASTER).toBeUndefined();
  });

  it('refuses an incomplete Redis setting with a message naming the value', () => {
    expect(tryRender({ redis: { mode: 'sentinel', nodes: ['s1:26379'] } }).stderr).toMatch(/redis.sentinelMaster is required/);
    expect(tryRender({ redis: { mode: 'cluster' } }).stderr).toMatch(/redis.nodes .* is required/);
    expect(tryRender({ redis: { url: '' } }).stderr).toMatch(/redis.url is required/);
  });
});

describe('helm chart: probes and pod lifecycle', () => {
  const objects = render();
  const c = container(objects);
  const pod = deployment(objects).spec.template.spec;

  it('liveness is GET /healthz and readiness GET /readyz on the container port 8080 (env PORT)', () => {
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.env).toContainEqual({ name: 'PORT', value: '8080' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const startup = container(render({ startupProbe: { enabled: true } })).startupProbe;
    expect(startup.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('the Service and the ServiceMonitor reach the http port; metrics at /metrics', () => {
    const all = render({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } } });
    const service = get(all, 'Service', 'led-live-end-detector');
    expect(service.spec.ports[0]).toMatchObject({ name: 'http', targetPort: 'http' });
    expect(service.spec.selector).toEqual(deployment(all).spec.selector.matchLabels);
    const monitor = get(all, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels).toMatchObject({ release: 'prom' });
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(monitor.spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(service.metadata.labels).toMatchObject(service.spec.selector);
    expect(find(render(), 'ServiceMonitor')).toBeUndefined();
  });

  it('runs locked down: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(get(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(c.resources.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
    expect(c.resources.limits.memory).toBeDefined();
  });

  it('mounts an emptyDir at /tmp (the only writable place)', () => {
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  });

  it('pauses in preStop (sleep action, no shell) and gives more grace than preStop + SHUTDOWN_TIMEOUT_MS', () => {
    expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10 + 10);
    const slow = deployment(render({ config: { SHUTDOWN_TIMEOUT_MS: '30500' }, lifecycle: { preStopSleepSeconds: 5 } }));
    expect(slow.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(5 + 31);
    expect(tryRender({ terminationGracePeriodSeconds: 15 }).stderr).toMatch(/terminationGracePeriodSeconds \(15\) must exceed/);
    expect(deployment(render({ terminationGracePeriodSeconds: 60 })).spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  it('spreads the pods across nodes and zones', () => {
    const keys = pod.topologySpreadConstraints.map((t: { topologyKey: string }) => t.topologyKey);
    expect(keys).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const t of pod.topologySpreadConstraints)
      expect(t.labelSelector.matchLabels).toEqual(deployment(objects).spec.selector.matchLabels);
  });

  it('scales with an autoscaling/v2 HPA (no fixed replicas) and keeps pods up with a PDB', () => {
    const hpa = get(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'led-live-end-detector' });
    expect(deployment(objects).spec.replicas).toBeUndefined();
    expect(get(objects, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(deployment(objects).spec.selector.matchLabels);
    const fixed = render({ autoscaling: { enabled: false }, replicaCount: 3 });
    expect(find(fixed, 'HorizontalPodAutoscaler')).toBeUndefined();
    expect(deployment(fixed).spec.replicas).toBe(3);
  });

  it('optional objects stay off by default and render when enabled', () => {
    for (const kind of ['Ingress', 'NetworkPolicy', 'ServiceMonitor', 'StatefulSet']) expect(find(objects, kind)).toBeUndefined();
    // The only Secret of a default install holds the generated AUTH_JWT_SECRET (auth.mode jwt); without jwt, none.
    expect(Object.keys(secretData(objects))).toEqual(['AUTH_JWT_SECRET']);
    expect(find(render({ auth: { mode: 'none' } }), 'Secret')).toBeUndefined();
    const all = render({ ingress: { enabled: true, className: 'nginx' }, networkPolicy: { enabled: true, allowExternal: false } });
    const ingress = get(all, 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'led-live-end-detector', port: { name: 'http' } });
    const policy = get(all, 'NetworkPolicy');
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(policy.spec.ingress[0].from).toBeDefined();
  });
});

describe('helm chart: secrets', () => {
  const secrets = {
    WEBHOOK_SECRET: 'webhook-secret-value-0123456789',
    ADMIN_TOKEN: 'admin-token-value-0123456789',
    REDIS_PASSWORD: 'redis-password-value-0123',
  };
  const objects = render({ secrets, config: { NOTIFIERS: 'log,webhook', WEBHOOK_URLS: 'https://backend.example/hook' } });

  it('secret values land in the Secret and never in the ConfigMap (or anywhere else)', () => {
    expect(secretData(objects)).toEqual({ ...secrets, AUTH_JWT_SECRET: expect.stringMatching(/^[A-Za-z0-9]{48}$/) });
    const elsewhere = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
    for (const value of Object.values(secrets)) expect(elsewhere).not.toContain(value);
    for (const name of Object.keys(secrets)) expect(configData(objects)[name]).toBeUndefined();
    expect(container(objects).envFrom).toEqual([
      { configMapRef: { name: 'led-live-end-detector' } },
      { secretRef: { name: 'led-live-end-detector' } },
    ]);
  });

  it('refuses a secret variable in `config` and a password inside redis.url', () => {
    for (const name of Object.keys(secrets)) {
      const result = tryRender({ config: { [name]: 'x' } });
      expect({ name, ok: result.ok }).toEqual({ name, ok: false });
    }
    expect(tryRender({ redis: { url: 'redis://:hunter2@r:6379' } }).stderr).toMatch(/must not carry a password/);
  });

  it('a change of config or secrets rolls the pods (checksum annotations)', () => {
    const annotations = (o: K8sObject[]) => deployment(o).spec.template.metadata.annotations;
    const base = annotations(objects);
    expect(base['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
    expect(base['checksum/secret']).toMatch(/^[a-f0-9]{64}$/);
    const newSecret = annotations(
      render({
        secrets: { ...secrets, ADMIN_TOKEN: 'another-admin-token-0123456789' },
        config: { NOTIFIERS: 'log,webhook', WEBHOOK_URLS: 'https://backend.example/hook' },
      }),
    );
    expect(newSecret['checksum/secret']).not.toBe(base['checksum/secret']);
    expect(newSecret['checksum/config']).toBe(base['checksum/config']);
    const newConfig = annotations(render({ secrets, config: { NOTIFIERS: 'log,webhook', WEBHOOK_URLS: 'https://other.example/hook' } }));
    expect(newConfig['checksum/config']).not.toBe(base['checksum/config']);
  });

  it('existingSecret: no Secret rendered, the pods (and the in-chart Redis) read the named one', () => {
    const all = render({ existingSecret: 'managed-elsewhere', redis: { internal: { enabled: true } } });
    expect(find(all, 'Secret')).toBeUndefined();
    expect(container(all).envFrom).toContainEqual({ secretRef: { name: 'managed-elsewhere' } });
    const redis = get(all, 'StatefulSet').spec.template.spec.containers[0];
    expect(redis.env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'managed-elsewhere', key: 'REDIS_PASSWORD', optional: true } },
    });
    expect(deployment(all).spec.template.metadata.annotations['checksum/secret']).toBeUndefined();
    expect(tryRender({ existingSecret: 'x', secrets: { ADMIN_TOKEN: 'y'.repeat(16) } }).stderr).toMatch(/either existingSecret or secrets/);
  });

  it('redis.passwordSecret feeds REDIS_PASSWORD from the Secret of the Redis installation', () => {
    const c = container(render({ redis: { passwordSecret: { name: 'redis', key: 'redis-password' } } }));
    expect(c.env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'redis-password' } } });
  });
});

describe('helm chart: Grafana dashboard and alert rules (files/)', () => {
  const dashboardFile = JSON.parse(readText(join(CHART, 'files/grafana-dashboard.json')));
  const rulesFile = load(readText(join(CHART, 'files/prometheus-rules.yaml'))) as { groups: unknown[] };

  it('off by default', () => {
    const objects = render();
    expect(find(objects, 'ConfigMap', 'led-live-end-detector-dashboard')).toBeUndefined();
    expect(find(objects, 'PrometheusRule')).toBeUndefined();
  });

  it('grafanaDashboard.enabled: a ConfigMap the Grafana sidecar picks up (grafana_dashboard: "1") holding the dashboard file', () => {
    const map = get(
      render({ grafanaDashboard: { enabled: true, annotations: { grafana_folder: 'Live' } } }),
      'ConfigMap',
      'led-live-end-detector-dashboard',
    );
    expect(map.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/name': 'live-end-detector' });
    expect(map.metadata.annotations).toEqual({ grafana_folder: 'Live' });
    expect(map.metadata.namespace).toBe('live');
    expect(Object.keys(map.data)).toEqual(['live-end-detector.json']);
    expect(JSON.parse(map.data['live-end-detector.json'])).toEqual(dashboardFile);
    const elsewhere = get(
      render({ grafanaDashboard: { enabled: true, namespace: 'monitoring', label: 'dashboards', labelValue: 'led' } }),
      'ConfigMap',
      'led-live-end-detector-dashboard',
    );
    expect(elsewhere.metadata.namespace).toBe('monitoring');
    expect(elsewhere.metadata.labels).toMatchObject({ dashboards: 'led' });
    expect(elsewhere.metadata.labels?.grafana_dashboard).toBeUndefined();
  });

  it('prometheusRule.enabled: a PrometheusRule whose spec is the rules file', () => {
    const rule = get(render({ prometheusRule: { enabled: true, labels: { release: 'prom' } } }), 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'led-live-end-detector', namespace: 'live' });
    expect(rule.metadata.labels).toMatchObject({ release: 'prom' });
    expect(rule.spec).toEqual(rulesFile);
    expect(rulesFile.groups.length).toBeGreaterThan(0);
  });
});

describe('helm chart: values.schema.json', () => {
  it.each([
    ['a wrong type', { replicaCount: 'two' }, /replicaCount: Invalid type/],
    [
      'a number where an environment variable (string) is expected',
      { config: { HEARTBEAT_TIMEOUT_MS: 20000 } },
      /config.HEARTBEAT_TIMEOUT_MS: Invalid type/,
    ],
    ['an unknown top-level key', { replicas: 3 }, /Additional property replicas is not allowed/],
    ['an unknown nested key', { redis: { internal: { persistance: { size: '1Gi' } } } }, /Additional property persistance is not allowed/],
    ['an unknown probe field', { livenessProbe: { path: '/x' } }, /Additional property path is not allowed/],
    ['a bad Redis mode', { redis: { mode: 'replica' } }, /redis.mode/],
    ['a malformed node list', { redis: { mode: 'cluster', nodes: ['c1'] } }, /redis.nodes.0/],
    ['a lower-case variable name', { config: { log_level: 'debug' } }, /config/],
    ['PORT in config (set by containerPorts.http)', { config: { PORT: '9000' } }, /config/],
    ['an unknown key under grafanaDashboard', { grafanaDashboard: { enable: true } }, /Additional property enable is not allowed/],
    ['an unknown key under prometheusRule', { prometheusRule: { rules: [] } }, /Additional property rules is not allowed/],
  ])('%s makes helm template fail', (_what, values, message) => {
    const result = tryRender(values);
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(result.stderr).toMatch(message);
  });
});

describe('helm chart: in-chart Redis (not for production)', () => {
  const objects = render({ redis: { internal: { enabled: true, persistence: { size: '2Gi', storageClass: 'fast' } } } });
  const statefulSet = get(objects, 'StatefulSet', 'led-live-end-detector-redis');
  const redis = statefulSet.spec.template.spec.containers[0];

  it('is a StatefulSet running redis with appendonly on a PersistentVolumeClaim template', () => {
    expect(statefulSet.spec.replicas).toBe(1);
    expect(redis.command.join(' ')).toMatch(/redis-server .*--appendonly yes/);
    expect(redis.command.join(' ')).toMatch(/--dir \/data/);
    expect(redis.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'data' }),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } },
      }),
    ]);
    expect(statefulSet.metadata.annotations).toMatchObject({ 'live-end-detector/not-for-production': 'true' });
    expect(redis.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it('REDIS_URL points at its Service, which selects the Redis pod', () => {
    const service = get(objects, 'Service', 'led-live-end-detector-redis');
    expect(statefulSet.spec.serviceName).toBe('led-live-end-detector-redis');
    expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0]).toMatchObject({ port: 6379, targetPort: 'redis' });
    expect(configData(objects)).toMatchObject({ REDIS_MODE: 'standalone', REDIS_URL: 'redis://led-live-end-detector-redis:6379' });
    // The service's pods must not be selected by the Redis Service, nor the reverse.
    expect(service.spec.selector['app.kubernetes.io/component']).toBe('redis');
    expect(deployment(objects).spec.selector.matchLabels['app.kubernetes.io/component']).toBe('server');
  });

  it('runs only in standalone mode', () => {
    expect(tryRender({ redis: { mode: 'cluster', nodes: ['c:6379'], internal: { enabled: true } } }).stderr).toMatch(
      /set redis.mode to standalone/,
    );
  });
});

describe('helm chart: anchor authentication (AUTH_MODE)', () => {
  it('sets AUTH_MODE from auth.mode, jwt by default, with a generated 48-character AUTH_JWT_SECRET', () => {
    const objects = render();
    expect(configData(objects).AUTH_MODE).toBe('jwt');
    expect(secretData(objects).AUTH_JWT_SECRET).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(container(objects).envFrom).toContainEqual({ secretRef: { name: 'led-live-end-detector' } });
    expect(configData(render({ auth: { mode: 'none' } })).AUTH_MODE).toBe('none');
  });

  it('generates no key when one is given (secrets, config public key, existingSecret)', () => {
    expect(secretData(render({ secrets: { AUTH_JWT_SECRET: 'k'.repeat(40) } })).AUTH_JWT_SECRET).toBe('k'.repeat(40));
    expect(find(render({ config: { AUTH_JWT_PUBLIC_KEY: 'pem' } }), 'Secret')).toBeUndefined();
    expect(find(render({ existingSecret: 'mine' }), 'Secret')).toBeUndefined();
  });

  it('refuses an unknown mode, AUTH_MODE in config, and jwt without any key when generation is off', () => {
    expect(tryRender({ auth: { mode: 'open' } }).stderr).toMatch(/auth\.mode must be one of the following: "jwt", "none"/);
    expect(tryRender({ config: { AUTH_MODE: 'none' } }).ok).toBe(false);
    expect(tryRender({ auth: { jwt: { generateSecret: false } } }).stderr).toMatch(/auth.mode=jwt needs a key to verify anchor tokens/);
  });

  it('NOTES.txt says the mode, how to read the generated key, and warns about none', () => {
    const jwt = renderNotes();
    expect(jwt).toContain('AUTH_MODE=jwt');
    expect(jwt).toContain("get secret led-live-end-detector -o jsonpath='{.data.AUTH_JWT_SECRET}' | base64 -d");
    const none = renderNotes({ auth: { mode: 'none' } });
    expect(none).toContain('WARNING: auth.mode=none');
    expect(none).not.toContain('Authorization: Bearer $TOKEN');
    expect(renderNotes({ existingSecret: 'mine' })).toContain('Secret "mine": it must hold AUTH_JWT_SECRET');
  });
});

describe('helm chart: NOTES.txt', () => {
  it('tells how to send a test heartbeat with curl', () => {
    const notes = renderNotes();
    expect(notes).toContain('kubectl -n live port-forward service/led-live-end-detector 8080:80');
    expect(notes).toMatch(/curl -sS -X POST "\$BASE_URL\/v1\/rooms\/room-1\/heartbeat"/);
    expect(notes).toContain(`-d '{"liveId":"live-test-1","anchorId":"anchor-1"}'`);
    expect(notes).toContain('Authorization: Bearer');
  });

  it('uses the bearer JWT in the example when AUTH_MODE is jwt, and warns about the in-chart Redis', () => {
    const notes = renderNotes({ auth: { mode: 'jwt' }, redis: { internal: { enabled: true } } });
    expect(notes).toContain('-H "Authorization: Bearer $TOKEN"');
    expect(notes).toContain('NOT FOR PRODUCTION');
  });
});

describe('helm chart: documentation', () => {
  const valuesText = readText(join(CHART, 'values.yaml'));
  const params = [...valuesText.matchAll(/^\s*## @param (\S+) /gm)].map((m) => m[1]);

  it('every value in values.yaml has a `## @param` line (on it or on an enclosing map)', () => {
    const leaves: string[] = [];
    const walk = (node: unknown, path: string[]) => {
      if (path.length > 0 && params.includes(path.join('.'))) return;
      if (node && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length > 0)
        for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
      else leaves.push(path.join('.'));
    };
    walk(load(valuesText), []);
    expect(leaves).toEqual([]);
  });

  it('the README parameter table lists every `## @param`', () => {
    const readme = readText(join(CHART, 'README.md'));
    expect(params.filter((p) => !readme.includes(`| \`${p}\` |`))).toEqual([]);
  });

  it('the schema knows every key of values.yaml', () => {
    // helm validates the defaults too, but an unused schema branch would hide a typo in values.yaml.
    const schema = JSON.parse(readText(join(CHART, 'values.schema.json')));
    const values = load(valuesText) as Record<string, unknown>;
    expect(Object.keys(values).filter((k) => !(k in schema.properties))).toEqual([]);
  });
});
