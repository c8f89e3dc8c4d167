import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnContext } from '../../core/net/listen.ts';
import type { LabWorld } from '../../world.ts';
import { leaseDisk } from '../../vcenter/mo/http-nfc-lease.ts';

const CHUNK = 1 << 20;

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(message)) });
  res.end(message);
}

/** "bytes=a-b" (one range) within `size`, or undefined for the whole disk, or null when unsatisfiable. */
function range(header: string | undefined, size: number): { start: number; end: number } | undefined | null {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start <= end && start < size ? { start, end } : null;
}

/**
 * `/nfc/<lease>/disk-N.vmdk`: an HttpNfcLease's device URLs. GET reads an exported disk (flat bytes,
 * Range supported), PUT/POST writes an imported disk from offset 0. The lease id in the path is the
 * capability, as the URL vCenter hands out is; done, aborted or timed-out leases answer 404/409.
 */
export function nfcLeaseFileHandler(world: LabWorld, hostComponent: string) {
  return async (req: IncomingMessage, res: ServerResponse, ctx: ConnContext): Promise<void> => {
    const m = /^\/nfc\/([^/?]+)\/([^/?]+)/.exec(req.url ?? '');
    const put = req.method === 'PUT' || req.method === 'POST';
    if (!m || (!put && req.method !== 'GET')) {
      req.resume();
      return reply(res, m ? 405 : 404, m ? 'method not allowed' : 'not found');
    }
    const found = leaseDisk(world, m[1]!, decodeURIComponent(m[2]!), hostComponent);
    if (typeof found === 'string') {
      req.resume();
      ctx.trace('fault', `/nfc ${req.method} refused: ${found}`);
      return reply(res, found.startsWith('lease is') ? 409 : 404, found);
    }
    const { lease, disk } = found;
    if (put !== (lease.mode === 'import')) {
      req.resume();
      return reply(res, 405, `an ${lease.mode} lease does not accept ${req.method}`);
    }
    const view = { disk, readOnly: lease.mode === 'export' };
    if (!put) {
      const r = range(req.headers.range, disk.capacityBytes);
      if (r === null) return reply(res, 416, 'range not satisfiable');
      const start = r?.start ?? 0;
      const end = r?.end ?? disk.capacityBytes - 1;
      res.writeHead(r ? 206 : 200, {
        'content-type': 'application/octet-stream',
        'content-length': String(end - start + 1),
        ...(r ? { 'content-range': `bytes ${start}-${end}/${disk.capacityBytes}` } : {}),
      });
      // A whole-file download is hashed on the way out, for HttpNfcLeaseGetManifest.
      const sha1 = r ? undefined : createHash('sha1');
      for (let off = start; off <= end; off += CHUNK) {
        const n = Math.min(CHUNK, end + 1 - off);
        const bytes = disk.read(view, off, n);
        sha1?.update(bytes);
        // Recorded before the last bytes go out: a client may ask for the manifest as soon as it has them.
        if (sha1 && off + n > end) lease.manifest.set(m[2]!, { sha1: sha1.digest('hex'), size: disk.capacityBytes });
        const ok = res.write(bytes);
        lease.transferred += n;
        lease.lastActive = Date.now();
        if (!ok) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
        if (res.destroyed) return;
      }
      res.end();
      return;
    }
    let offset = 0;
    for await (const c of req) {
      const chunk = c as Buffer;
      if (offset + chunk.length > disk.capacityBytes) {
        req.resume();
        return reply(res, 413, `upload is larger than the disk (${disk.capacityBytes} bytes)`);
      }
      disk.write(view, offset, chunk);
      offset += chunk.length;
      lease.transferred += chunk.length;
      lease.lastActive = Date.now();
    }
    ctx.trace('response', `/nfc PUT ${m[2]} ${offset} bytes`);
    reply(res, 200, '');
  };
}
