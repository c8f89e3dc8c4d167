import { randomBytes } from 'node:crypto';
import { buildExecutable, buildManifest, bundleLayout, type GuestOs, type BundleLayout } from '../../../simulators/core/codecs/guest-bundle.ts';

export interface InjectionFile {
  path: string;
  data: Buffer;
}

export interface InjectionBundle {
  os: GuestOs;
  layout: BundleLayout;
  /** Upload in this order (InitiateFileTransferToGuest + PUT each), then StartProgramInGuest(program, args). */
  files: InjectionFile[];
  program: string;
  args: string;
  /** Bearer token for guestossvc; created here, so only this proxy (and the guest) know it. */
  token: string;
}

/**
 * What the proxy injects into a guest: guestossvc and PhoenixSQLGuestPlugin executables, their
 * manifest (SHA-256 of each, checked by the guest before anything starts), and a fresh token file.
 * The proxy flow uploads `files` through guest operations and starts `program` with `args`.
 */
export function buildInjectionBundle(os: GuestOs, token = randomBytes(32).toString('hex')): InjectionBundle {
  const layout = bundleLayout(os);
  const guestossvc = buildExecutable('guestossvc', os);
  const plugin = buildExecutable('PhoenixSQLGuestPlugin', os);
  const manifest = buildManifest(os, [
    { program: 'guestossvc', path: layout.guestossvc, data: guestossvc },
    { program: 'PhoenixSQLGuestPlugin', path: layout.plugin, data: plugin },
  ]);
  return {
    os,
    layout,
    token,
    files: [
      { path: layout.guestossvc, data: guestossvc },
      { path: layout.plugin, data: plugin },
      { path: layout.manifest, data: Buffer.from(JSON.stringify(manifest, null, 2)) },
      { path: layout.token, data: Buffer.from(token + '\n') },
    ],
    program: layout.guestossvc,
    args: '--port 3542',
  };
}

/** Guest family as vCenter reports it -> the bundle's OS. */
export function osOfGuestFamily(family: string): GuestOs {
  return family === 'windowsGuest' ? 'windows' : 'linux';
}
