/**
 * The chart starts as documented: renders the chart with its defaults, with each file in examples/ and with each
 * documented `helm upgrade --install` command, takes the environment Kubernetes would give the container (env and
 * envFrom, with secretKeyRef / secretRef / configMapRef resolved from the rendered objects), and starts the built
 * service (`node dist/main.js`) with exactly that environment until GET /readyz answers 200.
 *
 * Only what cannot exist outside a cluster is replaced: Redis addresses point at local processes of the same mode
 * (a redis-server, over TLS for rediss://, with the rendered password; a Sentinel set watching the rendered master
 * name; a Cluster), PORT is a free port, and Secrets the chart does not render (existingSecret, the Redis
 * installation's Secret) get test values for the keys the documentation's `kubectl create secret` commands put there.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { freePort } from '../support/free-port';
import { ask, redisServerBin, waitForPing } from '../support/redis-process';
import { RedisClusterSet } from '../support/redis-cluster';
import { RedisSentinelSet } from '../support/redis-sentinel';
import { waitFor } from '../support/wait-for';
import { CHART, helm, K8sObject, KUBE_VERSION } from './helm';

const ROOT = join(__dirname, '..', '..');
const DIST_MAIN = join(ROOT, 'dist', 'main.js');
/** Documents holding install commands (and the `kubectl create secret` commands they rely on). */
const INSTALL_DOCS = [join(ROOT, 'docs', 'operators', 'deploy.md'), join(CHART, 'README.md')];
const EXAMPLES = readdirSync(join(CHART, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(CHART, 'examples', f));

/** Test values for secret variables kept in Secrets the chart does not render; each valid for the service. */
const TEST_SECRET_VALUES: Record<string, string> = {
  REDIS_PASSWORD: 'test-redis-password-0123',
  WEBHOOK_SECRET: 'whsec_' + Buffer.from('test-webhook-secret-0123456789abcdef').toString('base64'),
  ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
  AUTH_JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
};

/** Lines with YAML comment marks removed and backslash-continued lines joined, as a shell would read them. */
function commandLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*#\s?/, ''))
    .join('\n')
    .replace(/\\\n\s*/g, ' ')
    .split('\n');
}

/** Splits a command line into words: single and double quotes, backslash escapes outside quotes. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; line[j] !== '"'; j++) text += line[j] === '\\' ? line[++j] : line[j];
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\') word = (word ?? '') + line[++i];
    else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '#' && word === null) break;
    else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** `helm template` arguments of each documented `helm upgrade --install` / `helm install` command. */
function documentedInstalls(): Array<{ name: string; args: string[] }> {
  return INSTALL_DOCS.flatMap((doc) =>
    commandLines(readFileSync(doc, 'utf8'))
      .filter((line) => /^\s*helm (upgrade --install|install) /.test(line))
      .map((line, i) => {
        const words = shellWords(line);
        const start = words.indexOf('--install') >= 0 ? words.indexOf('--install') + 1 : 2;
        const rest = words.slice(start + 2); // after the release name and the chart path
        const args: string[] = [];
        for (let j = 0; j < rest.length; j++) {
          if (rest[j] === '-n' || rest[j] === '--namespace')
            j++; // rendered into the test namespace
          else args.push(rest[j]);
        }
        return { name: `${doc.slice(ROOT.length + 1)} install command ${i + 1}`, args };
      }),
  );
}

/** Secret name → keys, from every documented `kubectl create secret generic NAME --from-literal=KEY=…`. */
function documentedSecretKeys(): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const file of [...INSTALL_DOCS, ...EXAMPLES])
    for (const line of commandLines(readFileSync(file, 'utf8'))) {
      const name = /create secret generic (\S+)/.exec(line)?.[1];
      if (!name) continue;
      const keys = secrets.get(name) ?? new Set<string>();
      for (const m of line.matchAll(/--from-literal=([A-Za-z0-9_.-]+)=/g)) keys.add(m[1]);
      secrets.set(name, keys);
    }
  return secrets;
}

