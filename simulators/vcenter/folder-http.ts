import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnContext } from '../core/net/listen.ts';
import type { SoapEngine } from './engine.ts';
import type { Session } from './session.ts';
import { cleanPath, datastoreFilesOf, MAX_UPLOAD, type DsFile } from './datastore-files.ts';
import { SessionManager } from './mo/session-manager.ts';

const CHUNK = 1024 * 1024;

function reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(message)), ...headers });
  res.end(message);
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=').replace(/^"|"$/g, '');
  }
  return undefined;
}

const METHOD_OF: Record<string, string> = { GET: 'httpGet', HEAD: 'httpHead', PUT: 'httpPut', POST: 'httpPost', DELETE: 'httpDelete' };

/**
 * Who may use /folder: a live SOAP session (cookie vmware_soap_session), a generic service ticket
 * (cookie vmware_cgi_ticket from AcquireGenericServiceTicket: single use, for its URL's path and query
 * and its HTTP method), or HTTP Basic with the endpoint's login, as ESXi and vCenter accept.
 */
function authorized(engine: SoapEngine, req: IncomingMessage, url: URL): Session | true | undefined {
  const session = engine.sessions.get(cookie(req.headers.cookie, 'vmware_soap_session'));
  if (session) {
    session.lastActive = new Date();
    return session;
  }
  const ticket = cookie(req.headers.cookie, 'vmware_cgi_ticket');
  if (ticket) {
    const sm = [...engine.objects.values()].find((o): o is SessionManager => o instanceof SessionManager);
    if (sm?.takeServiceTicket(ticket, url, METHOD_OF[req.method ?? ''] ?? '')) return true;
  }
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [user, ...pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    const want = engine.options.login;
    if (user?.toLowerCase() === want.user.toLowerCase() && pw.join(':') === want.password) return true;
  }
  return undefined;
}

function listing(ds: string, dir: string, files: DsFile[]): string {
  const prefix = dir ? `${dir}/` : '';
  const rows = files
    .filter((f) => f.path.startsWith(prefix) && f.path !== dir && !f.path.slice(prefix.length).includes('/'))
    .map((f) => {
      const name = f.path.slice(prefix.length) + (f.kind === 'folder' ? '/' : '');
      return `<tr><td><a href="${encodeURI(name)}">${name}</a></td><td>${f.modification.toUTCString()}</td><td>${f.kind === 'folder' ? '' : f.size}</td></tr>`;
    });
  return `<html><head><title>Index of ${ds}/${dir}</title></head><body><h1>Index of ${ds}/${dir}</h1><table><tr><th>Name</th><th>Last modified</th><th>Size</th></tr>${rows.join('')}</table></body></html>`;
}

