import type { Credentials } from './core/types.ts';

/**
 * Default credentials of a lab. They are fixed (not random) so that a person can type them in a
 * demo; every server enforces them, and a lab can be started with others.
 */
export const DEFAULT_CREDENTIALS: Record<string, Credentials> = {
  vcenter: { user: 'administrator@vsphere.local', password: 'Bpsim-vc-1!' },
  esxi: { user: 'root', password: 'Bpsim-esx-1!' },
  'guest-windows': { user: 'Administrator', password: 'Bpsim-win-1!' },
  'guest-linux': { user: 'root', password: 'Bpsim-linux-1!' },
  cloud: { user: 'proxy-activation', password: 'BPSIM-ACTIVATION-TOKEN-0001' },
  admin: { user: 'admin', password: 'bpsim' },
};

export function mergeCredentials(over?: Record<string, Credentials>): Record<string, Credentials> {
  return { ...DEFAULT_CREDENTIALS, ...over };
}
