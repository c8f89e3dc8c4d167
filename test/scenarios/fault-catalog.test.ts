import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { FAULT_CATALOG } from '../../scenarios/fault-catalog.ts';
import { bundledScenarioPath } from '../../scenarios/bundled.ts';
import { parseScenario } from '../../scenarios/loader.ts';

const doc = readFileSync(new URL('../../docs/faults.md', import.meta.url), 'utf8');

/** The faults a scenario sets (fault windows and set-fault steps) and the error classes it expects. */
function scenarioFacts(name: string) {
  const file = bundledScenarioPath(name);
  expect(file, `bundled scenario ${name}`).toBeDefined();
  const s = parseScenario(readFileSync(file!, 'utf8'), file);
  const faults = [...(s.faults ?? []), ...s.steps.flatMap((st) => (st.type === 'set-fault' ? [st.fault] : []))];
  const classes = new Set(s.steps.map((st) => st.expect?.errorClass).filter(Boolean));
  return { faults, classes };
}

describe('the fault catalog (docs/faults.md, scenarios/fault-catalog.ts)', () => {
  test('every fault has a row in docs/faults.md naming the scenario that shows it', () => {
    for (const f of FAULT_CATALOG) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${f.type}\``) && l.includes(`\`${f.shownIn}\``));
      expect(row, `${f.family} ${f.type} -> ${f.shownIn}`).toBeDefined();
    }
  });

  test('each named scenario sets that fault and expects that reaction', () => {
    for (const f of FAULT_CATALOG) {
      const { faults, classes } = scenarioFacts(f.shownIn);
      expect(faults.map((x) => x.type), `${f.shownIn} sets ${f.type}`).toContain(f.type);
      if (!f.reaction.startsWith('succeeds')) expect([...classes], `${f.shownIn} expects ${f.reaction} (for ${f.type})`).toContain(f.reaction);
    }
  });

  test('every fault family of issue 8 is in the catalog', () => {
    const families = new Set(FAULT_CATALOG.map((f) => f.family));
    expect([...families].sort()).toEqual(['902', 'cloud', 'guest', 'network', 'ntp', 'probe', 'tls', 'vcenter']);
  });
});
