import { Command } from 'commander';
import { describeLab } from '../../simulators/deploy/describe.ts';
import { writeDeployment } from '../../simulators/deploy/certs.ts';
import { DEFAULT_NETWORK } from '../../simulators/deploy/compose.ts';
import { writeSelfSigned } from './self-signed.ts';

/** `bpsim certs`: the one-shot that prepares a deployment's shared volume (docs/deploy.md). */
export function certsCommand(): Command {
  return new Command('certs')
    .description('write the lab CA, one certificate and key per component, the deployment plan and the proxy endpoint list into a directory; or, with --self-signed, one self-signed certificate')
    .requiredOption('--out <dir>', 'directory to write (the shared certificate volume, or where cert.pem and key.pem go)')
    .option('--self-signed', 'write one self-signed certificate (cert.pem, key.pem) outside the lab CA instead, for the --name values')
    .option('--name <host-or-address>', 'with --self-signed: a DNS name or IP address for the certificate (repeat it; the first is the common name)', (v: string, all: string[] = []) => [...all, v])
    .option('--days <n>', 'with --self-signed: validity in days (default 365)', days)
    .option('--network <a.b.c>', 'first three octets of the deployment /24 network', DEFAULT_NETWORK)
    .option('--seed <seed>', 'seed for inventory, disk and database contents', 'bpsim')
    .option('--vms <count>', 'VMs in the generated inventory', count)
    .option('--hosts <count>', 'number of ESXi hosts', count)
    .action(async (opts: { out: string; network: string; seed: string; vms?: number; hosts?: number; selfSigned?: boolean; name?: string[]; days?: number }) => {
      if (opts.selfSigned) return writeSelfSigned(opts.out, opts.name ?? [], opts.days);
      const plan = await describeLab({ network: opts.network, seed: opts.seed, vms: opts.vms, hosts: opts.hosts, pkiDir: opts.out });
      const files = await writeDeployment(opts.out, plan);
      process.stdout.write(JSON.stringify({ ready: true, out: opts.out, components: plan.units.length, files: files.length }) + '\n');
    });
}

function days(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new Error(`expected a whole number of days from 1 to 3650, got "${v}"`);
  return n;
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`expected a whole number from 1 to 200 (one /24 network), got "${v}"`);
  return n;
}
