// node test/mutation/survivors.mjs reports/mutation/<module>.json: the lines of the surviving (and
// uncovered) mutants as a Stryker --mutate list, to re-run only them after new tests.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ranges = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  const lines = new Set();
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    for (let l = m.location.start.line; l <= m.location.end.line; l++) lines.add(l);
  }
  for (const l of [...lines].sort((a, b) => a - b)) ranges.push(`${file}:${l}-${l}`);
}
console.log(ranges.join(','));
