import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface SelfSigned {
  cert: string;
  key: string;
  /** VMware's colon form, as vCenter and govmomi compare them. */
  sha1: string;
  sha256: string;
}

export interface SelfsignedLeaf {
  /** DNS names and addresses for the SAN; the first is the common name. */
  names: string[];
  days?: number;
  /** Reuse a key (PEM pkcs8 + spki) instead of generating one: a fault costs no key generation. */
  keyPair?: { privateKey: string; publicKey: string };
  /** Sign with this CA instead of the leaf's own key. */
  ca?: { key: string; cert: string };
  organization?: string;
}

/**
 * A serverAuth leaf made by selfsigned: names and addresses in the SAN, SHA-256 signed (selfsigned
 * signs with SHA-1 unless told), valid from now for `days`. Self-signed unless `ca` is given.
 * node:crypto reads the thumbprints back.
 */
export async function selfsignedLeaf(req: SelfsignedLeaf): Promise<SelfSigned> {
  const { names, days = 365 } = req;
  if (names.length === 0) throw new Error('a self-signed certificate needs at least one host name or address (--name)');
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: names[0]! }, { name: 'organizationName', value: req.organization ?? 'bpsim self-signed' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ...(req.keyPair ? { keyPair: req.keyPair } : {}),
    ...(req.ca ? { ca: req.ca } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  const x509 = new X509Certificate(pems.cert);
  return { cert: pems.cert, key: pems.private, sha1: x509.fingerprint, sha256: x509.fingerprint256 };
}

/**
 * A one-off certificate outside the lab CA (`bpsim certs --self-signed`): a serverAuth leaf that is
 * its own issuer, as an appliance's default certificate is.
 */
export function selfSignedCertificate(names: string[], days = 365): Promise<SelfSigned> {
  return selfsignedLeaf({ names, days });
}
