import { randomBytes } from 'node:crypto';
import type { LabWorld } from '../../world.ts';

/** A guest file transfer URL handed out by InitiateFileTransfer{To,From}Guest, served by the VM's host. */
export interface GuestTransfer {
  id: string;
  token: string;
  vm: string;
  /** Component of the ESXi host that serves it ("esxi-01"). */
  hostComponent: string;
  path: string;
  direction: 'to-guest' | 'from-guest';
  /** Bytes the PUT must carry (to-guest). */
  size?: number;
  overwrite: boolean;
  expiresAt: number;
}

export type TransferProblem = 'unknown' | 'expired' | 'wrong-host' | 'wrong-direction';

/** URLs are valid about 10 minutes and for one transfer, like ESXi's. */
export const TRANSFER_TTL_MS = 10 * 60_000;

export class GuestTransferStore {
  private readonly transfers = new Map<string, GuestTransfer>();

  create(t: Omit<GuestTransfer, 'id' | 'token' | 'expiresAt'>): GuestTransfer {
    const now = Date.now();
    for (const [id, x] of this.transfers) if (x.expiresAt < now) this.transfers.delete(id);
    const transfer = { ...t, id: randomBytes(8).toString('hex'), token: randomBytes(24).toString('base64url'), expiresAt: now + TRANSFER_TTL_MS };
    this.transfers.set(transfer.id, transfer);
    return transfer;
  }

  /** Consumes the transfer, or says why it cannot be used. */
  take(id: string, token: string, direction: GuestTransfer['direction'], hostComponent: string): GuestTransfer | TransferProblem {
    const t = this.transfers.get(id);
    if (!t || t.token !== token) return 'unknown';
    if (t.expiresAt < Date.now()) {
      this.transfers.delete(id);
      return 'expired';
    }
    if (t.hostComponent !== hostComponent) return 'wrong-host';
    if (t.direction !== direction) return 'wrong-direction';
    this.transfers.delete(id);
    return t;
  }
}

declare module '../../world.ts' {
  interface LabWorld {
    guestTransfers: GuestTransferStore;
  }
}

export function guestTransfersOf(world: LabWorld): GuestTransferStore {
  return (world.guestTransfers ??= new GuestTransferStore());
}
