import { Command, Option } from 'commander';
import { TraceBus } from '../../simulators/core/trace/bus.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenario } from '../../scenarios/loader.ts';
import { formatHeader, formatStep, formatSummary } from '../../scenarios/report.ts';
import { timingOption } from './lab-options.ts';
import type { TimingProfile } from '../../simulators/timing.ts';
import { addTraceOutputOptions, quietOnClosedStdout, startTraceOutput, type TraceOutputOptions } from './trace-output.ts';

interface RunCliOptions extends TraceOutputOptions {
  json?: boolean;
  pkiDir?: string;
  addressBlock?: string;
  ports?: 'real' | 'offset';
  singleHost?: boolean;
  timing?: TimingProfile;
}

export function runCommand(): Command {
  return addTraceOutputOptions(
    new Command('run')
      .description('run a scenario (a YAML file, or the name of a bundled one: see bpsim list) and check its expectations; exit code 0 when all hold, 1 otherwise')
      .argument('<scenario>', 'scenario file, or bundled scenario name')
      .option('--json', 'print the report as one JSON object instead of text')
      .option('--single-host', 'everything on 127.0.0.1 with OS-chosen ports (macOS)')
      .addOption(new Option('--ports <mode>', 'real ports (443, 902...) or offset (10443, 10902...); default: real when allowed').choices(['real', 'offset']))
      .option('--address-block <127.B.C>', 'loopback block for component addresses (default: random)')
      .option('--pki-dir <dir>', 'where the lab CA and keys are cached (default ~/.cache/bpsim/pki)')
      .addOption(timingOption("the scenario's lab.timing, else standard")),
  ).action(async (name: string, opts: RunCliOptions) => {
    quietOnClosedStdout();
    const { scenario, file } = await loadScenario(name);
    const trace = new TraceBus();
    const output = startTraceOutput(trace, opts, `bpsim run ${scenario.name}`);
    const print = (text: string) => {
      if (!opts.json) process.stdout.write(text + '\n');
    };
    print(formatHeader({ ...scenario, file }));
    try {
      const report = await runScenario(scenario, {
        labOptions: {
          trace,
          pkiDir: opts.pkiDir,
          addressBlock: opts.addressBlock,
          ports: opts.ports,
          ...(opts.singleHost ? { singleHost: true } : {}),
          ...(opts.timing ? { timing: opts.timing } : {}),
        },
        onStep: (s) => print(formatStep(s)),
      });
      report.file = file;
      if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
      else print(formatSummary(report));
      process.exitCode = report.passed ? 0 : 1;
    } finally {
      const written = await output.close();
      for (const f of written) process.stderr.write(`trace written to ${f}\n`);
    }
  });
}
