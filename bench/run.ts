import { parseArgs } from 'node:util';
import { table } from '../bin/format/table.ts';
import type { BenchOptions, Figure } from './figure.ts';
import { benchLabStart } from './lab-start.ts';
import { benchCliStart } from './cli-start.ts';
import { benchSoapFigures } from './soap.ts';
import { benchNfcFigures } from './nfc.ts';
import { benchBackupFigures, benchConcurrentFigures } from './data-path.ts';
import { benchTraceFigures } from './trace.ts';
import { benchWebView } from './web-view.ts';
import { benchFastJobFigures } from './fast-job.ts';
import { benchScaleFigures } from './scale.ts';

/** Each part returns its figures; a part that fails is reported and the others still run. */
const PARTS: { name: string; run: (o: BenchOptions) => Promise<Figure[]> }[] = [
  { name: 'lab start', run: benchLabStart },
  { name: 'cli start', run: benchCliStart },
  { name: 'soap', run: benchSoapFigures },
  { name: 'nfc', run: benchNfcFigures },
  { name: 'backup', run: benchBackupFigures },
  { name: 'concurrent', run: benchConcurrentFigures },
  { name: 'trace', run: benchTraceFigures },
  { name: 'web view', run: benchWebView },
  { name: 'fast job', run: benchFastJobFigures },
  { name: 'scale', run: benchScaleFigures },
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm run bench -- [--quick] [--json] [--only <part>]

Prints each figure next to its baseline measured in the same run, and their ratio.
  --quick   smaller sizes and fewer repetitions (about a minute and a half)
  --json    one line {"figures": [{name, value, unit, baseline, ratio, aim}]}
  --only    run only the parts whose name contains this text (${PARTS.map((p) => p.name).join(', ')})
`);
  process.exit(0);
}

if (values.only && !PARTS.some((p) => p.name.includes(values.only!))) {
  process.stderr.write(`bench: no part matches --only ${values.only}; the parts: ${PARTS.map((p) => p.name).join(', ')}\n`);
  process.exit(2);
}

const opts: BenchOptions = { quick: values.quick ?? false };
const figures: Figure[] = [];
const failures: string[] = [];
for (const part of PARTS) {
  if (values.only && !part.name.includes(values.only)) continue;
  if (!values.json) process.stderr.write(`bench: ${part.name}...\n`);
  const t0 = performance.now();
  try {
    figures.push(...(await part.run(opts)));
    if (!values.json) process.stderr.write(`bench: ${part.name} took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    failures.push(`${part.name}: ${(err as Error).message}`);
  }
}

if (values.json) {
  process.stdout.write(JSON.stringify({ figures, failures }) + '\n');
} else {
  const fmt = (n: number | null) => (n === null ? '' : String(n));
  process.stdout.write(
    table(
      ['figure', 'value', 'unit', 'baseline', 'ratio', 'aim', 'met', 'note'],
      figures.map((f) => [f.name, fmt(f.value), f.unit, f.baseline === null ? '' : `${f.baseline} (${f.baselineName ?? 'baseline'})`, fmt(f.ratio), f.aim ?? '', f.met === null || f.met === undefined ? '' : f.met ? 'yes' : 'NO', f.note ?? '']),
    ) + '\n',
  );
  for (const f of failures) process.stdout.write(`FAILED ${f}\n`);
}
process.exitCode = failures.length ? 1 : 0;
