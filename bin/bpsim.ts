import { Command, CommanderError } from 'commander';

/**
 * Subcommands load on demand: each pulls in the simulators it needs (msw, node-forge, the SOAP engine...),
 * so `bpsim --version` and `bpsim --help` load only commander, and `bpsim up` only what a lab needs.
 * `summary` is the one-line text of the top-level help; each command keeps its full description.
 */
const COMMANDS: { name: string; args?: string; summary: string; load: () => Promise<Command> }[] = [
  { name: 'up', summary: 'start a lab in the foreground and print its endpoints; Ctrl-C stops it', load: async () => (await import('./commands/up.ts')).upCommand() },
  { name: 'demo', summary: 'start a lab, run the whole backup chain against it, print a timeline, stop', load: async () => (await import('./commands/demo.ts')).demoCommand() },
  { name: 'run', args: '<scenario>', summary: 'run a scenario (YAML file or bundled name) and check its expectations', load: async () => (await import('./commands/run.ts')).runCommand() },
  { name: 'list', summary: 'list the bundled scenarios', load: async () => (await import('./commands/list.ts')).listCommand() },
  { name: 'proxy', args: '<jobs...>', summary: 'run the simulated backup proxy against a running lab', load: async () => (await import('./commands/proxy.ts')).proxyCommand() },
  { name: 'hosts', summary: 'print hosts-file lines for a running lab (bpsim up --json output)', load: async () => (await import('./commands/hosts.ts')).hostsCommand() },
  { name: 'ca', summary: 'print the lab CA certificate (PEM)', load: async () => (await import('./commands/ca.ts')).caCommand() },
  { name: 'serve', summary: 'run one component of a deployment (docs/deploy.md)', load: async () => (await import('./commands/serve.ts')).serveCommand() },
  { name: 'certs', summary: 'write the certificates and plan of a deployment into a directory', load: async () => (await import('./commands/certs.ts')).certsCommand() },
];

const program = new Command('bpsim')
  .description('Backup-proxy protocol simulator: a fake vCenter, ESXi, backup cloud, CloudCache, guest services and NTP, and a simulated backup proxy, all on this machine, offline.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

// The command named on the command line (or after `help`) is loaded; the others appear in the help by name.
const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = words[0] === 'help' ? words[1] : words[0];
for (const c of COMMANDS) {
  if (c.name === wanted) program.addCommand((await c.load()).summary(c.summary));
  else {
    const stub = program.command(c.name).summary(c.summary);
    if (c.args) stub.arguments(c.args);
  }
}

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
