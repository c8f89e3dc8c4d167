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

/**
 * A one-off certificate outside the lab CA (`bpsim certs --self-signed`): names and addresses in
 * the SAN, SHA-256 signed, a serverAuth leaf that is its own issuer, as an appliance's default
 * certificate is. selfsigned does the X.509 assembly; node:crypto reads the thumbprints back.
 */
export async function selfSignedCertificate(names: string[], days = 365): Promise<SelfSigned> {
  if (names.length === 0) throw new Error('a self-signed certificate needs at least one host name or address (--name)');
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: names[0]! }, { name: 'organizationName', value: 'bpsim self-signed' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
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
