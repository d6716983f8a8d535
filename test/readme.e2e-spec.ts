import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentVariableNames } from '../src/config/load-environment';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it('documents every variable the service reads', () => {
    const missing = environmentVariableNames().filter((name) => !readme.includes('`' + name + '`'));
    expect(missing).toEqual([]);
  });
});
