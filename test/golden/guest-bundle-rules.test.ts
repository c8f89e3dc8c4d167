import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { buildExecutable, buildManifest, bundleLayout, checkExecutable, parseManifest, parseToken } from '../../simulators/core/codecs/guest-bundle.ts';

/*
 * The injected files as docs/guest.md ("Injection") describes them: paths, the executable's
 * header checks with the reason the guest gives, the manifest and the token file. Expected
 * bytes and hashes are written here with node:crypto, never with the product's sha256Hex.
 */
const sha256hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** `BPSIM-EXE/1\n` + the header line as given + the payload. */
const exe = (headerLine: string, payload: Buffer) => Buffer.concat([Buffer.from(`BPSIM-EXE/1\n${headerLine}\n`), payload]);
const header = (o: Record<string, unknown>) => JSON.stringify({ program: 'guestossvc', version: '4.2.0', os: 'linux', payloadBytes: 4, payloadSha256: sha256hex('ABCD'), ...o });

describe('bundle layout (docs/guest.md table)', () => {
  test('Windows: C:\\ProgramData\\PhoenixGuest', () => {
    expect(bundleLayout('windows')).toEqual({
      dir: 'C:\\ProgramData\\PhoenixGuest',
      guestossvc: 'C:\\ProgramData\\PhoenixGuest\\guestossvc.exe',
      plugin: 'C:\\ProgramData\\PhoenixGuest\\PhoenixSQLGuestPlugin.exe',
      manifest: 'C:\\ProgramData\\PhoenixGuest\\manifest.json',
      token: 'C:\\ProgramData\\PhoenixGuest\\guestossvc.token',
    });
  });

  test('Linux: /opt/phoenix-guest, programs without .exe', () => {
    expect(bundleLayout('linux')).toEqual({
      dir: '/opt/phoenix-guest',
      guestossvc: '/opt/phoenix-guest/guestossvc',
      plugin: '/opt/phoenix-guest/PhoenixSQLGuestPlugin',
      manifest: '/opt/phoenix-guest/manifest.json',
      token: '/opt/phoenix-guest/guestossvc.token',
    });
  });
});

describe('checkExecutable: what the guest refuses to run, and why', () => {
  test('a well-formed image of 4 payload bytes passes with its header', () => {
    expect(checkExecutable(exe(header({}), Buffer.from('ABCD')), 'guestossvc')).toEqual({
      ok: true,
      header: { program: 'guestossvc', version: '4.2.0', os: 'linux', payloadBytes: 4, payloadSha256: sha256hex('ABCD') },
    });
  });

  test.each([
    ['no file', undefined, 'file not found'],
    ['an empty file', Buffer.alloc(0), 'not an executable image'],
    ['another magic', Buffer.from(`BPSIM-EXE/2\n${header({})}\nABCD`), 'not an executable image'],
    ['a magic without the newline', Buffer.from(`BPSIM-EXE/1 ${header({})}\nABCD`), 'not an executable image'],
    ['no newline after the header', Buffer.from(`BPSIM-EXE/1\n${header({})}`), 'truncated header'],
    ['only the magic', Buffer.from('BPSIM-EXE/1\n'), 'truncated header'],
    ['a header that is not JSON', Buffer.from('BPSIM-EXE/1\n{"program":\nABCD'), 'corrupt header'],
    ["the plugin's image", exe(header({ program: 'PhoenixSQLGuestPlugin' }), Buffer.from('ABCD')), 'image is PhoenixSQLGuestPlugin, not guestossvc'],
    ['a payload one byte short', exe(header({}), Buffer.from('ABC')), 'image truncated: 3 of 4 bytes'],
    ['a payload one byte long', exe(header({}), Buffer.from('ABCDE')), 'image truncated: 5 of 4 bytes'],
    ['a payload of the right size but other bytes', exe(header({}), Buffer.from('ABCE')), 'image checksum mismatch'],
  ])('%s: %s', (_name, data, reason) => {
    expect(checkExecutable(data, 'guestossvc')).toEqual({ ok: false, reason });
  });
});

