import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { hostsLines, type NamedAddress } from '../../simulators/core/hosts-file.ts';

/** `bpsim hosts`: hosts-file lines that make the names of a running lab resolve on this machine. */
export function hostsCommand(): Command {
  return new Command('hosts')
    .description('print hosts-file lines (address, name) for a running lab, from the line `bpsim up --json` printed; append them to /etc/hosts (or use bpsim up --etc-hosts) so the URLs the lab hands out resolve')
    .requiredOption('--lab <file>', 'the lab description (`bpsim up --json > lab.json`)')
    .action(async (opts: { lab: string }) => {
      let endpoints: NamedAddress[];
      try {
        ({ endpoints } = JSON.parse(await readFile(opts.lab, 'utf8')) as { endpoints: NamedAddress[] });
      } catch (err) {
        throw new Error(`cannot read the lab description ${opts.lab}: ${(err as Error).message} (write one with \`bpsim up --json > ${opts.lab}\`)`);
      }
      if (!Array.isArray(endpoints)) throw new Error(`${opts.lab} is not a lab description: it has no endpoints`);
      process.stdout.write(hostsLines(endpoints).join('\n') + '\n');
    });
}
