import { refIdFrom } from '../core/codecs/ntp.ts';

/** How the lab's SNTP server behaves; set per lab (`startLab({ ntp: {...} })`), overridable at run time by faults. */
export interface NtpServerOptions {
  /** Added to the host clock in every timestamp the server sends (ms, may be negative). Default 0. */
  offsetMs?: number;
  /** 1..15. Default 2. */
  stratum?: number;
  /** Reply with LI=3 (alarm: clock not synchronized). */
  unsynchronized?: boolean;
  /** Answer every request with a Kiss-o'-Death packet carrying this code. */
  kod?: 'RATE' | 'DENY';
  /** Never reply. */
  silent?: boolean;
  /** Reference id: an IPv4 address or up to four ASCII characters. Default "GPS" at stratum 1, "192.0.2.1" above. */
  refId?: string;
}

/** What one reply looks like once options and faults are combined. */
export interface NtpBehaviour {
  offsetMs: number;
  stratum: number;
  unsynchronized: boolean;
  kod?: string;
  silent: boolean;
  refId: string;
}

export const NTP_FAULTS = ['ntp-skew', 'ntp-kod', 'ntp-unsynchronized', 'ntp-silent'] as const;

export function validateNtpOptions(o: NtpServerOptions): void {
  if (o.stratum !== undefined && !(Number.isInteger(o.stratum) && o.stratum >= 1 && o.stratum <= 15)) {
    throw new Error(`ntp.stratum must be an integer 1..15, got ${o.stratum}`);
  }
  if (o.offsetMs !== undefined && !Number.isFinite(o.offsetMs)) throw new Error(`ntp.offsetMs must be a finite number, got ${o.offsetMs}`);
  if (o.kod !== undefined && !isKissCode(o.kod)) throw new Error(`ntp.kod must be four upper-case letters such as RATE or DENY, got ${o.kod}`);
  // Checked here so a bad one fails the lab's start, not every reply.
  if (o.refId !== undefined) refIdFrom(o.refId);
}

export function isKissCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z]{4}$/.test(code);
}

export function defaultRefId(stratum: number): string {
  return stratum === 1 ? 'GPS' : '192.0.2.1';
}
