import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';

test('docs/library.md shows the example suite exactly as test/library/example-suite.test.ts runs it', () => {
  const doc = readFileSync(new URL('../../docs/library.md', import.meta.url), 'utf8');
  const m = /<!-- example: test\/library\/example-suite\.test\.ts -->\n```ts[^\n]*\n([\s\S]*?)```\n/.exec(doc);
  expect(m, 'the example block after its marker').not.toBeNull();
  expect(m![1]).toBe(readFileSync(new URL('./example-suite.test.ts', import.meta.url), 'utf8'));
});

test('the package entry points the doc imports resolve to the library and the fixture', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  expect(pkg.exports['.']).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js' });
  const lib = await import('bpsim');
  for (const name of ['startLab', 'proxyFor', 'proxyConfigFor', 'BackupProxy', 'runScenario', 'loadScenario', 'findEvents', 'waitForEvent', 'traceMark', 'setFault', 'withFault']) {
    expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
  }
  const fixture = await import('bpsim/vitest');
  expect(typeof fixture.test.extend).toBe('function');
});
