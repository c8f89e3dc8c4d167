import { Command } from 'commander';
import { addLabOptions, toLabOptions, type LabCliOptions } from './lab-options.ts';
import { runDemo } from '../demo/run-demo.ts';

export function demoCommand(): Command {
  return addLabOptions(
    new Command('demo')
      .description('start a lab, run the whole backup chain against it (VM full + incremental, standalone ESXi, SQL full + log, SQL restore, DR restores), print the timeline and a summary, then stop')
      .option('--trace <file>', 'write the trace as JSONL here', '.bpsim/demo/trace.jsonl')
      .option('--mermaid <file>', 'write a Mermaid sequence diagram of the trace here', '.bpsim/demo/trace.md')
      .option('--no-bars', 'plain progress lines instead of progress bars'),
  ).action(async (opts: LabCliOptions & { trace: string; mermaid: string; bars: boolean }) => {
    const result = await runDemo({ lab: toLabOptions(opts), tracePath: opts.trace, mermaidPath: opts.mermaid, bars: opts.bars ? undefined : false });
    process.exitCode = result.ok ? 0 : 1;
  });
}
