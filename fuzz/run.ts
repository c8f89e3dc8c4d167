import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { failed, runFuzz } from './fuzz.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '200' },
    seed: { type: 'string' },
    batch: { type: 'string', default: '50' },
    only: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    case: { type: 'string' },
    types: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm run fuzz -- [--cases N] [--seed S] [--batch N] [--only TEXT] [--concurrency N] [--json]

Starts a lab in a child process and sends every listener seeded malformed input: random bytes,
truncated and mutated TLS ClientHellos, mutated SOAP (XXE, billion laughs, deep nesting) and REST
JSON (deep nesting), authd lines and NFC frames, SNTP datagrams, X.224 and SSH lines, oversized and
slow bodies, idle floods. After each batch every listener must serve a valid request and the lab's
RSS must come back within +20% of its baseline. Exit code 1 on any crash, hang, unanswered request,
failed health check or memory over the band. The same seed gives the same cases (docs/reliability.md).
  --cases        cases per listener (default 200)
  --seed         seed (default: random, printed)
  --batch        cases per listener between health and memory checks (default 50)
  --only         only listeners whose "component/listener" contains this text
  --concurrency  cases in flight at once (default 16)
  --case         replay: only these case numbers (comma-separated, as the report names them: #17)
  --types        replay: only these case types (comma-separated: bytes, http, slow, flood, datagram)
`);
  process.exit(0);
}

const TYPES = ['bytes', 'http', 'slow', 'flood', 'datagram'] as const;
const seed = values.seed ?? randomBytes(4).toString('hex');
const count = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`--${name} must be a whole number from 1 to 1000000, got "${v}"`);
  return n;
};
const report = await runFuzz({
  seed,
  cases: count(values.cases, 'cases'),
  batch: count(values.batch, 'batch'),
  concurrency: count(values.concurrency, 'concurrency'),
  only: values.only,
  pick: {
    numbers: values.case?.split(',').map((n) => count(n.replace('#', ''), 'case')),
    types: values.types?.split(',').map((t) => {
      if (!TYPES.includes(t as never)) throw new Error(`--types: "${t}" is not one of ${TYPES.join(', ')}`);
      return t as (typeof TYPES)[number];
    }),
  },
  // Short deadlines so slow and idle cases end in seconds; the same code paths as the defaults.
  timeouts: { handshakeMs: 5_000, headersMs: 3_000, requestMs: 6_000, idleMs: 3_000, authdCommandMs: 3_000, rdpRequestMs: 3_000, sshIdentMs: 3_000 },
  log: values.json ? undefined : (l) => process.stdout.write(l + '\n'),
});
if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
else {
  process.stdout.write(`\nseed ${report.seed}: ${report.casesPerListener} cases per listener, ${report.listeners.length} listeners, ${report.seconds} s\n`);
  for (const l of report.listeners) {
    process.stdout.write(`  ${l.listener.padEnd(28)} cases ${l.cases}  answered ${l.answered}  closed ${l.closed}  5xx ${l.status5xx}  hangs ${l.hangs.length}  unanswered ${l.unanswered.length}\n`);
    for (const h of [...l.hangs, ...l.unanswered].slice(0, 5)) process.stdout.write(`      ${h}\n`);
    // SOAP faults are HTTP 500 by SOAP 1.1: only other listeners' 5xx answers are listed.
    if (!/vcenter|esxi/.test(l.listener)) for (const e of l.serverErrors.slice(0, 5)) process.stdout.write(`      5xx: ${e}\n`);
  }
  process.stdout.write(`  crashes ${report.crashes.length}  health failures ${report.healthFailures.length}  RSS baseline ${report.rss.baselineMiB} MiB, max ${report.rss.maxMiB}, final ${report.rss.finalMiB}, over band ${report.rss.overBand.length}\n`);
  for (const x of [...report.crashes, ...report.healthFailures, ...report.rss.overBand].slice(0, 10)) process.stdout.write(`    ${x}\n`);
}
process.exitCode = failed(report) ? 1 : 0;
