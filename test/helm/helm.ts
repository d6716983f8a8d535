import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadAll } from 'js-yaml';

export const CHART = join(__dirname, '../../helm/live-end-detector');
/** Kubernetes version the chart is rendered for (a helm built by `go install` assumes 1.20 otherwise). */
export const KUBE_VERSION = '1.33.0';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

let helmPath: string | undefined;

/** helm from $HELM, PATH or $(go env GOPATH)/bin; a clear failure when there is none. */
export function helm(): string {
  if (helmPath) return helmPath;
  const candidates: string[] = [];
  if (process.env.HELM) candidates.push(process.env.HELM);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'helm'));
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' });
  if (gopath.status === 0) for (const dir of gopath.stdout.trim().split(delimiter)) candidates.push(join(dir, 'bin', 'helm'));
  helmPath = candidates.find((file) => existsSync(file));
  if (!helmPath)
    throw new Error(
      'helm not found (looked at $HELM, PATH and $(go env GOPATH)/bin). Install it with ' +
        '`go install helm.sh/helm/v3/cmd/helm@v3.16.4` (test/helm/run-chart-tests.sh does this) or set HELM.',
    );
  return helmPath;
}

export interface RenderResult {
  ok: boolean;
  objects: K8sObject[];
  stderr: string;
}

/**
 * `helm template` with the given values (an object, written to a file as JSON, which is YAML) and/or values files.
 */
export function tryRender(values: object = {}, files: string[] = [], chart = CHART): RenderResult {
  const dir = mkdtempSync(join(tmpdir(), 'led-chart-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    const args = ['template', 'led', chart, '--namespace', 'live', '--kube-version', KUBE_VERSION];
    for (const file of files) args.push('-f', file);
    args.push('-f', valuesFile);
    const run = spawnSync(helm(), args, { encoding: 'utf8' });
    if (run.status !== 0) return { ok: false, objects: [], stderr: run.stderr };
    const objects = (loadAll(run.stdout) as (K8sObject | null)[]).filter((o): o is K8sObject => !!o);
    return { ok: true, objects, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function render(values: object = {}, files: string[] = []): K8sObject[] {
  const result = tryRender(values, files);
  if (!result.ok) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.objects;
}

/** Renders NOTES.txt (which `helm template` skips) through `tpl` in a copy of the chart. */
export function renderNotes(values: object = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'led-notes-'));
  try {
    const chart = join(dir, 'chart');
    cpSync(CHART, chart, { recursive: true });
    renameSync(join(chart, 'templates/NOTES.txt'), join(chart, 'notes.txt'));
    writeFileSync(
      join(chart, 'templates/notes-probe.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n',
    );
    const result = tryRender(values, [], chart);
    if (!result.ok) throw new Error(`helm template failed:\n${result.stderr}`);
    return result.objects.find((o) => o.metadata.name === 'notes-probe')!.data.notes as string;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function get(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const object = find(objects, kind, name);
  if (!object)
    throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered; got ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return object;
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

export function helmVersion(): string {
  return execFileSync(helm(), ['version', '--short'], { encoding: 'utf8' }).trim();
}
