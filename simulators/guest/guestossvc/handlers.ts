import { PassThrough, Readable } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { GUEST_API, type BackupRequest, type RestoreRequest } from '../../core/codecs/guest-api.ts';
import { MAX_STREAM_BYTES } from '../../core/codecs/sql-backup-stream.ts';
import { ApiError, guarded, jsonBody } from '../api-error.ts';
import { readBody } from '../read-body.ts';
import { parseTime } from '../plugin/handlers.ts';
import type { Operations } from './operations.ts';
import type { PluginClient } from './plugin-client.ts';

export interface GuestossvcInfo {
  vm: string;
  hostname: string;
  version: string;
  pid: number;
  plugin(): { state: 'running' | 'failed' | 'stopped'; pid?: number; exitCode?: number; reason?: string };
}

/**
 * guestossvc's HTTPS API on 3542 (docs/guest.md). Every request needs the bearer token the proxy
 * uploaded at injection; SQL and VSS work is relayed to the plugin, which the proxy never reaches.
 */
export function guestossvcHandlers(token: string, ops: Operations, plugin: () => Promise<PluginClient>, info: GuestossvcInfo) {
  const A = `*${GUEST_API}`;
  const want = Buffer.from(`Bearer ${token}`);
  const authed = (fn: (request: Request, params: Record<string, string>) => Promise<Response> | Response) =>
    ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) =>
      guarded(() => {
        const got = Buffer.from(request.headers.get('authorization') ?? '');
        if (got.length !== want.length || !timingSafeEqual(got, want)) {
          throw new ApiError(401, { code: 'unauthorized', message: 'missing or wrong bearer token (the token file uploaded with guestossvc)' });
        }
        return fn(request, params as Record<string, string>);
      });
  const relay = (path: string) => authed(async () => HttpResponse.json(await (await plugin()).call('GET', path)));
  return [
    http.get(`${A}/status`, authed(() => HttpResponse.json({ service: 'guestossvc', version: info.version, vm: info.vm, hostname: info.hostname, pid: info.pid, plugin: info.plugin() }))),
    http.get(`${A}/sql/instances`, relay('/sql/instances')),
    http.get(`${A}/vss/writers`, relay('/vss/writers')),
    http.get(`${A}/sql/instances/:instance/databases/:db/checksum`, authed(async (request, p) => {
      const lsn = new URL(request.url).searchParams.get('lsn');
      return HttpResponse.json(await (await plugin()).call('GET', `/sql/instances/${enc(p.instance!)}/databases/${enc(p.db!)}/checksum${lsn ? `?lsn=${enc(lsn)}` : ''}`));
    })),
    http.get(`${A}/sql/instances/:instance/errorlog`, authed(async (_r, p) => HttpResponse.json(await (await plugin()).call('GET', `/sql/instances/${enc(p.instance!)}/errorlog`)))),
    http.post(`${A}/backups`, authed(async (request) => {
      await plugin();
      return HttpResponse.json(ops.startBackup(await jsonBody<BackupRequest>(request)), { status: 202 });
    })),
    http.post(`${A}/restores`, authed(async (request) => HttpResponse.json(await ops.startRestore(await jsonBody<RestoreRequest>(request)), { status: 201 }))),
    http.get(`${A}/operations/:id`, authed((_r, p) => HttpResponse.json(ops.status(p.id!)))),
    http.delete(`${A}/operations/:id`, authed(async (_r, p) => HttpResponse.json(await ops.abort(p.id!)))),
    http.post(`${A}/operations/:id/complete`, authed(async (_r, p) => HttpResponse.json(await ops.complete(p.id!)))),
    http.post(`${A}/operations/:id/recover`, authed(async (_r, p) => HttpResponse.json(await ops.recover(p.id!)))),
    http.get(`${A}/operations/:id/streams/:database`, authed(async (_r, p) => {
      const s = await ops.stream(p.id!, p.database!);
      let bytes = 0;
      const counted = new PassThrough();
      counted.on('data', (c: Buffer) => (bytes += c.length));
      counted.on('end', () => {
        if (bytes === s.set.streamBytes) s.markStreamed();
      });
      s.body.pipe(counted);
      return new HttpResponse(Readable.toWeb(counted) as ReadableStream, {
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(s.set.streamBytes),
          'x-backup-set-id': s.set.backupSetId,
          'x-backup-sha256': s.set.streamSha256,
        },
      });
    })),
    http.put(`${A}/operations/:id/streams`, authed(async (request, p) => {
      const url = new URL(request.url);
      const recovery = url.searchParams.get('recovery');
      if (recovery !== 'true' && recovery !== 'false') throw new ApiError(400, { code: 'bad-request', message: 'recovery=true|false is required (WITH RECOVERY / NORECOVERY)' });
      const stopAt = url.searchParams.get('stopAt');
      if (stopAt) parseTime(stopAt);
      const data = await readBody(request, MAX_STREAM_BYTES);
      return HttpResponse.json(await ops.restoreStream(p.id!, data, recovery === 'true', stopAt));
    })),
  ];
}

const enc = encodeURIComponent;
