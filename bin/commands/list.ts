import { Command } from 'commander';
import { bundledScenarios } from '../../scenarios/bundled.ts';

export function listCommand(): Command {
  return new Command('list')
    .description('list the bundled scenarios with their descriptions (run one with bpsim run <name>)')
    .option('--json', 'print [{name, description, file}] as JSON')
    .action((opts: { json?: boolean }) => {
      const all = bundledScenarios();
      if (opts.json) {
        process.stdout.write(JSON.stringify(all) + '\n');
        return;
      }
      const width = Math.max(...all.map((s) => s.name.length));
      for (const s of all) process.stdout.write(`${s.name.padEnd(width)}  ${s.description.replace(/\s*\n\s*/g, ' ')}\n`);
    });
}
