import { Command, CommanderError } from 'commander';
import { upCommand } from './commands/up.ts';
import { caCommand } from './commands/ca.ts';
import { demoCommand } from './commands/demo.ts';
import { serveCommand } from './commands/serve.ts';
import { certsCommand } from './commands/certs.ts';
import { runCommand } from './commands/run.ts';
import { listCommand } from './commands/list.ts';
import { proxyCommand } from './commands/proxy.ts';

const program = new Command('bpsim')
  .description('Backup-proxy protocol simulator: a fake vCenter, ESXi, backup cloud, CloudCache, guest services and NTP, and a simulated backup proxy, all on this machine, offline.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addCommand(upCommand())
  .addCommand(demoCommand())
  .addCommand(runCommand())
  .addCommand(listCommand())
  .addCommand(proxyCommand())
  .addCommand(caCommand())
  .addCommand(serveCommand())
  .addCommand(certsCommand());

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode;
  else {
    process.stderr.write(`bpsim: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