async function readUpload(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_UPLOAD) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Streams a disk extent (or a Range of it) from the disk model, 1 MiB at a time, honouring backpressure. */
async function streamExtent(res: ServerResponse, f: DsFile, range: string | undefined, head: boolean): Promise<void> {
  let start = 0;
  let end = f.size - 1;
  const m = range && /^bytes=(\d*)-(\d*)$/.exec(range);
  if (range && !m) return reply(res, 416, 'unsupported range', { 'content-range': `bytes */${f.size}` });
  if (m) {
    if (m[1] === '' && m[2] !== '') start = Math.max(0, f.size - Number(m[2]));
    else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(end, Number(m[2]));
    }
    if (start > end || start >= f.size) return reply(res, 416, 'range not satisfiable', { 'content-range': `bytes */${f.size}` });
  }
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(end - start + 1), 'accept-ranges': 'bytes' };
  if (m) headers['content-range'] = `bytes ${start}-${end}/${f.size}`;
  res.writeHead(m ? 206 : 200, headers);
  if (head) return void res.end();
  for (let at = start; at <= end && !res.destroyed; at += CHUNK) {
    const ok = res.write(f.read!(at, Math.min(CHUNK, end - at + 1)));
    if (!ok) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

/**
 * `/folder/<path>?dcPath=<datacenter>&dsName=<datastore>`: the datastore file service of vCenter and
 * ESXi over the shared datastore file model. GET/HEAD a file (a folder answers an HTML index), PUT
 * uploads (201 new, 200 replaced), DELETE removes an uploaded file. 401 without credentials, 404 for
 * an unknown datacenter, datastore or file, 403 for changing a VM's generated files.
 */
export function folderHandler(engine: SoapEngine) {
  const files = datastoreFilesOf(engine.world);
  const dcName = () => String(engine.lookup(engine.layout.datacenter)?.property('name', undefined as never) ?? '');
  const visible = (moid: string) => !!engine.lookup(engine.layout.datastoreRef(moid));
  return async (req: IncomingMessage, res: ServerResponse, ctx: ConnContext): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://host');
    const method = req.method ?? 'GET';
    ctx.trace('request', `/folder ${method} ${url.pathname.slice(0, 120)}`);
    const drain = () => req.resume();
    if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) {
      drain();
      return reply(res, 405, 'method not allowed', { allow: 'GET, HEAD, PUT, DELETE' });
    }
    if (!authorized(engine, req, url)) {
      drain();
      return reply(res, 401, 'authentication required: a vmware_soap_session cookie, a vmware_cgi_ticket or Basic credentials', { 'www-authenticate': 'Basic realm="VMware HTTP server"' });
    }
    // govmomi sends the datacenter's inventory path with a leading slash (dcPath=/Lab-DC).
    const dcPath = url.searchParams.get('dcPath')?.replace(/^\//, '') ?? null;
    if ((dcPath ?? (engine.flavor === 'esxi' ? dcName() : '')) !== dcName()) {
      drain();
      return reply(res, 404, `datacenter ${dcPath ?? '(none: dcPath is required)'} not found`);
    }
    const rel = cleanPath(decodeURIComponent(url.pathname.replace(/^\/folder\/?/, '')));
    if (rel === undefined) {
      drain();
      return reply(res, 400, 'invalid path');
    }
    const dsName = url.searchParams.get('dsName');
    const ds = engine.world.inventory.datastores.find((d) => d.name === dsName && visible(d.moid));
    if (!ds) {
      drain();
      if (!dsName && !rel && (method === 'GET' || method === 'HEAD')) {
        const names = engine.world.inventory.datastores.filter((d) => visible(d.moid)).map((d) => `<li><a href="?dcPath=${encodeURIComponent(dcName())}&amp;dsName=${encodeURIComponent(d.name)}">${d.name}</a></li>`);
        const body = `<html><body><h1>Datastores</h1><ul>${names.join('')}</ul></body></html>`;
        return reply(res, 200, method === 'HEAD' ? '' : body, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
      }
      return reply(res, 404, `datastore ${dsName ?? '(none)'} not found`);
    }
    const existing = rel ? files.get(ds.name, rel) : { path: '', kind: 'folder' as const, size: 0, modification: new Date(), generated: true };
    if (method === 'GET' || method === 'HEAD') {
      drain();
      if (!existing) return reply(res, 404, `file [${ds.name}] ${rel} not found`);
      if (existing.kind === 'folder') {
        const body = listing(ds.name, rel, files.list(ds.name));
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        return void res.end(method === 'HEAD' ? undefined : body);
      }
      if (existing.read) return streamExtent(res, existing, req.headers.range, method === 'HEAD');
      if (!existing.bytes) return reply(res, 403, `[${ds.name}] ${rel} is a disk extent: read it over NFC (port 902)`);
      const bytes = existing.bytes();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), 'last-modified': existing.modification.toUTCString() });
      res.end(method === 'HEAD' ? undefined : bytes);
      ctx.trace('response', `/folder ${method} [${ds.name}] ${rel} ${bytes.length} bytes`);
      return;
    }
    if (!rel || existing?.kind === 'folder') {
      drain();
      return reply(res, 403, 'a folder cannot be written or deleted over /folder');
    }
    if (existing?.generated && (existing.kind === 'extent' || existing.kind === 'ctk' || method === 'DELETE')) {
      drain();
      return reply(res, 403, `[${ds.name}] ${rel} belongs to a registered virtual machine`);
    }
    if (method === 'DELETE') {
      drain();
      return files.delete(ds.name, rel) ? reply(res, 204, '') : reply(res, 404, `file [${ds.name}] ${rel} not found`);
    }
    const body = await readUpload(req);
    if (!body) {
      req.resume();
      return reply(res, 413, `uploads over ${MAX_UPLOAD} bytes are not accepted`, { connection: 'close' });
    }
    const replaced = !!existing;
    files.put(ds.name, rel, body);
    engine.changed();
    ctx.trace('response', `/folder PUT [${ds.name}] ${rel} ${body.length} bytes`);
    reply(res, replaced ? 200 : 201, '');
  };
}
