import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LabSummaryLike } from '../config.ts';

/**
 * Reads what a proxy is told about a lab from a file: the line `bpsim up --json` prints, or the
 * `lab.json` that `bpsim certs` writes for a deployment. The CA comes inline (`caPem`) or from
 * `caFile` (relative to the file).
 */
export async function readLabFile(path: string): Promise<LabSummaryLike> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot read the lab description ${path}: ${(err as Error).message} (write one with \`bpsim up --json > ${path}\`)`);
  }
  const missing = ['endpoints', 'credentials'].filter((k) => raw[k] === undefined);
  if (missing.length) throw new Error(`${path} is not a lab description: it has no ${missing.join(' or ')}`);
  let caPem = typeof raw.caPem === 'string' ? raw.caPem : undefined;
  if (!caPem && typeof raw.caFile === 'string') {
    const caPath = resolve(dirname(path), raw.caFile);
    caPem = await readFile(caPath, 'utf8').catch((err: Error) => {
      throw new Error(`${path} names the CA file ${caPath}, which cannot be read: ${err.message}`);
    });
  }
  if (!caPem) throw new Error(`${path} has neither caPem nor caFile: the proxy needs the lab CA to verify servers`);
  return {
    caPem,
    endpoints: raw.endpoints as LabSummaryLike['endpoints'],
    credentials: raw.credentials as LabSummaryLike['credentials'],
    proxyAddress: typeof raw.proxyAddress === 'string' ? raw.proxyAddress : undefined,
  };
}
