import { Command } from 'commander';
import { expect, test } from 'vitest';
import { parseScenario } from '../../scenarios/loader.ts';
import { labOptionsOf } from '../../scenarios/runner.ts';
import { addLabOptions, toLabOptions, type LabCliOptions } from '../../bin/commands/lab-options.ts';

const scenario = (lab: string) => ['name: lockout-choice', 'description: lab lockout mode', `lab: ${lab}`, 'steps:', '  - { type: wait, ms: 0 }', ''].join('\n');

test('the scenario field lab.lockout selects the mode; anything but vmware or off is refused', () => {
  expect(labOptionsOf(parseScenario(scenario('{ lockout: off, jobLeaseMs: 5000 }'))).lockout).toBe('off');
  expect(labOptionsOf(parseScenario(scenario('{ lockout: vmware }'))).lockout).toBe('vmware');
  expect(labOptionsOf(parseScenario(scenario('{ seed: x }'))).lockout).toBeUndefined();
  expect(() => parseScenario(scenario('{ lockout: strict }'))).toThrow(/lockout/);
});

test('the CLI flag --lockout reaches the lab options; other values are refused', () => {
  const parse = (...args: string[]) => {
    const cmd = addLabOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {} }));
    cmd.parse(args, { from: 'user' });
    return toLabOptions(cmd.opts() as LabCliOptions);
  };
  expect(parse('--lockout', 'off').lockout).toBe('off');
  expect(parse().lockout).toBeUndefined();
  expect(() => parse('--lockout', 'strict')).toThrow(/lockout/);
});
