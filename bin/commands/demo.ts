import { Command } from 'commander';
import { addLabOptions, toLabOptions, type LabCliOptions } from './lab-options.ts';
import { runDemo } from '../demo/run-demo.ts';
import { addTraceOutputOptions } from './trace-output.ts';
import { startAdmin } from '../../simulators/admin/index.ts';
import { setScenarioRunner } from '../../simulators/admin/scenario-hook.ts';
import { adminScenarioRunner } from '../../scenarios/admin-runner.ts';
import { labWebRunners } from '../web/runners.ts';
import { parsePort, stopOnSignals } from './up.ts';

const DEFAULT_TRACE = '.bpsim/demo/trace.jsonl';
const DEFAULT_MERMAID = '.bpsim/demo/trace.md';

export function demoCommand(): Command {
  return addLabOptions(
    addTraceOutputOptions(new Command('demo'))
      .description('start a lab, run the whole backup chain against it (VM full + incremental, standalone ESXi, SQL full + log, SQL restore, DR restores), print the timeline and a summary, then stop')
      .option('--no-bars', 'plain progress lines instead of progress bars')
      .option('--web', 'keep the lab and its web view up after the demo (jobs can be run again from the page); Ctrl-C stops it')
      .option('--admin-port <port>', 'with --web: port of the admin API and web view on 127.0.0.1 (default: chosen by the OS)', parsePort)
      .addHelpText('after', `\nThe trace is always written: by default to ${DEFAULT_TRACE} and ${DEFAULT_MERMAID}.`),
  ).action(async (opts: LabCliOptions & { trace?: string; mermaid?: string; bars: boolean; web?: boolean; adminPort?: number }) => {
    const result = await runDemo({
      lab: toLabOptions(opts),
      tracePath: opts.trace ?? DEFAULT_TRACE,
      mermaidPath: opts.mermaid ?? DEFAULT_MERMAID,
      bars: opts.bars ? undefined : false,
      keepLab: opts.web,
    });
    process.exitCode = result.ok ? 0 : 1;
    if (!result.lab) return;
    const lab = result.lab;
    setScenarioRunner(adminScenarioRunner);
    const admin = await startAdmin(lab, { port: opts.adminPort, runners: labWebRunners(lab) });
    const creds = lab.credentials.admin;
    const stopped = stopOnSignals(lab);
    process.stdout.write(`\nWeb view: ${admin.web} (user ${creds?.user}, password ${creds?.password}); the lab stays up. Press Ctrl-C to stop.\n`);
    await stopped;
  });
}
