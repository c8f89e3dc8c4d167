import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnContext } from '../../core/net/listen.ts';
import type { LabWorld } from '../../world.ts';
import { GuestError } from '../../guest/contract.ts';
import { guestTransfersOf } from './transfers.ts';

/** Largest guest upload (the injected guest services are a few MB). */
export const MAX_GUEST_FILE = 256 * 1024 * 1024;

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(message)) });
  res.end(message);
}

/** Guest errors a PUT can still meet (the file appeared or the guest changed since initiation). */
const PUT_STATUS: Record<string, number> = {
  FileAlreadyExists: 409,
  NotAFile: 409,
  NotADirectory: 409,
  GuestPermissionDenied: 403,
  InvalidGuestLogin: 403,
  InvalidArgument: 400,
  FileNotFound: 404,
  GuestOperationsUnavailable: 503,
};

const STATUS: Record<string, number> = { unknown: 404, expired: 410, 'wrong-host': 404, 'wrong-direction': 405 };

/** `/guestFile?id=&token=`: PUT uploads into the guest (size checked), GET downloads from it. One use per URL. */
export function guestFileHandler(world: LabWorld, hostComponent: string) {
  return async (req: IncomingMessage, res: ServerResponse, ctx: ConnContext): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://host');
    const id = url.searchParams.get('id') ?? '';
    const token = url.searchParams.get('token') ?? '';
    const put = req.method === 'PUT' || req.method === 'POST';
    ctx.trace('request', `/guestFile ${req.method} id=${id.slice(0, 8)}`);
    if (!put && req.method !== 'GET') {
      req.resume();
      return reply(res, 405, 'method not allowed');
    }
    const t = guestTransfersOf(world).take(id, token, put ? 'to-guest' : 'from-guest', hostComponent);
    if (typeof t === 'string') {
      req.resume();
      ctx.trace('fault', `/guestFile ${req.method} refused: ${t}`);
      return reply(res, STATUS[t] ?? 400, `guest file transfer ${t}`);
    }
    const guest = world.guests?.get(t.vm);
    if (!guest) {
      req.resume();
      return reply(res, 503, 'guest operations are unavailable');
    }
    try {
      if (!put) {
        const data = guest.getFile(t.path);
        if (!data) return reply(res, 404, `file ${t.path} not found in the guest`);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
        res.end(data);
        ctx.trace('response', `/guestFile GET ${t.path} ${data.length} bytes`);
        return;
      }
      const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
      if (declared !== undefined && declared !== t.size) {
        req.resume();
        return reply(res, 400, `content-length ${declared} does not match the announced size ${t.size}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > (t.size ?? MAX_GUEST_FILE) || size > MAX_GUEST_FILE) {
          req.resume();
          return reply(res, 413, `upload exceeds the announced size ${t.size}`);
        }
        chunks.push(c as Buffer);
      }
      if (size !== t.size) return reply(res, 400, `received ${size} bytes, announced ${t.size}`);
      guest.putFile(t.path, Buffer.concat(chunks), t.overwrite);
      ctx.trace('response', `/guestFile PUT ${t.path} ${size} bytes`);
      reply(res, 200, '');
    } catch (err) {
      if (err instanceof GuestError) return reply(res, PUT_STATUS[err.fault] ?? 500, err.message);
      throw err;
    }
  };
}
