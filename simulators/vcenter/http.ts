import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultEnvelope, MoRef, parseSoap, responseEnvelopeParts, XmlRejected } from '../core/codecs/vim25/index.ts';
import type { ConnContext } from '../core/net/listen.ts';
import type { SoapEngine, CallContext } from './engine.ts';
import { VimFault } from './soap/faults.ts';
import { folderHandler } from './folder-http.ts';

/** Largest SOAP request accepted (a 1,000-object RetrievePropertiesEx spec is a few KB). */
export const MAX_SOAP_BODY = 2 * 1024 * 1024;
const COOKIE = 'vmware_soap_session';

const SERVICE_VERSIONS = `<?xml version="1.0" encoding="UTF-8" ?>
<namespaces version="1.0">
 <namespace>
  <name>urn:vim25</name>
  <version>8.0.2.0</version>
  <priorVersions>
   <version>6.0</version><version>6.5</version><version>6.7</version><version>6.7.1</version><version>6.7.2</version><version>6.7.3</version>
   <version>7.0</version><version>7.0.1.0</version><version>7.0.2.0</version><version>7.0.3.0</version><version>8.0.0.0</version><version>8.0.1.0</version>
  </priorVersions>
 </namespace>
</namespaces>
`;

function sessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/[;,]/)) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=').replace(/^"|"$/g, '');
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: string | Buffer | Buffer[], headers: Record<string, string> = {}): void {
  const parts = Array.isArray(body) ? body : [typeof body === 'string' ? Buffer.from(body, 'utf8') : body];
  const length = parts.reduce((n, p) => n + p.length, 0);
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(length), ...headers });
  // Corked: the parts of a response leave in one write, as a single buffer would.
  res.cork();
  for (const p of parts.slice(0, -1)) res.write(p);
  res.end(parts.at(-1));
  res.uncork();
}

/** Reads the body up to `max` bytes; undefined when it is larger (the caller answers 413). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.once('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** The vim25 endpoint over HTTP: GET vimServiceVersions.xml, POST /sdk with a SOAP envelope. */
export function soapHandler(engine: SoapEngine) {
  const folder = folderHandler(engine);
  return async (req: IncomingMessage, res: ServerResponse, ctx: ConnContext): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/sdk/vimServiceVersions.xml') return send(res, 200, SERVICE_VERSIONS);
    if (path === '/folder' || path.startsWith('/folder/')) return folder(req, res, ctx);
    if (path !== '/sdk' && path !== '/sdk/') {
      ctx.trace('request', `${req.method} ${path}`);
      req.resume();
      return send(res, 404, '', { 'content-type': 'text/plain' });
    }
    if (req.method !== 'POST') {
      req.resume();
      return send(res, 405, '', { allow: 'POST', 'content-type': 'text/plain' });
    }
    const body = await readBody(req, MAX_SOAP_BODY);
    if (body === undefined) {
      ctx.trace('fault', `SOAP request body over ${MAX_SOAP_BODY} bytes: 413`);
      // The client may still be sending: the listener's close lingers (http-engine.ts), so the answer is not lost.
      return send(res, 413, faultEnvelope('InvalidRequest', `Request body exceeds ${MAX_SOAP_BODY} bytes`, {}, 'ClientFaultCode'), { connection: 'close' });
    }
    let message;
    try {
      message = parseSoap(body);
    } catch (err) {
      const why = err instanceof XmlRejected ? err.message : 'malformed request';
      ctx.trace('fault', `SOAP request rejected: ${why}`);
      return send(res, 500, faultEnvelope('InvalidRequest', why, {}, 'ClientFaultCode'));
    }
    const method = message.name;
    const self = message.body._this;
    ctx.trace('request', `${method} ${self instanceof MoRef ? `${self.type}:${self.value}` : ''}`.trim(), { data: { soapAction: req.headers.soapaction } });
    const call: CallContext = {
      engine,
      method,
      session: engine.sessions.get(sessionCookie(req.headers.cookie)),
      conn: ctx,
      peerAddress: ctx.peerAddress,
      userAgent: String(req.headers['user-agent'] ?? ''),
    };
    try {
      const result = await engine.invoke(method, message.body, call);
      const headers: Record<string, string> = {};
      if (call.newSession) headers['set-cookie'] = `${COOKIE}="${call.newSession.cookie}"; Path=/; HttpOnly; Secure;`;
      send(res, 200, responseEnvelopeParts(method, result), headers);
      ctx.trace('response', `${method} ok`);
    } catch (err) {
      const fault = err instanceof VimFault ? err : new VimFault('SystemError', `A general system error occurred: ${(err as Error).message}`, { reason: (err as Error).message });
      if (!(err instanceof VimFault)) ctx.trace('error', `${method} failed: ${(err as Error).stack ?? err}`);
      send(res, 500, faultEnvelope(fault.faultType, fault.message, fault.props));
      ctx.trace('response', `${method} fault ${fault.faultType}`, { data: { fault: fault.faultType } });
    }
  };
}
