import { Command } from 'commander';
import { serve } from '../../simulators/deploy/serve.ts';
import { TraceBus } from '../../simulators/core/trace/bus.ts';
import type { AdminServer } from '../../simulators/admin/index.ts';
import { addTraceOutputOptions, startTraceOutput, type TraceOutputOptions } from './trace-output.ts';

interface ServeCliOptions extends TraceOutputOptions {
  component: string;
  certs: string;
  address?: string;
  seed?: string;
  adminPort?: number;
}

/**
 * `bpsim serve`: one host of a deployment (docker-compose.yml) in this process. Prints one line
 * `{"ready": true, ...}` once every listener accepts; SIGTERM / Ctrl-C stops it.
 */
export function serveCommand(): Command {
  return addTraceOutputOptions(
    new Command('serve')
      .description('run one component of a deployment (one docker-compose service) on its address and real ports; see docs/deploy.md')
      .requiredOption('--component <name>', 'component to run (vcenter, esxi-01, cloud, ntp, guest-sql01...)')
      .requiredOption('--certs <dir>', 'directory written by `bpsim certs` (CA, certificates, topology.json)')
      .option('--address <ip>', 'bind here instead of the address the plan gives the component (e.g. 0.0.0.0)')
      .option('--seed <seed>', 'refuse to start unless the plan was made for this seed')
      .option('--admin-port <port>', 'also serve the admin API for this process on 127.0.0.1:<port> (group homes only)', Number),
  ).action(async (opts: ServeCliOptions) => {
    const trace = new TraceBus();
    const output = startTraceOutput(trace, opts, `bpsim serve ${opts.component}`);
    const served = await serve({ component: opts.component, certsDir: opts.certs, bindAddress: opts.address, seed: opts.seed, trace });
    let admin: AdminServer | undefined;
    try {
      // Imported only here: relays never serve the admin API (see serve()).
      if (opts.adminPort !== undefined && served.mode === 'home') admin = await (await import('../../simulators/admin/index.ts')).startAdmin(served.lab, { port: opts.adminPort });
    } catch (err) {
      await served.stop();
      throw err;
    }
    const ready =
      served.mode === 'home'
        ? {
            ready: true,
            mode: 'home',
            component: served.component,
            runs: served.runs,
            listening: served.endpoints.map((e) => `${e.component}:${e.listener} ${e.bindAddress}:${e.port}/${e.transport}`),
            ...(admin ? { admin: admin.url } : {}),
          }
        : {
            ready: true,
            mode: 'relay',
            component: served.component,
            home: served.home,
            listening: served.relay.routes.map((r) => `${r.label} ${r.bind.address}:${r.bind.port} -> ${r.target.address}:${r.target.port}`),
          };
    // Listening for a stop before saying ready (as `bpsim up` does).
    const stopped = untilSignal(async (signal) => {
      process.stderr.write(`${signal}: stopping ${served.component}\n`);
      await admin?.stop();
      await served.stop();
      await output.close();
      process.exitCode = signal === 'SIGINT' ? 130 : 0;
    });
    process.stdout.write(JSON.stringify(ready) + '\n');
    await stopped;
  });
}

function untilSignal(onSignal: (signal: NodeJS.Signals) => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let once = false;
    const handler = (signal: NodeJS.Signals) => {
      if (once) return;
      once = true;
      onSignal(signal).finally(resolve);
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
}
