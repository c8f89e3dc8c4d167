import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { readdir, rm, stat } from 'node:fs/promises';
import { buildCertificate, thumbprints, type CertSubject } from './x509.ts';
import { withDir } from '../dir-errors.ts';
import { cachedKey, createOnce, newRsaKey } from './key-store.ts';

const DAY = 86_400_000;

export interface LeafOptions {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** Validity window; defaults to yesterday .. one year ahead. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssuedCert {
  cert: string;
  key: string;
  sha1: string;
  sha256: string;
}

export function defaultPkiDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'bpsim', 'pki');
}

function serial(): string {
  // Positive 16-byte serial (top bit cleared) as RFC 5280 asks.
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  return b.toString('hex');
}

function selfSignedCa(key: KeyObject, subject: CertSubject, days: number): string {
  return buildCertificate({
    subject,
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string,
    issuer: 'self',
    signingKey: key,
    serial: serial(),
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + days * DAY),
    isCA: true,
  });
}

/** A certificate authority that issues leaves; the lab CA is cached on disk, a throw-away one (bench) is not. */
export class CertificateAuthority {
  readonly sha1: string;
  readonly sha256: string;

  private constructor(
    readonly cert: string,
    private readonly key: KeyObject,
    private readonly subject: CertSubject,
    private readonly leafKey: KeyObject,
    readonly certFile?: string,
  ) {
    ({ sha1: this.sha1, sha256: this.sha256 } = thumbprints(cert));
  }

  /**
   * The lab CA, created once per cache directory and reused (key files mode 0600). All leaves share
   * one cached key: a simulator needs distinct certificates, not distinct keys, and this keeps a cold
   * start to two RSA key generations.
   */
  static async cached(dir = defaultPkiDir()): Promise<CertificateAuthority> {
    return withDir(dir, 'PKI cache directory (lab CA and keys)', '--pki-dir <dir> (library: pkiDir; or set XDG_CACHE_HOME)', async () => {
      const [caKey, leafKey] = await Promise.all([cachedKey(dir, 'ca'), cachedKey(dir, 'leaf')]);
      const subject = { commonName: 'bpsim lab CA', organization: 'bpsim' };
      const certFile = join(dir, 'ca.crt');
      const cert = await createOnce(certFile, async () => selfSignedCa(caKey, subject, 3650), 0o644);
      return new CertificateAuthority(cert, caKey, subject, leafKey, certFile);
    });
  }

  /** A throw-away CA nobody trusts (the TLS pipe bench). */
  static async ephemeral(name = 'bpsim unknown CA'): Promise<CertificateAuthority> {
    const [key, leafKey] = await Promise.all([newRsaKey(), newRsaKey()]);
    const subject = { commonName: name, organization: 'not the lab' };
    return new CertificateAuthority(selfSignedCa(key, subject, 365), key, subject, leafKey);
  }

  /** The shared leaf key as PEM, for certificates made outside this class (selfsigned, for faults). */
  leafKeyPem(): { privateKey: string; publicKey: string } {
    return {
      privateKey: this.leafKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicKey: createPublicKey(this.leafKey).export({ type: 'spki', format: 'pem' }) as string,
    };
  }

  /** This CA's certificate and key as PEM, so selfsigned can sign a leaf with it. */
  signerPem(): { cert: string; key: string } {
    return { cert: this.cert, key: this.key.export({ type: 'pkcs8', format: 'pem' }) as string };
  }

  issue(opts: LeafOptions): IssuedCert {
    const cert = buildCertificate({
      subject: { commonName: opts.commonName },
      publicKeyPem: createPublicKey(this.leafKey).export({ type: 'spki', format: 'pem' }) as string,
      issuer: { subject: this.subject, key: this.key },
      signingKey: this.key,
      serial: serial(),
      notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
      notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
      isCA: false,
      dnsNames: opts.dnsNames,
      ipAddresses: opts.ipAddresses,
    });
    return { cert, key: this.leafKeyPemCached(), ...thumbprints(cert) };
  }

  /**
   * A leaf for these names from the PKI cache, issued (and cached) on a miss: a warm lab start signs
   * nothing and never loads node-forge. The cache key is this CA, the names, and a 30-day period, so
   * a cached leaf (valid a year) is always well inside its validity and a new one replaces it monthly.
   * A CA without a cache directory (a throw-away one) just issues.
   */
  async leaf(opts: LeafOptions): Promise<IssuedCert> {
    if (!this.certFile || opts.notBefore || opts.notAfter) return this.issue(opts);
    const dir = join(dirname(this.certFile), 'leaves');
    const period = Math.floor(Date.now() / (30 * DAY));
    const id = createHash('sha256').update(JSON.stringify([this.sha256, period, opts.commonName, opts.dnsNames, opts.ipAddresses])).digest('hex').slice(0, 32);
    let issued = false;
    const cert = await createOnce(join(dir, `${id}.crt`), async () => ((issued = true), this.issue(opts).cert), 0o644);
    if (issued) void pruneLeaves(dir);
    return { cert, key: this.leafKeyPemCached(), ...thumbprints(cert) };
  }

  private leafPem?: string;
  private leafKeyPemCached(): string {
    return (this.leafPem ??= this.leafKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  }

  /** An expired leaf for the same names (notAfter yesterday). */
  issueExpired(opts: LeafOptions): IssuedCert {
    return this.issue({ ...opts, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  }
}

/**
 * Labs on random address blocks (test suites) make new names every start: past 1,000 cached leaves,
 * those made more than a day ago go. Best effort, in the background; a leaf removed under a starting lab
 * is simply issued again.
 */
async function pruneLeaves(dir: string): Promise<void> {
  try {
    const files = await readdir(dir);
    if (files.length <= 1000) return;
    const old = Date.now() - DAY;
    for (const f of files) {
      const path = join(dir, f);
      if ((await stat(path)).mtimeMs < old) await rm(path, { force: true });
    }
  } catch {
    // Pruning is housekeeping: a race with another lab or a read-only cache is not this start's error.
  }
}
