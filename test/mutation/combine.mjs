// npm run mutate:combine -- <module>: the score of a whole module from its measured parts.
//
// A whole module's run (all its files against all its tests) can take hours when its tests start
// labs. Its parts (the `subset: true` modules whose files lie inside it) each run some of those
// files against some of its tests. A mutant a part's tests detect is detected by the whole module's
// tests too (they include the part's; Stryker stops at the first failing test), so the union of the
// parts' reports is a measured LOWER BOUND of the whole module's score, never an estimate above it.
// It is exact per file when every part's tests are in the whole module's list (checked below).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { MODULES } from './modules.mjs';

const name = process.argv[2];
const whole = MODULES[name];
if (!whole || whole.subset) {
  console.error(`usage: npm run mutate:combine -- <module>; one of ${Object.keys(MODULES).filter((n) => !MODULES[n].subset).join(', ')}`);
  process.exit(2);
}

/** The files a Stryker `mutate` list names: plain paths, `dir/**\/*.ts`, and `!path` exclusions. */
function filesOf(patterns) {
  const files = new Set();
  for (const p of patterns.filter((p) => !p.startsWith('!'))) {
    const tree = /^(.*)\/\*\*\/\*\.ts$/.exec(p);
    if (!tree) files.add(p);
    else if (existsSync(tree[1])) for (const f of readdirSync(tree[1], { recursive: true })) if (String(f).endsWith('.ts')) files.add(`${tree[1]}/${f}`);
  }
  for (const p of patterns.filter((p) => p.startsWith('!'))) files.delete(p.slice(1));
  return files;
}

const wholeFiles = filesOf(whole.mutate);
/** [name, module, its files] of each part: a subset module whose files (at least one) all lie in the whole one. */
const parts = Object.entries(MODULES)
  .filter(([, m]) => m.subset)
  .map(([n, m]) => [n, m, filesOf(m.mutate)])
  .filter(([, , files]) => files.size > 0 && [...files].every((f) => wholeFiles.has(f)));
const detected = new Set(['Killed', 'Timeout']);
const counted = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
/** file -> mutant key -> detected by some part */
const byFile = new Map();
const measuredBy = new Map();
const problems = [];
for (const [partName, part, files] of parts) {
  const path = `reports/mutation/${partName}.json`;
  if (!existsSync(path)) {
    problems.push(`${partName}: no report (run: npm run mutate -- ${partName})`);
    continue;
  }
  const outside = part.tests.filter((t) => !whole.tests.includes(t));
  if (outside.length) problems.push(`${partName}: tests not in ${name}'s list (${outside.join(', ')}): its kills may not carry over`);
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const f of files) measuredBy.set(f, [...(measuredBy.get(f) ?? []), partName]);
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const seen = byFile.get(file) ?? new Map();
    byFile.set(file, seen);
    for (const m of mutants) {
      if (!counted.has(m.status)) continue;
      const l = m.location;
      const key = `${l.start.line}:${l.start.column}-${l.end.line}:${l.end.column} ${m.mutatorName} ${m.replacement ?? ''}`;
      seen.set(key, (seen.get(key) ?? false) || detected.has(m.status));
    }
  }
}

const wholePath = `reports/mutation/${name}.json`;
const wholeReport = existsSync(wholePath) ? JSON.parse(readFileSync(wholePath, 'utf8')) : undefined;
let total = 0;
let killed = 0;
console.log(`${name}: the union of ${parts.map(([n]) => n).join(', ')}`);
for (const file of [...wholeFiles].sort()) {
  const seen = byFile.get(file);
  const by = measuredBy.get(file);
  if (!by) {
    const unmeasured = parts.filter(([, , files]) => files.has(file)).map(([n]) => n);
    // A file no part names (type declarations, re-exports) may simply have no mutants: the whole run's report, if any, says so.
    if (!unmeasured.length && wholeReport && !wholeReport.files[file]) console.log(`  ${file}: no mutants (${wholePath})`);
    else console.log(`  ${file}: not measured (${unmeasured.length ? `${unmeasured.join(', ')} has no report` : 'in no part'})`);
    continue;
  }
  if (!seen?.size) {
    console.log(`  ${file}: no mutants (${by.join(', ')})`);
    continue;
  }
  const k = [...seen.values()].filter(Boolean).length;
  total += seen.size;
  killed += k;
  console.log(`  ${file}: ${k}/${seen.size} ${((100 * k) / seen.size).toFixed(2)} % (${by.join(', ')})`);
}
console.log(`${name}: ${killed} of ${total} mutants detected, ${total ? ((100 * killed) / total).toFixed(2) : '-'} % (a lower bound of the whole run's score)`);
for (const p of problems) console.log(`  note: ${p}`);
process.exit(problems.some((p) => /no report/.test(p)) ? 1 : 0);
