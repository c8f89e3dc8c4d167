import { Command } from 'commander';
import { addLabOptions, toLabOptions, type LabCliOptions } from './lab-options.ts';
import { runDemo } from '../demo/run-demo.ts';
import { addTraceOutputOptions } from './trace-output.ts';

const DEFAULT_TRACE = '.bpsim/demo/trace.jsonl';
const DEFAULT_MERMAID = '.bpsim/demo/trace.md';

export function demoCommand(): Command {
  return addLabOptions(
    addTraceOutputOptions(new Command('demo'))
      .description('start a lab, run the whole backup chain against it (VM full + incremental, standalone ESXi, SQL full + log, SQL restore, DR restores), print the timeline and a summary, then stop')
      .option('--no-bars', 'plain progress lines instead of progress bars')
      .addHelpText('after', `\nThe trace is always written: by default to ${DEFAULT_TRACE} and ${DEFAULT_MERMAID}.`),
  ).action(async (opts: LabCliOptions & { trace?: string; mermaid?: string; bars: boolean }) => {
    const result = await runDemo({
      lab: toLabOptions(opts),
      tracePath: opts.trace ?? DEFAULT_TRACE,
      mermaidPath: opts.mermaid ?? DEFAULT_MERMAID,
      bars: opts.bars ? undefined : false,
    });
    process.exitCode = result.ok ? 0 : 1;
  });
}
