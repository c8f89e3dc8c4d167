import { NfcClientError, type BufferPool, type NfcConnection } from '../clients/nfc/index.ts';
import type { VsphereClient } from '../clients/vsphere/index.ts';
import type { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import type { FlowContext } from './context.ts';
import type { Block } from './blocks.ts';
import { openNfc } from './nfc-session.ts';

/** Reconnects per backup job after a lost 902 connection; one more loss fails the read (`nfc`). */
export const MAX_NFC_RESUMES = 3;

interface Extent {
  start: number;
  length: number;
}

/** VixDiskLib's TCP_CONN_LOST (14011): the connection broke, the host is fine, so reconnecting can help. */
function connectionLost(err: unknown): boolean {
  return err instanceof NfcClientError && err.details.vixCode === 14011;
}

/** The part of `extents` (sorted) at or after `offset`. */
export function extentsFrom(extents: readonly Extent[], offset: number): Extent[] {
  const out: Extent[] = [];
  for (const x of extents) {
    const end = x.start + x.length;
    if (end <= offset) continue;
    const start = Math.max(x.start, offset);
    out.push({ start, length: end - start });
  }
  return out;
}

/**
 * Disk reads over 902 that survive a connection reset the way VDDK-based products do: a new ticket
 * from vCenter (tickets are single-use), a new NFC session, the disk opened again, and reading
 * continues at the last offset handed to the consumer (blocks before it are already hashed and
 * queued for upload), not from zero.
 */
export class ResumingNfcReader {
  resumes = 0;

  private constructor(
    private readonly ctx: FlowContext,
    private readonly vs: VsphereClient,
    private readonly vm: MoRef,
    private conn: NfcConnection,
  ) {}

  static async open(ctx: FlowContext, vs: VsphereClient, vm: MoRef): Promise<ResumingNfcReader> {
    return new ResumingNfcReader(ctx, vs, vm, await openNfc(ctx, vs, vm, 'read'));
  }

  /** The blocks of `extents` (sorted, block aligned) of the disk file, in order. */
  async *read(fileName: string, extents: readonly Extent[], opts: { chunkBytes: number; inFlight: number; pool?: BufferPool }): AsyncGenerator<Block> {
    let confirmed = 0;
    for (;;) {
      try {
        const disk = await this.conn.openDisk(fileName, { readOnly: true });
        for await (const block of disk.readExtents(extentsFrom(extents, confirmed), opts) as AsyncIterable<Block>) {
          yield block;
          confirmed = block.offset + block.data.length;
        }
        await disk.close();
        return;
      } catch (err) {
        if (!connectionLost(err) || this.resumes >= MAX_NFC_RESUMES) throw err;
        this.resumes += 1;
        this.conn.destroy();
        this.ctx.log(`${fileName}: ${(err as Error).message}; resuming at offset ${confirmed} with a new ticket (resume ${this.resumes} of at most ${MAX_NFC_RESUMES})`, 'warn');
        this.conn = await openNfc(this.ctx, this.vs, this.vm, 'read');
      }
    }
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => this.conn.destroy());
  }
}
