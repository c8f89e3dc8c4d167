import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { CertificateAuthority, defaultPkiDir } from '../../simulators/core/pki/ca.ts';

export function caCommand(): Command {
  return new Command('ca')
    .description('print the lab CA certificate (PEM), creating the CA on first use')
    .option('--out <file>', 'write the PEM to this file instead of printing it')
    .option('--pki-dir <dir>', 'where the lab CA is cached', defaultPkiDir())
    .option('--path', 'print the path of the cached CA certificate file instead')
    .action(async (opts: { out?: string; pkiDir: string; path?: boolean }) => {
      const ca = await CertificateAuthority.cached(opts.pkiDir);
      if (opts.path) process.stdout.write(`${ca.certFile}\n`);
      else if (opts.out) {
        await writeFile(opts.out, ca.cert);
        process.stderr.write(`wrote ${opts.out} (SHA-256 ${ca.sha256})\n`);
      } else process.stdout.write(ca.cert);
    });
}
