import { Command } from 'commander';
import { startLab } from '../../simulators/lab.ts';
import { addLabOptions, toLabOptions, type LabCliOptions } from './lab-options.ts';
import { endpointTable, labSummary } from '../format/lab-summary.ts';

export function demoCommand(): Command {
  return addLabOptions(
    new Command('demo').description('start a lab, run the whole backup chain against it, print the timeline and a summary, then stop'),
  ).action(async (opts: LabCliOptions) => {
    const lab = await startLab(toLabOptions(opts));
    try {
      process.stdout.write(`bpsim lab started.\n\n${endpointTable(labSummary(lab))}\n`);
    } finally {
      await lab.stop();
    }
  });
}
