import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_PAGE, environmentTables, withEnvironmentTables } from '../scripts/env-docs';
import { environmentVariableNames } from '../src/config/load-environment';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('README and docs/', () => {
  it('the variable tables of docs/operators/configuration.md are what `npm run docs:env` generates from environment.ts', () => {
    const page = readFileSync(CONFIGURATION_PAGE, 'utf8');
    // On failure: run `npm run docs:env` and commit docs/operators/configuration.md.
    expect(page).toBe(withEnvironmentTables(page));
  });

  it('the generated tables have a row for every variable the service reads, with its default', () => {
    const tables = environmentTables();
    const missing = environmentVariableNames().filter((name) => !tables.includes('| `' + name + '` |'));
    expect(missing).toEqual([]);
    expect(tables).toContain('| `HEARTBEAT_TIMEOUT_MS` | `20000` | integer 200–86400000 ms |');
    expect(tables).toMatch(/\| `SUSPECT_AFTER_MS` \| half of `HEARTBEAT_TIMEOUT_MS` \(`10000` with the defaults\) \|/);
    expect(tables).toContain('| `AUTH_MODE` | **required** | one of `jwt`, `none` |');
  });

  it("the README stays a front door: under 300 lines, the two commands, a way to every reader's page", () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThan(300);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    for (const page of [
      'anchor-apps.md',
      'viewer-apps.md',
      'backends-and-webhooks.md',
      'operators/README.md',
      'security.md',
      'benchmarks.md',
      'architecture.md',
    ]) {
      expect(readme).toContain(`](docs/${page})`);
    }
  });

  it("every section of the operators' guide that a message of the service names exists", () => {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
    );
    const named = new Set(
      sources.flatMap((f) => [...read(join('src', f)).matchAll(/operators\\?' guide, \\?"([^"\\]+)\\?"/g)].map((m) => m[1])),
    );
    const guide = readdirSync(join(ROOT, 'docs', 'operators'))
      .map((f) => read(join('docs', 'operators', f)))
      .join('\n');
    const headings = new Set([...guide.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].trim()));
    expect(named).toContain('Changing the layout or SHARDS');
    expect([...named].filter((title) => !headings.has(title))).toEqual([]);
  });

  it('states the Node.js version package.json requires, and no other', () => {
    const required = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node.replace(/^>=/, '');
    const pages = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
    ];
    const docs = pages.map(read).join('\n');
    const stated = [...docs.matchAll(/Node(?:\.js)? (\d+(?:\.\d+)*)(\+| or later)/g)].map((m) => m[1]);
    expect(stated.length).toBeGreaterThan(0);
    expect(stated.filter((version) => version !== required)).toEqual([]);
  });
});
