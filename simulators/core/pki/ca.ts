import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readdir, rm, stat } from 'node:fs/promises';
import { buildCertificate, certificateSerial, thumbprints, type CertSubject } from './x509.ts';
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
  /** A certificate never handed out before (new serial and thumbprint), not the cached one. */
  fresh?: boolean;
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


function selfSignedCa(key: KeyObject, subject: CertSubject, days: number): string {
  return buildCertificate({
    subject,
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string,
    issuer: 'self',
    signingKey: key,
    serial: certificateSerial(),
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + days * DAY),
    isCA: true,
  });
}

/** A certificate authority that issues leaves; the lab CA is cached on disk, the "unknown" CA for faults is not. */
export class CertificateAuthority {
  readonly sha1: string;
  readonly sha256: string;
  /** The shared leaf key in the two forms every issue needs: exporting them is most of an issue's cost. */
  private readonly leafPublicPem: string;
  private readonly leafKeyPem: string;

  private constructor(
    readonly cert: string,
    private readonly key: KeyObject,
    private readonly subject: CertSubject,
    private readonly leafKey: KeyObject,
    readonly certFile?: string,
  ) {
    ({ sha1: this.sha1, sha256: this.sha256 } = thumbprints(cert));
    this.leafPublicPem = createPublicKey(leafKey).export({ type: 'spki', format: 'pem' }) as string;
    this.leafKeyPem = leafKey.export({ type: 'pkcs8', format: 'pem' }) as string;
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

  /** A throw-away CA nobody trusts, for the "unknown CA" fault. */
  static async ephemeral(name = 'bpsim unknown CA'): Promise<CertificateAuthority> {
    const [key, leafKey] = await Promise.all([newRsaKey(), newRsaKey()]);
    const subject = { commonName: name, organization: 'not the lab' };
    return new CertificateAuthority(selfSignedCa(key, subject, 365), key, subject, leafKey);
  }

  /**
   * A leaf for these names. The cached CA keeps its default-validity leaves on disk beside it
   * (`leaves/`, keyed by the CA and the names): a 1,000-VM lab has 1,000 guests, and signing their
   * certificates was most of its start time. A cached leaf is reused until 30 days before it expires.
   */
  issue(opts: LeafOptions): IssuedCert {
    if (!this.certFile || opts.notBefore || opts.notAfter || opts.fresh) return this.sign(opts);
    const key = createHash('sha256').update(JSON.stringify([this.sha256, opts.commonName, opts.dnsNames, opts.ipAddresses])).digest('hex');
    const path = join(this.certFile, '..', 'leaves', `${key}.json`);
    try {
      const cached = JSON.parse(readFileSync(path, 'utf8')) as IssuedCert & { notAfter: number };
      if (cached.notAfter > Date.now() + 30 * DAY) return { cert: cached.cert, key: this.leafKeyPem, sha1: cached.sha1, sha256: cached.sha256 };
    } catch {
      // Not cached yet (or a torn file from a killed process): sign anew.
    }
    const notAfter = new Date(Date.now() + 365 * DAY);
    const leaf = this.sign({ ...opts, notAfter });
    storeOnce(path, JSON.stringify({ cert: leaf.cert, sha1: leaf.sha1, sha256: leaf.sha256, notAfter: notAfter.getTime() }));
    return leaf;
  }

  private sign(opts: LeafOptions): IssuedCert {
    const cert = buildCertificate({
      subject: { commonName: opts.commonName },
      publicKeyPem: this.leafPublicPem,
      issuer: { subject: this.subject, key: this.key },
      signingKey: this.key,
      serial: certificateSerial(),
      notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
      notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
      isCA: false,
      dnsNames: opts.dnsNames,
      ipAddresses: opts.ipAddresses,
    });
    const { sha1, sha256 } = thumbprints(cert);
    return { cert, key: this.leafKeyPem, sha1, sha256 };
  }

  /** The shared leaf key as PEM, for certificates made outside this class (selfsigned, for faults). */
  leafKeyPair(): { privateKey: string; publicKey: string } {
    return { privateKey: this.leafKeyPem, publicKey: this.leafPublicPem };
  }

  /** This CA's certificate and key as PEM, so selfsigned can sign a leaf with it. */
  signerPem(): { cert: string; key: string } {
    return { cert: this.cert, key: this.key.export({ type: 'pkcs8', format: 'pem' }) as string };
  }

  /** An expired leaf for the same names (notAfter yesterday). */
  issueExpired(opts: LeafOptions): IssuedCert {
    return this.issue({ ...opts, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  }
}

/** Writes a cache file atomically, first writer wins (parallel labs issue the same leaves); a cache that cannot be written is only slower. */
function storeOnce(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, content, { mode: 0o644 });
    linkSync(tmp, path);
    // Once per process: a lab start stores a dozen leaves, and each prune reads the whole directory.
    if (!pruneStarted) {
      pruneStarted = true;
      void pruneLeaves(join(path, '..'));
    }
  } catch {
    // EEXIST: another lab stored it first. Anything else: the next start signs again.
  } finally {
    rmSync(tmp, { force: true });
  }
}

let pruneStarted = false;

/**
 * Labs on random address blocks (test suites) make new names every start: past 1,000 cached leaves,
 * those made more than a day ago go. Best effort, in the background; a leaf removed under a starting
 * lab is simply issued again.
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
