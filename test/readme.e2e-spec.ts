import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentVariableNames } from '../src/config/load-environment';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('README and docs/', () => {
  it('the operators\' configuration pages document every variable the service reads', () => {
    // The Tencent IM variables are documented with the IM setup; all others in configuration.md.
    const docs = read('docs/operators/configuration.md') + read('docs/operators/tencent-im.md');
    const missing = environmentVariableNames().filter((name) => !docs.includes('`' + name + '`'));
    expect(missing).toEqual([]);
  });

  it('the README stays a front door: under 300 lines, the two commands, a way to every reader\'s page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThan(300);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    for (const page of ['anchor-apps.md', 'viewer-apps.md', 'backends-and-webhooks.md', 'operators/README.md', 'security.md', 'benchmarks.md', 'architecture.md']) {
      expect(readme).toContain(`](docs/${page})`);
    }
  });

  it('states the Node.js version package.json requires, and no other', () => {
    const required = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node.replace(/^>=/, '');
    const docs = ['README.md', 'docs/anchor-apps.md'].map(read).join('\n');
    const stated = [...docs.matchAll(/Node(?:\.js)? (\d+(?:\.\d+)*)(\+| or later)/g)].map((m) => m[1]);
    expect(stated.length).toBeGreaterThan(0);
    expect(stated.filter((version) => version !== required)).toEqual([]);
  });
});
