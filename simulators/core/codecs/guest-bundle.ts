import { createHash } from 'node:crypto';
import { sha256Hex } from './sha256.ts';
export { sha256Hex };

/**
 * The files the proxy injects into a guest (through InitiateFileTransferToGuest + the ESXi
 * /guestFile PUT) and how the guest checks them before it starts anything. Shared by the proxy
 * (which builds them) and the guest (which verifies them); docs/guest.md describes the format.
 *
 * An "executable" is `BPSIM-EXE/1\n` + one JSON header line + a payload whose size and SHA-256 the
 * header states, so a truncated or altered upload is detected. The manifest lists every executable
 * with its SHA-256, so a file swapped for another intact one is detected too. The token file holds
 * the bearer secret the proxy created for this injection: guestossvc accepts only that token.
 */
export const EXE_MAGIC = 'BPSIM-EXE/1\n';
export const BUNDLE_FORMAT = 'bpsim-guest-bundle/1';
export const BUNDLE_VERSION = '4.2.0';

export type GuestOs = 'windows' | 'linux';
export type InjectedProgram = 'guestossvc' | 'PhoenixSQLGuestPlugin';

export interface ExeHeader {
  program: InjectedProgram;
  version: string;
  os: GuestOs;
  payloadBytes: number;
  payloadSha256: string;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: string;
  os: GuestOs;
  files: { program: InjectedProgram; path: string; bytes: number; sha256: string }[];
}

export interface BundleLayout {
  dir: string;
  guestossvc: string;
  plugin: string;
  manifest: string;
  token: string;
}

/** Where the files go in the guest. */
export function bundleLayout(os: GuestOs): BundleLayout {
  if (os === 'windows') {
    const dir = 'C:\\ProgramData\\PhoenixGuest';
    return { dir, guestossvc: `${dir}\\guestossvc.exe`, plugin: `${dir}\\PhoenixSQLGuestPlugin.exe`, manifest: `${dir}\\manifest.json`, token: `${dir}\\guestossvc.token` };
  }
  const dir = '/opt/phoenix-guest';
  return { dir, guestossvc: `${dir}/guestossvc`, plugin: `${dir}/PhoenixSQLGuestPlugin`, manifest: `${dir}/manifest.json`, token: `${dir}/guestossvc.token` };
}


/** Deterministic payload bytes (the "machine code"): the same program and version give the same file everywhere. */
function payload(program: InjectedProgram, version: string, os: GuestOs, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, n = 0; off < size; off += 32, n++) {
    createHash('sha256').update(`${program}:${version}:${os}:${n}`).digest().copy(out, off);
  }
  return out;
}

export function buildExecutable(program: InjectedProgram, os: GuestOs, version = BUNDLE_VERSION, payloadBytes = 32 * 1024): Buffer {
  const body = payload(program, version, os, payloadBytes);
  const header: ExeHeader = { program, version, os, payloadBytes, payloadSha256: sha256Hex(body) };
  return Buffer.concat([Buffer.from(EXE_MAGIC + JSON.stringify(header) + '\n'), body]);
}

export type ExeCheck = { ok: true; header: ExeHeader } | { ok: false; reason: string };

/** What the guest does before running a file: is it an executable, for this program, and intact? */
export function checkExecutable(data: Buffer | undefined, program: InjectedProgram): ExeCheck {
  if (!data) return { ok: false, reason: 'file not found' };
  if (data.subarray(0, EXE_MAGIC.length).toString('latin1') !== EXE_MAGIC) return { ok: false, reason: 'not an executable image' };
  const nl = data.indexOf(0x0a, EXE_MAGIC.length);
  if (nl < 0) return { ok: false, reason: 'truncated header' };
  let header: ExeHeader;
  try {
    header = JSON.parse(data.subarray(EXE_MAGIC.length, nl).toString('utf8')) as ExeHeader;
  } catch {
    return { ok: false, reason: 'corrupt header' };
  }
  if (header.program !== program) return { ok: false, reason: `image is ${header.program}, not ${program}` };
  const body = data.subarray(nl + 1);
  if (body.length !== header.payloadBytes) return { ok: false, reason: `image truncated: ${body.length} of ${header.payloadBytes} bytes` };
  if (sha256Hex(body) !== header.payloadSha256) return { ok: false, reason: 'image checksum mismatch' };
  return { ok: true, header };
}

export function buildManifest(os: GuestOs, files: { program: InjectedProgram; path: string; data: Buffer }[], version = BUNDLE_VERSION): BundleManifest {
  return {
    format: BUNDLE_FORMAT,
    version,
    os,
    files: files.map((f) => ({ program: f.program, path: f.path, bytes: f.data.length, sha256: sha256Hex(f.data) })),
  };
}

export function parseManifest(data: Buffer | undefined): BundleManifest | undefined {
  if (!data) return undefined;
  try {
    const m = JSON.parse(data.toString('utf8')) as BundleManifest;
    return m.format === BUNDLE_FORMAT && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Token file content: one line, 64 hex characters. */
export function parseToken(data: Buffer | undefined): string | undefined {
  const t = data?.toString('utf8').trim();
  return t && /^[0-9a-f]{64}$/.test(t) ? t : undefined;
}
