import { Command } from 'commander';
import { startLab, type Lab } from '../../simulators/lab.ts';
import { addLabOptions, toLabOptions, type LabCliOptions } from './lab-options.ts';
import { credentialTable, endpointTable, labSummary } from '../format/lab-summary.ts';

/** Stops the lab on Ctrl-C / SIGTERM, once, and exits with the conventional code. */
export function stopOnSignals(lab: Lab, onStop?: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping the lab...\n`);
      Promise.resolve(onStop?.())
        .then(() => lab.stop())
        .finally(() => {
          process.exitCode = signal === 'SIGINT' ? 130 : 0;
          resolve();
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function upCommand(): Command {
  return addLabOptions(
    new Command('up')
      .description('start a lab in the foreground and print its endpoints, credentials and CA file; Ctrl-C stops it')
      .option('--json', 'print one JSON line {caFile, credentials, endpoints, ...} once every listener is ready'),
  ).action(async (opts: LabCliOptions & { json?: boolean }) => {
    const lab = await startLab(toLabOptions(opts));
    const summary = labSummary(lab);
    if (opts.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      process.stdout.write(
        `bpsim lab is up (${summary.portMode} ports, address block ${summary.addressBlock}).\n\n` +
          endpointTable(summary) +
          '\n\nCredentials:\n' +
          credentialTable(summary) +
          `\n\nCA certificate: ${summary.caFile}\n` +
          'Press Ctrl-C to stop.\n',
      );
    }
    await stopOnSignals(lab);
  });
}
