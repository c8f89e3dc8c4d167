import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../simulators/core/pki/self-signed.ts';

/** `bpsim certs --self-signed`: cert.pem and key.pem (0600) in `out`, and one JSON line with where and the thumbprints. */
export async function writeSelfSigned(out: string, names: string[], days?: number): Promise<void> {
  const c = await selfSignedCertificate(names, days);
  await mkdir(out, { recursive: true });
  const cert = join(out, 'cert.pem');
  const key = join(out, 'key.pem');
  await writeFile(cert, c.cert);
  await writeFile(key, c.key, { mode: 0o600 });
  process.stdout.write(JSON.stringify({ cert, key, names, sha1: c.sha1, sha256: c.sha256 }) + '\n');
}
