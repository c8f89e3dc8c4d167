import { describe, test, expect } from 'vitest';
import { mkdtemp, stat, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { CertificateAuthority } from '../../simulators/core/pki/ca.ts';
import { buildCertificate, certificateSerial } from '../../simulators/core/pki/x509.ts';

describe('lab CA', () => {
  test('is created once per cache directory and reused, key files mode 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-pki-'));
    try {
      const first = await CertificateAuthority.cached(dir);
      const second = await CertificateAuthority.cached(dir);
      expect(second.sha256).toBe(first.sha256);
      expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(first.cert);
      for (const key of ['ca.key.pem', 'leaf.key.pem']) {
        expect((await stat(join(dir, key))).mode & 0o777).toBe(0o600);
      }
      const x = new X509Certificate(first.cert);
      expect(x.ca).toBe(true);
      expect(x.subject).toContain('CN=bpsim lab CA');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('parallel creation in one directory converges on one CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-pki-'));
    try {
      const cas = await Promise.all([1, 2, 3, 4].map(() => CertificateAuthority.cached(dir)));
      expect(new Set(cas.map((c) => c.sha256)).size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('leaves carry SAN, serverAuth and verify against the CA; thumbprints in VMware form', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-pki-'));
    try {
      const ca = await CertificateAuthority.cached(dir);
      const leaf = ca.issue({ commonName: 'vcenter.lab.test', dnsNames: ['vcenter.lab.test'], ipAddresses: ['127.77.0.1'] });
      const x = new X509Certificate(leaf.cert);
      expect(x.subjectAltName).toBe('DNS:vcenter.lab.test, IP Address:127.77.0.1');
      expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
      expect(x.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
      expect(x.checkIssued(new X509Certificate(ca.cert))).toBe(true);
      expect(leaf.sha1).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
      expect(leaf.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const expired = new X509Certificate(ca.issueExpired({ commonName: 'x', dnsNames: ['x'], ipAddresses: [] }).cert);
      expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('leaves are cached beside the CA by names; a fresh or expired leaf is never the cached one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-pki-'));
    try {
      const names = { commonName: 'guest-a.lab.test', dnsNames: ['guest-a.lab.test'], ipAddresses: ['127.77.1.5'] };
      const first = (await CertificateAuthority.cached(dir)).issue(names);
      // Another lab (a new CA object over the same directory) gets the very same certificate.
      const again = (await CertificateAuthority.cached(dir)).issue(names);
      expect(again).toEqual(first);
      expect(await readdir(join(dir, 'leaves'))).toHaveLength(1);
      const ca = await CertificateAuthority.cached(dir);
      expect(ca.issue({ ...names, ipAddresses: ['127.77.2.5'] }).sha1).not.toBe(first.sha1);
      expect(ca.issue({ ...names, fresh: true }).sha1).not.toBe(first.sha1);
      expect(new Date(new X509Certificate(ca.issueExpired(names).cert).validTo).getTime()).toBeLessThan(Date.now());
      expect(new X509Certificate(first.cert).verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
      // The cached leaf is the right one for its names and its key, not just any leaf of this CA.
      expect(new X509Certificate(first.cert).subjectAltName).toBe('DNS:guest-a.lab.test, IP Address:127.77.1.5');
      expect(new X509Certificate(first.cert).checkPrivateKey(createPrivateKey(first.key))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// OpenSSL (node:crypto's X509Certificate) is the judge: node-forge writes the serial's hex as the INTEGER's bytes.
describe('certificate serials', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certWith = (serial: string) =>
    buildCertificate({
      subject: { commonName: 'serial.lab.test' }, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, issuer: 'self',
      signingKey: privateKey, serial, notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), isCA: false,
    });

  test('OpenSSL refuses a serial that begins 00 00: the case a random serial used to hit about once in 32768', () => {
    expect(() => new X509Certificate(certWith('0000' + '11'.repeat(14)))).toThrow(/illegal padding/);
  });

  test.each([
    ['00 00 first bytes', Buffer.from('0000' + '11'.repeat(14), 'hex'), '01' + '00' + '11'.repeat(14)],
    ['80 00 (top bit cleared: 00 00)', Buffer.from('8000' + '22'.repeat(14), 'hex'), '01' + '00' + '22'.repeat(14)],
    ['ff first byte', Buffer.from('ff' + '33'.repeat(15), 'hex'), '7f' + '33'.repeat(15)],
    ['05 first byte, kept', Buffer.from('05' + '44'.repeat(15), 'hex'), '05' + '44'.repeat(15)],
  ])('%s: 16 positive bytes whose first is 01..7f, and OpenSSL reads the certificate with that serial', (_, random, want) => {
    const serial = certificateSerial(random);
    expect(serial).toBe(want);
    expect(new X509Certificate(certWith(serial)).serialNumber).toBe(want.toUpperCase());
  });

  test('the random source is not changed in place', () => {
    const random = Buffer.from('80' + '55'.repeat(15), 'hex');
    certificateSerial(random);
    expect(random.toString('hex')).toBe('80' + '55'.repeat(15));
  });
});
