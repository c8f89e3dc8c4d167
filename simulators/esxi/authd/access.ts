import type { NfcTicket } from '../tickets.ts';

/** Who an NFC session runs as after authd: a redeemed vCenter ticket or a local ESXi login. */
export type NfcAccess = { via: 'ticket'; ticket: NfcTicket } | { via: 'password'; user: string };

export function mayOpen(access: NfcAccess, path: string): boolean {
  return access.via === 'password' || access.ticket.files.includes(path);
}

export function mayWrite(access: NfcAccess): boolean {
  return access.via === 'password' || access.ticket.mode === 'readwrite';
}
