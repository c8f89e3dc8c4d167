import { describe, expect, test } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/loader.ts';
import { bundledScenarios } from '../../scenarios/bundled.ts';
import { readFileSync } from 'node:fs';

function problems(text: string): string[] {
  try {
    parseScenario(text, 'x.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message.split('\n');
  }
  throw new Error('the scenario was accepted');
}

const head = 'name: t\ndescription: d\n';

describe('scenario files: every problem names its line and field', () => {
  test('schema errors: unknown field (with a suggestion), enum, missing field, wrong type, range object', () => {
    const text = head + ['lab:', '  without: [cloudcach]', 'steps:', '  - type: vm-backup', '    vm: web01', '    mdoe: full', '  - type: sql-backup', '    vm: sql01', '  - type: wait', '    ms: soon', '  - type: vm-backup', '    vm: web01', '    expect: { blocksUploaded: { min: x } }'].join('\n');
    expect(problems(text)).toEqual([
      'x.yaml:4: lab.without[0]: must be one of cloudcache, ntp, guests',
      'x.yaml:8: steps[0].mdoe: unknown field "mdoe" (did you mean "mode"?)',
      'x.yaml:9: steps[1]: missing required field "backup"',
      'x.yaml:12: steps[2].ms: must be integer',
      'x.yaml:15: steps[3].expect.blocksUploaded.min: must be integer',
    ]);
  });

  test('references: unknown or later step ids, wrong step kinds, bad regular expressions and times', () => {
    const text =
      head +
      [
        'faults:',
        '  - { target: vcenter, type: invalid-login, until: nope }',
        'steps:',
        '  - { id: b, type: vm-backup, vm: web01, expect: { message: "(unclosed" } }',
        '  - { type: dr-restore, from: later }',
        '  - { id: later, type: sql-restore, vm: sql01, database: SalesDB, pointInTime: { after: b } }',
        '  - { type: sql-restore, vm: sql01, database: SalesDB, pointInTime: { time: yesterday } }',
        '  - { id: b, type: dr-restore }',
      ].join('\n');
    expect(problems(text)).toEqual([
      'x.yaml:4: faults[0].until: no step with id "nope" (allowed: b, later)',
      'x.yaml:6: steps[0].expect.message: not a valid regular expression: Invalid regular expression: /(unclosed/: Unterminated group',
      'x.yaml:7: steps[1].from: step "later" must come before steps[1]',
      'x.yaml:8: steps[2].pointInTime.after: step "b" is a vm-backup step, not sql-transactions',
      'x.yaml:9: steps[3].pointInTime.time: must be an ISO-8601 time, e.g. 2026-11-25T08:00:00Z',
      'x.yaml:10: steps[4].id: duplicate step id "b" (also steps[0])',
      'x.yaml:10: steps[4]: a dr-restore step needs "vm" or "from" (the id of a vm-backup step)',
    ]);
  });

  test('YAML syntax errors and duplicate keys name their line', () => {
    expect(problems(head + 'steps:\n  - type: wait\n    ms: 1\n    ms: 2\n')[0]).toMatch(/^x\.yaml:6: YAML: Map keys must be unique/);
    expect(problems(head + 'steps: [\n')[0]).toMatch(/^x\.yaml:\d+: YAML: /);
  });

  test('every bundled scenario is valid', () => {
    for (const s of bundledScenarios()) expect(() => parseScenario(readFileSync(s.file, 'utf8'), s.file)).not.toThrow();
  });
});