describe('buildExecutable defaults', () => {
  test('version 4.2.0 (what guestossvc reports in /api/v1/status) and 32 KiB of payload', () => {
    const image = buildExecutable('guestossvc', 'windows');
    const nl = image.indexOf(0x0a, 12);
    expect(JSON.parse(image.subarray(12, nl).toString('utf8'))).toMatchObject({ program: 'guestossvc', version: '4.2.0', os: 'windows', payloadBytes: 32768 });
    // The first payload block: SHA-256 of "guestossvc:4.2.0:windows:0".
    expect(image.subarray(nl + 1, nl + 33).toString('hex')).toBe(sha256hex('guestossvc:4.2.0:windows:0'));
  });

  test('a payload that is not a multiple of 32 bytes ends with the start of the next block', () => {
    const image = buildExecutable('PhoenixSQLGuestPlugin', 'linux', '1.0', 40);
    const body = image.subarray(image.indexOf(0x0a, 12) + 1);
    expect(body.toString('hex')).toBe(sha256hex('PhoenixSQLGuestPlugin:1.0:linux:0') + sha256hex('PhoenixSQLGuestPlugin:1.0:linux:1').slice(0, 16));
  });
});

describe('manifest (docs/guest.md: {format: "bpsim-guest-bundle/1", version, os, files: [{program, path, bytes, sha256}]})', () => {
  const files = [
    { program: 'guestossvc' as const, path: '/opt/phoenix-guest/guestossvc', data: Buffer.from('one') },
    { program: 'PhoenixSQLGuestPlugin' as const, path: '/opt/phoenix-guest/PhoenixSQLGuestPlugin', data: Buffer.from('second') },
  ];
  const expected = {
    format: 'bpsim-guest-bundle/1',
    version: '4.2.0',
    os: 'linux',
    files: [
      { program: 'guestossvc', path: '/opt/phoenix-guest/guestossvc', bytes: 3, sha256: sha256hex('one') },
      { program: 'PhoenixSQLGuestPlugin', path: '/opt/phoenix-guest/PhoenixSQLGuestPlugin', bytes: 6, sha256: sha256hex('second') },
    ],
  };

  test('buildManifest lists each file with its size and SHA-256, version 4.2.0 by default', () => {
    expect(buildManifest('linux', files)).toEqual(expected);
    expect(buildManifest('windows', [], '5.0.1')).toEqual({ format: 'bpsim-guest-bundle/1', version: '5.0.1', os: 'windows', files: [] });
  });

  test('parseManifest reads the documented JSON back', () => {
    expect(parseManifest(Buffer.from(JSON.stringify(expected)))).toEqual(expected);
  });

  test.each([
    ['no file', undefined],
    ['not JSON', Buffer.from('{"format":')],
    ['another format', Buffer.from(JSON.stringify({ ...expected, format: 'bpsim-guest-bundle/2' }))],
    ['files not a list', Buffer.from(JSON.stringify({ ...expected, files: { guestossvc: {} } }))],
    ['no files', Buffer.from(JSON.stringify({ format: 'bpsim-guest-bundle/1' }))],
  ])('parseManifest refuses %s', (_name, data) => {
    expect(parseManifest(data)).toBeUndefined();
  });
});

describe('token file: one line of 64 lower-case hex characters', () => {
  const token = 'ab'.repeat(32);
  test('the token, with or without a line ending and surrounding blanks', () => {
    expect(parseToken(Buffer.from(token))).toBe(token);
    expect(parseToken(Buffer.from(`${token}\r\n`))).toBe(token);
    expect(parseToken(Buffer.from(`  ${token}\n`))).toBe(token);
  });

  test.each([
    ['no file', undefined],
    ['an empty file', Buffer.alloc(0)],
    ['a blank line', Buffer.from('\n')],
    ['63 characters', Buffer.from(token.slice(1))],
    ['65 characters', Buffer.from(`${token}a`)],
    ['upper case', Buffer.from(token.toUpperCase())],
    ['a character before it', Buffer.from(`x${token}`)],
    ['a character after it', Buffer.from(`${token}x`)],
    ['a non-hex character inside', Buffer.from(`${token.slice(0, 63)}g`)],
    ['two tokens on two lines', Buffer.from(`${token}\n${token}`)],
  ])('refuses %s', (_name, data) => {
    expect(parseToken(data)).toBeUndefined();
  });
});
