import { Command } from 'commander';
import { startLab, type Lab } from '../../simulators/lab.ts';
import { addLabOptions, toLabOptions, type LabCliOptions } from './lab-options.ts';
import { credentialTable, endpointTable, labSummary } from '../format/lab-summary.ts';
import { startAdmin, setScenarioRunner, type AdminServer } from '../../simulators/admin/index.ts';
import { DEFAULT_CREDENTIALS } from '../../simulators/credentials.ts';
import type { Credentials } from '../../simulators/core/types.ts';
import { labWebRunners } from '../web/runners.ts';
import { addHostsBlock, hostsLines, removeHostsBlock } from '../../simulators/core/hosts-file.ts';

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
      .option('--json', 'print one JSON line {caFile, credentials, endpoints, admin, ...} once every listener is ready')
      .option('--admin-port <port>', 'port of the admin API on 127.0.0.1 (default: chosen by the OS)', parsePort)
      .option('--admin-password <password>', `password of the admin API and the cloud's admin account instead of the published default (or env ${ADMIN_PASSWORD_ENV}, which ps does not show)`)
      .option('--etc-hosts', 'while the lab runs, map its host names to its addresses in /etc/hosts (a block marked "# bpsim <id>", removed on stop; needs root; BPSIM_HOSTS_FILE names another file)'),
    '127.77.0',
  ).action(async (opts: LabCliOptions & { json?: boolean; adminPort?: number; adminPassword?: string; etcHosts?: boolean }) => {
    const lab = await startLab({ ...toLabOptions(opts), ...adminCredentials(opts.adminPassword ?? process.env[ADMIN_PASSWORD_ENV]) });
    let names: (() => void) | undefined;
    if (opts.etcHosts) {
      try {
        names = registerNames(lab);
      } catch (err) {
        await lab.stop();
        throw err;
      }
    }
    // The scenario engine (loader, schema, runner, the proxy) loads with the first scenario run, not at start.
    setScenarioRunner(async (l, body) => (await import('../../scenarios/admin-runner.ts')).adminScenarioRunner(l, body));
    let admin: AdminServer;
    try {
      admin = await startAdmin(lab, { port: opts.adminPort, runners: labWebRunners(lab) });
    } catch (err) {
      names?.();
      await lab.stop();
      throw err;
    }
    const summary = labSummary(lab, { admin: { url: admin.url, web: admin.web } });
    // Listening for a stop before saying ready: a client that stops the lab as soon as it reads the
    // line otherwise found the default action (the process killed, no cleanup) when it won the race.
    const stopped = stopOnSignals(lab, async () => names?.());
    if (opts.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      process.stdout.write(
        `bpsim lab is up (${summary.portMode} ports, address block ${summary.addressBlock}).\n\n` +
          endpointTable(summary) +
          '\n\nCredentials:\n' +
          credentialTable(summary) +
          `\n\nCA certificate: ${summary.caFile}\n` +
          `Admin API: ${admin.url} (user ${lab.credentials.admin?.user}; docs/admin-api.md)\n` +
          `Web view: ${admin.web} (the chain live, jobs, faults, trace, scenarios; same credentials)\n` +
          'Press Ctrl-C to stop.\n',
      );
    }
    await stopped;
  });
}

export const ADMIN_PASSWORD_ENV = 'BPSIM_ADMIN_PASSWORD';

function adminCredentials(password: string | undefined): { credentials?: Record<string, Credentials> } {
  if (password === undefined) return {};
  if (!password) throw new Error(`the admin password must not be empty (--admin-password or ${ADMIN_PASSWORD_ENV})`);
  return { credentials: { admin: { user: DEFAULT_CREDENTIALS.admin!.user, password } } };
}

/**
 * Adds the lab's names to the hosts file and returns what takes them out again; that also runs
 * when the process exits any other way (an error, process.exit), so no block is left behind.
 */
function registerNames(lab: Lab): () => void {
  const file = process.env.BPSIM_HOSTS_FILE || '/etc/hosts';
  const id = `${lab.addresses.block} pid ${process.pid}`;
  try {
    addHostsBlock(file, id, hostsLines(lab.endpoints()));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new Error(`--etc-hosts cannot write ${file} (${code}): run bpsim up as root, or leave --etc-hosts out and add the lines of \`bpsim hosts --lab lab.json\` yourself`, { cause: err });
    }
    throw err;
  }
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    removeHostsBlock(file, id);
  };
  process.once('exit', remove);
  return remove;
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`expected a port from 1 to 65535, got "${v}"`);
  return n;
}