function renderChart(args: string[]): K8sObject[] {
  const out = execFileSync(helm(), ['template', 'led', CHART, '--namespace', 'live', '--kube-version', KUBE_VERSION, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (loadAll(out) as (K8sObject | null)[]).filter((o): o is K8sObject => !!o);
}

/**
 * The container's environment as the kubelet builds it: envFrom sources in order, then env entries (which win).
 * A reference to a missing ConfigMap, Secret or key throws, as the pod would not start (CreateContainerConfigError).
 */
function containerEnvironment(objects: K8sObject[], documented: Map<string, Set<string>>): Record<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'led-live-end-detector');
  if (!deployment) throw new Error('no Deployment rendered');
  const container = deployment.spec.template.spec.containers[0];
  const rendered = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const configMap = (name: string): Record<string, string> => {
    const object = rendered('ConfigMap', name);
    if (!object) throw new Error(`ConfigMap ${name} is referenced but not rendered`);
    return object.data ?? {};
  };
  const secret = (name: string, wantedKey?: string): Record<string, string> => {
    const object = rendered('Secret', name);
    if (object)
      return Object.fromEntries(
        Object.entries((object.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
      );
    // A Secret managed outside the chart: the keys the documentation creates, or the one key a secretKeyRef names.
    const keys = documented.get(name) ?? new Set(wantedKey ? [wantedKey] : []);
    if (keys.size === 0) throw new Error(`Secret ${name} is neither rendered nor created by a documented command`);
    return Object.fromEntries(
      [...keys].map((key) => {
        const variable = wantedKey && key === wantedKey && !(key in TEST_SECRET_VALUES) ? 'REDIS_PASSWORD' : key;
        if (!(variable in TEST_SECRET_VALUES)) throw new Error(`no test value for key ${key} of Secret ${name}`);
        return [key, TEST_SECRET_VALUES[variable]];
      }),
    );
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
    else if (source.secretRef) Object.assign(env, secret(source.secretRef.name));
  }
  for (const entry of container.env ?? []) {
    if ('value' in entry) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      const data = secret(name, key);
      if (!(key in data)) throw new Error(`key ${key} missing in Secret ${name} (env ${entry.name})`);
      env[entry.name] = data[key];
    } else if (entry.valueFrom?.configMapKeyRef) {
      const { name, key } = entry.valueFrom.configMapKeyRef;
      const data = configMap(name);
      if (!(key in data)) throw new Error(`key ${key} missing in ConfigMap ${name} (env ${entry.name})`);
      env[entry.name] = data[key];
    } else throw new Error(`env ${entry.name}: unsupported source ${JSON.stringify(entry)}`);
  }
  return env;
}

/** A standalone redis-server for one boot: the rendered password, and TLS for a rediss:// URL. */
class LocalRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(password: string | undefined, tls: TlsFiles | null): Promise<LocalRedis> {
    const plainPort = await freePort();
    const args = ['--port', String(plainPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    let port = plainPort;
    if (tls) {
      port = await freePort();
      args.push('--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-auth-clients', 'no');
    }
    const child = spawn(redisServerBin(), args, { stdio: 'ignore' });
    await waitForPing(plainPort);
    if (password) execFileSync('redis-cli', ['-p', String(plainPort), 'CONFIG', 'SET', 'requirepass', password], { stdio: 'ignore' });
    return new LocalRedis(child, port);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

interface TlsFiles {
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1, trusted by the service through NODE_EXTRA_CA_CERTS. */
function makeTlsFiles(dir: string): TlsFiles {
  const cert = join(dir, 'redis.crt');
  const key = join(dir, 'redis.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

const RENDERINGS: Array<{ name: string; args: string[] }> = [
  { name: 'default values', args: [] },
  ...EXAMPLES.map((file) => ({ name: `examples/${file.split('/').pop()}`, args: ['-f', file] })),
  ...documentedInstalls(),
];

describe('helm chart: the service starts with what the chart renders', () => {
  const documented = documentedSecretKeys();
  const dir = mkdtempSync(join(tmpdir(), 'led-chart-boot-'));
  const tls = makeTlsFiles(dir);
  const sentinels = new Map<string, RedisSentinelSet>();
  let cluster: RedisClusterSet | null = null;
  let service: ChildProcess | null = null;

  beforeAll(() => {
    if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} missing: run npm run build first`);
  });

  afterEach(async () => {
    const child = service;
    service = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });

  afterAll(async () => {
    await Promise.all([...sentinels.values()].map((s) => s.destroy()));
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the defaults, every example and the documented install commands', () => {
    expect(RENDERINGS.length).toBeGreaterThanOrEqual(1 + EXAMPLES.length + 2);
    expect(documented.get('live-end-detector-secrets')).toEqual(
      new Set(['WEBHOOK_SECRET', 'ADMIN_TOKEN', 'AUTH_JWT_SECRET', 'REDIS_PASSWORD']),
    );
  });

  it.each(RENDERINGS)('$name: node dist/main.js becomes ready (GET /readyz 200)', async ({ args }) => {
    const env = containerEnvironment(renderChart(args), documented);

    // Redis of the rendered mode, on this machine.
    let redis: LocalRedis | null = null;
    const extra: Record<string, string> = {};
    // Sentinel and Cluster sets are shared by the renderings of their mode, emptied before each, as a new install's.
    if (env.REDIS_MODE === 'sentinel') {
      const master = env.REDIS_SENTINEL_MASTER;
      if (!sentinels.has(master)) sentinels.set(master, await RedisSentinelSet.start(master));
      const set = sentinels.get(master)!;
      await ask(await set.primaryPort(), 'FLUSHALL');
      env.REDIS_NODES = set.env.REDIS_NODES;
    } else if (env.REDIS_MODE === 'cluster') {
      cluster ??= await RedisClusterSet.start();
      await Promise.all(cluster.nodes.map((node) => ask(node.port, 'FLUSHALL')));
      env.REDIS_NODES = cluster.env.REDIS_NODES;
    } else {
      const url = new URL(env.REDIS_URL);
      const secure = url.protocol === 'rediss:';
      redis = await LocalRedis.start(env.REDIS_PASSWORD, secure ? tls : null);
      url.hostname = '127.0.0.1';
      url.port = String(redis.port);
      env.REDIS_URL = url.toString();
      if (secure) extra.NODE_EXTRA_CA_CERTS = tls.cert;
    }
    const port = await freePort();
    env.PORT = String(port);

    let output = '';
    const child = spawn(process.execPath, [DIST_MAIN], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    service = child;
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output.slice(-3000)}`);
          const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
          return answer?.status === 200;
        },
        45000,
        'GET /readyz 200',
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nservice output:\n${output.slice(-3000)}`);
      });
    } finally {
      await redis?.stop();
    }
  });
});
