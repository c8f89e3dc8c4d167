import { Command } from 'commander';
import { describeLab } from '../../simulators/deploy/describe.ts';
import { writeDeployment } from '../../simulators/deploy/certs.ts';
import { DEFAULT_NETWORK } from '../../simulators/deploy/compose.ts';

/** `bpsim certs`: the one-shot that prepares a deployment's shared volume (docs/deploy.md). */
export function certsCommand(): Command {
  return new Command('certs')
    .description('write the lab CA, one certificate and key per component, the deployment plan and the proxy endpoint list into a directory')
    .requiredOption('--out <dir>', 'directory to write (the shared certificate volume)')
    .option('--network <a.b.c>', 'first three octets of the deployment /24 network', DEFAULT_NETWORK)
    .option('--seed <seed>', 'seed for inventory, disk and database contents', 'bpsim')
    .option('--vms <count>', 'VMs in the generated inventory', count)
    .option('--hosts <count>', 'number of ESXi hosts', count)
    .action(async (opts: { out: string; network: string; seed: string; vms?: number; hosts?: number }) => {
      const plan = await describeLab({ network: opts.network, seed: opts.seed, vms: opts.vms, hosts: opts.hosts, pkiDir: opts.out });
      const files = await writeDeployment(opts.out, plan);
      process.stdout.write(JSON.stringify({ ready: true, out: opts.out, components: plan.units.length, files: files.length }) + '\n');
    });
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`expected a whole number from 1 to 200 (one /24 network), got "${v}"`);
  return n;
}
