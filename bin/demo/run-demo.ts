import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { startLab, type Lab, type LabOptions } from '../../simulators/lab.ts';
import { TraceBus } from '../../simulators/core/trace/bus.ts';
import { startTraceOutput } from '../commands/trace-output.ts';
import type { BackupProxy, JobOutcome } from '../../proxy/backup-proxy.ts';
import { Timeline } from '../format/timeline.ts';
import { jobSummary } from '../format/job-summary.ts';
import { DEMO_PLAN, standaloneVmOf, type DemoStep } from './plan.ts';
import { demoProxies, runDemoStep } from './step-runner.ts';

export interface DemoOptions {
  lab: LabOptions;
  tracePath: string;
  mermaidPath: string;
  plan?: DemoStep[];
  /** Progress bars on a terminal; plain lines otherwise (CI logs, pipes). */
  bars?: boolean;
  out?: NodeJS.WritableStream;
  /** Leave the lab running after the plan (`demo --web`); the caller stops it (`result.lab`). */
  keepLab?: boolean;
}

export interface DemoResult {
  ok: boolean;
  jobs: { title: string; outcome: JobOutcome; seconds: number }[];
  events: number;
  tracePath: string;
  mermaidPath: string;
  /** The lab, still running, when `keepLab` was set. */
  lab?: Lab;
}

/**
 * Starts a lab and runs the whole chain as an operator would: jobs queued in the cloud, claimed by
 * the proxy (one registered to vCenter, one to a standalone ESXi host), each hop shown live, a
 * summary at the end, and the trace written as JSONL and as a Mermaid sequence diagram.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const out = opts.out ?? process.stdout;
  const bars = opts.bars ?? (process.stdout.isTTY === true && out === process.stdout);
  const multibar = bars
    ? new cliProgress.MultiBar({ format: '  {bar} {percentage}% | {value}/{total} MiB | {phase}', hideCursor: true, clearOnComplete: true, stopOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  const print = (line: string) => (multibar ? multibar.log(line + '\n') : out.write(line + '\n'));

  await mkdir(dirname(opts.tracePath), { recursive: true });
  await mkdir(dirname(opts.mermaidPath), { recursive: true });
  const started = performance.now();
  const bus = new TraceBus();
  const output = startTraceOutput(bus, { trace: opts.tracePath, mermaid: opts.mermaidPath }, 'bpsim demo');
  let eventCount = 0;
  bus.subscribe(() => eventCount++);
  const lab = await startLab({ ...opts.lab, trace: bus });
  const timeline = new Timeline(print);
  const unsubscribe = lab.trace.subscribe((e) => timeline.onEvent(e));
  const plan = opts.plan ?? DEMO_PLAN;
  const proxies = demoProxies(lab, standaloneVmOf(plan));
  const jobs: DemoResult['jobs'] = [];
  let planDone = false;
  try {
    print(`bpsim demo: ${lab.endpoints().length} listeners up in ${((performance.now() - started) / 1000).toFixed(2)} s (address block ${lab.addresses.block}, ${lab.options.singleHost ? 'single host' : lab.portMode + ' ports'}).`);
    print('Timeline: each new kind of hop as it happens (who -> whom, port, protocol, what); repeats are counted at the end.\n');
    for (const proxy of [proxies.vcenter, proxies.standalone]) {
      proxy.events.on('log', (l) => print(`    ${l.level === 'info' ? '' : l.level.toUpperCase() + ' '}[${proxy.config.name}] ${l.message}`));
      attachBar(proxy, multibar);
    }
    for (const [i, step] of plan.entries()) {
      print(`\n== ${i + 1}. ${step.title}`);
      const done = await runDemoStep(lab, proxies, step);
      if (done.kind === 'world') print(`    [lab] ${done.text}`);
      else jobs.push({ title: step.title, outcome: done.outcome, seconds: done.seconds });
    }
    planDone = true;
  } finally {
    multibar?.stop();
    unsubscribe();
    proxies.close();
    if (!opts.keepLab || !planDone) await lab.stop();
    await output.close();
  }
  const ok = jobs.every((j) => j.outcome.status === 'succeeded');
  out.write('\nRepeated hops (counted, not printed):\n');
  for (const r of timeline.repeats().slice(0, 12)) out.write(`  ${String(r.count).padStart(5)} x ${r.hop}\n`);
  out.write('\nSummary:\n' + jobSummary(jobs.map((j) => ({ ...j.outcome, type: j.outcome.job.type, params: j.outcome.job.params, seconds: j.seconds }))) + '\n');
  out.write(`\n${ok ? 'All jobs succeeded' : 'Some jobs FAILED'} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  out.write(`Trace: ${opts.tracePath} (${eventCount} events, JSONL)\nMermaid sequence diagram: ${opts.mermaidPath}\n`);
  return { ok, jobs, events: eventCount, tracePath: opts.tracePath, mermaidPath: opts.mermaidPath, ...(opts.keepLab ? { lab } : {}) };
}

function attachBar(proxy: BackupProxy, multibar: cliProgress.MultiBar | undefined): void {
  if (!multibar) return;
  const bars = new Map<string, cliProgress.SingleBar>();
  proxy.events.on('progress', (p) => {
    let bar = bars.get(p.job);
    const total = Math.max(1, Math.round(p.bytesTotal / 2 ** 20));
    if (!bar) {
      bar = multibar.create(total, 0, { phase: p.phase });
      bars.set(p.job, bar);
    }
    bar.setTotal(total);
    bar.update(Math.round(p.bytesDone / 2 ** 20), { phase: p.phase });
  });
}
