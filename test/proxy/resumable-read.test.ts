import { describe, expect, test, vi } from 'vitest';
import { NfcClientError } from '../../proxy/clients/nfc/errors.ts';
import type { Block } from '../../proxy/flows/blocks.ts';

/*
 * ResumingNfcReader against scripted NFC connections (no lab): each connection serves a disk of
 * 10-byte blocks and may drop after some blocks with VixDiskLib's TCP_CONN_LOST (14011). What the
 * reader must do is the VDDK products' behaviour: a new connection, reading on from the last block
 * handed out, at most MAX_NFC_RESUMES times.
 */
const opened = vi.hoisted(() => ({ conns: [] as unknown[], next: [] as unknown[] }));
vi.mock('../../proxy/flows/nfc-session.ts', () => ({
  openNfc: vi.fn(async () => {
    const c = opened.next.shift();
    if (!c) throw new Error('no more scripted connections');
    opened.conns.push(c);
    return c;
  }),
}));
const { MAX_NFC_RESUMES, ResumingNfcReader } = await import('../../proxy/flows/resumable-read.ts');
const { openNfc } = vi.mocked(await import('../../proxy/flows/nfc-session.ts'));

const lost = () => new NfcClientError('PROTOCOL', 'connection reset by peer', { vixCode: 14011 });

/** A connection whose disk serves `extents` as 10-byte blocks, failing with `err` after `dropAfter` blocks. */
function conn(dropAfter = Infinity, err: () => Error = lost) {
  const c = {
    asked: [] as { start: number; length: number }[][],
    opens: [] as unknown[],
    destroyed: 0,
    closed: 0,
    diskClosed: 0,
    closeFails: false,
    async openDisk(name: string, o: unknown) {
      c.opens.push([name, o]);
      return {
        async *readExtents(extents: { start: number; length: number }[]): AsyncGenerator<Block> {
          c.asked.push(extents.map((e) => ({ ...e })));
          let n = 0;
          for (const e of extents) {
            for (let off = e.start; off < e.start + e.length; off += 10) {
              if (n++ >= dropAfter) throw err();
              yield { offset: off, data: Buffer.alloc(10, off / 10) };
            }
          }
        },
        async close() {
          c.diskClosed++;
        },
      };
    },
    destroy() {
      c.destroyed++;
    },
    async close() {
      c.closed++;
      if (c.closeFails) throw new Error('already gone');
    },
  };
  return c;
}

async function start(conns: ReturnType<typeof conn>[]) {
  opened.conns.length = 0;
  openNfc.mockClear();
  opened.next = [...conns];
  const logs: [string, string | undefined][] = [];
  const ctx = { log: (m: string, l?: string) => logs.push([m, l]) };
  const r = await ResumingNfcReader.open(ctx as never, {} as never, {} as never);
  return { r, logs };
}

const extents = [{ start: 0, length: 30 }, { start: 100, length: 20 }];
const read = async (r: Awaited<ReturnType<typeof ResumingNfcReader.open>>) => {
  const out: number[] = [];
  for await (const b of r.read('[ds1] vm/vm.vmdk', extents, { chunkBytes: 10, inFlight: 1 })) out.push(b.offset);
  return out;
};

describe('ResumingNfcReader', () => {
  test('without a loss: one connection, the disk opened read-only, every block once, the disk closed', async () => {
    const a = conn();
    const { r, logs } = await start([a]);
    expect(await read(r)).toEqual([0, 10, 20, 100, 110]);
    expect([r.resumes, a.opens, a.diskClosed, logs]).toEqual([0, [['[ds1] vm/vm.vmdk', { readOnly: true }]], 1, []]);
    await r.close();
    expect([a.closed, a.destroyed]).toEqual([1, 0]);
  });

  test('a lost connection is replaced and reading continues after the last block handed out', async () => {
    const [a, b, c] = [conn(2), conn(2), conn()];
    const { r, logs } = await start([a, b, c]);
    expect(await read(r)).toEqual([0, 10, 20, 100, 110]);
    expect(b.asked[0]).toEqual([{ start: 20, length: 10 }, { start: 100, length: 20 }]);
    expect(c.asked[0]).toEqual([{ start: 110, length: 10 }]);
    expect([r.resumes, a.destroyed, b.destroyed, c.destroyed]).toEqual([2, 1, 1, 0]);
    // Every connection is opened with a read ticket.
    expect(openNfc.mock.calls.map((c) => c[3])).toEqual(['read', 'read', 'read']);
    expect(logs).toEqual([
      ['[ds1] vm/vm.vmdk: connection reset by peer; resuming at offset 20 with a new ticket (resume 1 of at most 3)', 'warn'],
      ['[ds1] vm/vm.vmdk: connection reset by peer; resuming at offset 110 with a new ticket (resume 2 of at most 3)', 'warn'],
    ]);
  });

  test('a loss before the first block resumes from the start', async () => {
    const [a, b] = [conn(0), conn()];
    const { r } = await start([a, b]);
    expect(await read(r)).toEqual([0, 10, 20, 100, 110]);
    expect(b.asked[0]).toEqual(extents);
  });

  test(`after ${MAX_NFC_RESUMES} resumes the next loss fails the read`, async () => {
    expect(MAX_NFC_RESUMES).toBe(3);
    const { r } = await start([conn(1), conn(1), conn(1), conn(1), conn()]);
    await expect(read(r)).rejects.toThrow('connection reset by peer');
    expect(r.resumes).toBe(3);
    expect(opened.conns).toHaveLength(4);
  });

  test('other errors are not retried: an NFC error with another code, or not an NFC error', async () => {
    for (const err of [() => new NfcClientError('NFC', 'file not found', { vixCode: 4 }), () => new NfcClientError('PROTOCOL', 'x', {}), () => new Error('plain')]) {
      const a = conn(1, err);
      const { r } = await start([a, conn()]);
      await expect(read(r)).rejects.toThrow(err().message);
      expect([r.resumes, opened.conns.length, a.destroyed]).toEqual([0, 1, 0]);
    }
  });

  test('close falls back to destroy when the connection cannot close cleanly', async () => {
    const a = conn();
    a.closeFails = true;
    const { r } = await start([a]);
    await r.close();
    expect([a.closed, a.destroyed]).toEqual([1, 1]);
  });
});
