import type { CertificateAuthority, IssuedCert } from '../pki/ca.ts';
import type { FaultRegistry } from '../faults/registry.ts';
import type { TlsMaterial } from './listen.ts';

/** Certificate and protocol faults a TLS listener can be given at run time. */
export const TLS_FAULTS = ['tls-expired', 'tls-wrong-host', 'tls-unknown-ca', 'tls-legacy-only', 'tls-thumbprint-changed'] as const;
export type TlsFaultType = (typeof TLS_FAULTS)[number];

export interface CertNames {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
}

/**
 * Makes the faulty certificates on demand and keeps them for the lab's life, so a fault costs one
 * certificate per component and no key generation (all reuse the lab's shared leaf key). The two that
 * need a certificate the lab CA would not issue (a self-signed leaf, a leaf for another host) come
 * from selfsigned, loaded only when such a fault is first served; expired and changed-thumbprint
 * leaves are ordinary lab-CA leaves with other dates or a new serial.
 */
export class TlsFaultCerts {
  private readonly made = new Map<string, Promise<TlsMaterial>>();

  constructor(private readonly ca: CertificateAuthority) {}

  material(type: TlsFaultType, names: CertNames, normal: IssuedCert): Promise<TlsMaterial> {
    const key = `${type}:${names.commonName}`;
    let m = this.made.get(key);
    if (!m) {
      m = this.make(type, names, normal);
      this.made.set(key, m);
    }
    return m;
  }

  private async make(type: TlsFaultType, names: CertNames, normal: IssuedCert): Promise<TlsMaterial> {
    switch (type) {
      case 'tls-expired':
        return this.ca.issueExpired(names);
      case 'tls-wrong-host': {
        // Signed by the lab CA, so the chain verifies and only the host name is wrong.
        const { selfsignedLeaf } = await import('../pki/self-signed.ts');
        return selfsignedLeaf({ names: ['wrong-host.invalid'], keyPair: this.ca.leafKeyPair(), ca: this.ca.signerPem(), organization: 'bpsim lab' });
      }
      case 'tls-unknown-ca': {
        // The component's own names, but its own issuer: no trust store has it.
        const { selfsignedLeaf } = await import('../pki/self-signed.ts');
        const all = [...new Set([names.commonName, ...names.dnsNames, ...names.ipAddresses])];
        return selfsignedLeaf({ names: all, keyPair: this.ca.leafKeyPair(), organization: 'not the lab' });
      }
      case 'tls-thumbprint-changed':
        // Same names, same CA, new serial: a valid certificate whose thumbprint no longer matches a pin.
        return this.ca.issue({ ...names, fresh: true });
      case 'tls-legacy-only':
        // A server stuck on TLS 1.0/1.1: OpenSSL 3 needs security level 0 to even offer them.
        return { ...normal, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
    }
  }
}

/** The certificate a listener should present now: the normal one, or a fault's. */
export function tlsSourceWithFaults(
  faults: FaultRegistry,
  certs: TlsFaultCerts,
  component: string,
  listener: string,
  names: CertNames,
  normal: IssuedCert,
  onFault: (type: string) => void,
): () => TlsMaterial | Promise<TlsMaterial> {
  return () => {
    const fault = faults.peek(component, [...TLS_FAULTS], listener);
    if (!fault) return normal;
    onFault(fault.type);
    return certs.material(fault.type as TlsFaultType, names, normal);
  };
}
