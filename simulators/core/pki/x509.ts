import { randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type forgeTypes from 'node-forge';

// node-forge is required on the first certificate actually built, not at import: a warm lab start
// finds every leaf in the PKI cache and never loads it (docs/performance.md, "CLI start").
let forgeModule: typeof forgeTypes | undefined;
function forgeLib(): typeof forgeTypes {
  return (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof forgeTypes);
}

export interface CertSubject {
  commonName: string;
  organization?: string;
}

export interface CertRequest {
  subject: CertSubject;
  /** PEM SubjectPublicKeyInfo of the key being certified. */
  publicKeyPem: string;
  issuer: { subject: CertSubject; key: KeyObject } | 'self';
  /** Key that signs (the issuer's, or the certified key itself when self-signed). */
  signingKey: KeyObject;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
}

function attrs(s: CertSubject): forgeTypes.pki.CertificateField[] {
  return [
    { name: 'commonName', value: s.commonName },
    { name: 'organizationName', value: s.organization ?? 'bpsim lab' },
  ];
}

/**
 * node-forge assembles the X.509 structure; the signature comes from node:crypto, which is ~50x
 * faster than forge's pure-JS RSA and lets keys stay native KeyObjects.
 */
export function buildCertificate(req: CertRequest): string {
  const forge = forgeLib();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(req.publicKeyPem);
  cert.serialNumber = req.serial;
  cert.validity.notBefore = req.notBefore;
  cert.validity.notAfter = req.notAfter;
  cert.setSubject(attrs(req.subject));
  cert.setIssuer(attrs(req.issuer === 'self' ? req.subject : req.issuer.subject));
  const extensions: unknown[] = [
    { name: 'basicConstraints', cA: req.isCA, critical: true },
    req.isCA
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!req.isCA) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true });
    const altNames = [
      ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
      ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
    ];
    if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  }
  cert.setExtensions(extensions as never[]);
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = oid;
  const tbs = forge.asn1.toDer((forge.pki as unknown as { getTBSCertificate(c: forgeTypes.pki.Certificate): forgeTypes.asn1.Asn1 }).getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), req.signingKey).toString('binary');
  return forge.pki.certificateToPem(cert);
}

/**
 * A positive 16-byte serial (top bit cleared, as RFC 5280 asks) whose first byte is never 0: node-forge
 * writes the hex as the INTEGER's bytes, and OpenSSL refuses a leading 00 00 as illegal padding
 * (about one serial in 32768 did, so a suite that signs a few thousand leaves failed now and then).
 */
export function certificateSerial(random: Buffer = randomBytes(16)): string {
  const b = Buffer.from(random);
  b[0] = Math.max(1, b[0]! & 0x7f);
  return b.toString('hex');
}

/** VMware prints thumbprints as upper-case colon-separated hex, which is exactly Node's form. */
export function thumbprints(certPem: string): { sha1: string; sha256: string } {
  const x = new X509Certificate(certPem);
  return { sha1: x.fingerprint, sha256: x.fingerprint256 };
}
