import { Readable } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { MAX_STREAM_BYTES } from '../../core/codecs/sql-backup-stream.ts';
import type { Writer } from './vss.ts';
import type { PluginService } from './service.ts';
import { ApiError, guarded, jsonBody } from '../api-error.ts';
import { readBody } from '../read-body.ts';

export const PLUGIN_API = '/plugin/v1';
export const PLUGIN_KEY_HEADER = 'x-phoenix-plugin-key';

/**
 * PhoenixSQLGuestPlugin's HTTPS API on 3545. Only guestossvc calls it: the listener admits only
 * the guest's own address, and every request must carry the key guestossvc generated when it
 * started the plugin (passed in the plugin's environment, never on its command line).
 */
export function pluginHandlers(service: PluginService, writers: Writer[], key: string) {
  const P = `*${PLUGIN_API}`;
  const authed = (fn: (request: Request, params: Record<string, string>) => Promise<Response> | Response) =>
    ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) =>
      guarded(() => {
        const got = Buffer.from(request.headers.get(PLUGIN_KEY_HEADER) ?? '');
        const want = Buffer.from(key);
        if (got.length !== want.length || !timingSafeEqual(got, want)) {
          throw new ApiError(403, { code: 'forbidden', message: 'PhoenixSQLGuestPlugin accepts requests from guestossvc only' });
        }
        return fn(request, params as Record<string, string>);
      });
  return [
    http.get(`${P}/status`, authed(() => HttpResponse.json({ service: 'PhoenixSQLGuestPlugin', state: 'running' }))),
    http.get(`${P}/vss/writers`, authed(() => HttpResponse.json({ writers: writers.map(({ name, id, instanceId, state, stateText, lastError }) => ({ name, id, instanceId, state, stateText, lastError })) }))),
    http.get(`${P}/sql/instances`, authed(() => HttpResponse.json({ instances: service.instances() }))),
    http.post(`${P}/vss/sessions`, authed(async (request) => {
      const b = await jsonBody<{ instance: string; databases: string[]; type: 'full' | 'diff' | 'log' | 'copy-only' }>(request);
      return HttpResponse.json(service.createSession(b.instance, b.databases ?? [], b.type), { status: 201 });
    })),
    http.post(`${P}/vss/sessions/:id/freeze`, authed((_r, p) => (service.freeze(p.id!), HttpResponse.json({ phase: 'frozen' })))),
    http.post(`${P}/vss/sessions/:id/snapshot`, authed(async (_r, p) => HttpResponse.json({ phase: 'snapshot', backupSets: await service.snapshot(p.id!) }))),
    http.post(`${P}/vss/sessions/:id/thaw`, authed((_r, p) => (service.thaw(p.id!), HttpResponse.json({ phase: 'thawed' })))),
    http.post(`${P}/vss/sessions/:id/complete`, authed((_r, p) => (service.complete(p.id!), HttpResponse.json({ phase: 'completed' })))),
    http.delete(`${P}/vss/sessions/:id`, authed((_r, p) => (service.abort(p.id!), HttpResponse.json({ phase: 'aborted' })))),
    http.post(`${P}/sql/log-backups`, authed(async (request) => {
      const b = await jsonBody<{ instance: string; database: string }>(request);
      return HttpResponse.json(service.logBackup(b.instance, b.database), { status: 201 });
    })),
    http.get(`${P}/backup-sets/:id/stream`, authed((_r, p) => {
      const set = service.stream(p.id!);
      return new HttpResponse(Readable.toWeb(Readable.from(set.chunks)) as ReadableStream, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(set.bytes), 'x-backup-sha256': set.sha256 },
      });
    })),
    http.post(`${P}/backup-sets/:id/complete`, authed((_r, p) => (service.completeSet(p.id!), HttpResponse.json({ completed: true })))),
    http.delete(`${P}/backup-sets/:id`, authed((_r, p) => (service.dropSet(p.id!), HttpResponse.json({ dropped: true })))),
    http.post(`${P}/sql/restores`, authed(async (request) => {
      const b = await jsonBody<{ instance: string; database: string; replace?: boolean }>(request);
      return HttpResponse.json({ restoreId: service.createRestore(b.instance, b.database, !!b.replace) }, { status: 201 });
    })),
    http.put(`${P}/sql/restores/:id/stream`, authed(async (request, p) => {
      const url = new URL(request.url);
      const stopAt = url.searchParams.get('stopAt');
      const data = await readBody(request, MAX_STREAM_BYTES);
      const r = service.applyRestore(p.id!, data, { recovery: url.searchParams.get('recovery') === 'true', stopAt: stopAt ? parseTime(stopAt) : undefined });
      return HttpResponse.json({ ...r, restoredLsn: r.restoredLsn.toString() });
    })),
    http.post(`${P}/sql/restores/:id/recover`, authed((_r, p) => HttpResponse.json({ state: service.recoverRestore(p.id!) }))),
    http.get(`${P}/sql/instances/:instance/databases/:db/checksum`, authed((request, p) => {
      const lsn = new URL(request.url).searchParams.get('lsn');
      return HttpResponse.json(service.checksum(p.instance!, p.db!, lsn ?? undefined));
    })),
    http.get(`${P}/sql/instances/:instance/errorlog`, authed((_r, p) => HttpResponse.json({ entries: service.instance(p.instance!).errorLog.entries }))),
  ];
}

export function parseTime(s: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new ApiError(400, { code: 'bad-request', message: `invalid STOPAT time "${s}" (ISO-8601 expected)` });
  return d;
}
