import { Readable } from 'node:stream';
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import { getResponse, HttpResponse, type RequestHandler as MswHandler } from 'msw';
import type { ConnContext, RequestHandler } from './listen.ts';
import { cappedBody, type CappedBody } from './capped-body.ts';

const ctxOfRequest = new WeakMap<Request, ConnContext>();

/** The connection a Fetch Request came in on, for handlers that trace or check the peer. */
export function connOf(request: Request): ConnContext | undefined {
  return ctxOfRequest.get(request);
}

export function toFetchRequest(req: IncomingMessage, origin: string, body?: ReadableStream<Uint8Array> | null): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  // null: the body is read off the socket by a direct route, not through the Request.
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && body !== null;
  const request = new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: hasBody ? (body ?? (Readable.toWeb(req) as unknown as ReadableStream)) : undefined,
    // Required by undici for a streamed request body.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);
  // msw clones every request, only for its own logging (unused here). A clone tees the body: the
  // unread branch keeps a copy of every byte until the request is gone, and cancelling the other
  // branch never settles while it is open, so a capped reader hangs. A body-less copy avoids both.
  Object.defineProperty(request, 'clone', { value: () => new Request(request.url, { method: request.method, headers: request.headers }) });
  return request;
}

/** An answer built without the Fetch machinery (a direct route's success): status, headers and a whole body. */
export interface PlainReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Reply = Response | PlainReply;

export async function writeFetchResponse(response: Reply, res: ServerResponse): Promise<void> {
  if (!(response instanceof Response)) {
    res.writeHead(response.status, { ...response.headers, 'content-length': String(response.body.length) });
    res.end(response.body);
    return;
  }
  if (response.type === 'error') {
    // msw's HttpResponse.error(): a network error, which on a socket means "drop the connection".
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body) {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const body = Readable.fromWeb(response.body as never);
    body.once('error', (err) => {
      res.destroy(err);
      reject(err);
    });
    // A client that goes away cancels the body, so a streaming response (SSE) stops producing.
    res.once('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}

export interface MswServeOptions {
  /** Largest body any route of this listener takes: beyond it, 413 before or while reading, and the connection closes. */
  maxBodyBytes: number;
  /** The component's error form; default `{code, message}` JSON. */
  error?: (status: number, code: string, message: string) => Response;
  /**
   * Routes served straight off node:http, ahead of the msw handlers, for hot paths where the Web
   * stream body and the Fetch objects cost more than the work (block uploads). They get a Request
   * without a body (headers, URL, connection: for the same auth and fault checks) and the capped
   * body to consume chunk by chunk. What they do not match goes to msw as before.
   */
  direct?: readonly DirectRoute[];
}

export interface DirectRoute {
  method: string;
  /** The route's params if it takes this path (query string removed, not decoded), else undefined. */
  match(path: string): Record<string, string> | undefined;
  handle(args: { request: Request; params: Record<string, string>; body: CappedBody }): Promise<Reply>;
}

const jsonError = (status: number, code: string, message: string) => HttpResponse.json({ code, message }, { status });

/** Methods the Fetch Request constructor refuses outright: they can never reach a handler. */
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Serves a list of msw request handlers over a real socket: REST components stay plain handler
 * lists (usable in-process in unit tests) and this adapter is the only glue to node:http. What no
 * handler could answer sensibly is answered here, in the component's error form: a method no
 * route has (405 with Allow, 501 if HTTP has no such method), a path that is not valid
 * percent-encoding (400), a body over the listener's cap (413).
 */
export function mswRequestHandler(handlers: readonly MswHandler[], opts: MswServeOptions): RequestHandler {
  const error = opts.error ?? jsonError;
  const allow = routeMethods(handlers);
  return async (req, res, ctx) => {
    const body = cappedBody(req, opts.maxBodyBytes);
    const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      const response = error(status, code, message);
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      return answer(req, res, response, body, opts.maxBodyBytes);
    };
    const method = req.method ?? 'GET';
    if (!allow.includes(method) || FORBIDDEN.has(method)) {
      const allowed = allow.filter((m) => !FORBIDDEN.has(m)).join(', ');
      if (METHODS.includes(method)) return refuse(405, 'method_not_allowed', `${method} is not supported here (allowed: ${allowed})`, { allow: allowed });
      return refuse(501, 'not_implemented', `unknown method ${method}`);
    }
    const malformed = malformedTarget(req.url ?? '/');
    if (malformed) return refuse(400, 'bad_request', malformed);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > opts.maxBodyBytes) return refuse(413, 'payload_too_large', `request body of ${declared} bytes exceeds the limit of ${opts.maxBodyBytes} bytes`);
    const origin = `https://${req.headers.host ?? ctx.listener.address}`;
    const direct = directRoute(opts.direct, method, req.url ?? '/');
    let request: Request;
    try {
      request = toFetchRequest(req, origin, direct ? null : body.stream);
    } catch (err) {
      // node:http is more lenient than Fetch's Headers (a byte it lets through in a header value).
      return refuse(400, 'bad_request', `the request cannot be read: ${(err as Error).message}`);
    }
    ctxOfRequest.set(request, ctx);
    let response: Reply | undefined = direct ? await direct.route.handle({ request, params: direct.params, body }) : await getResponse(handlers as MswHandler[], request);
    // Past the cap the handler saw a read error and answered as it could: the real answer is 413.
    if (body.over !== undefined) response = error(413, 'payload_too_large', `request body of more than ${opts.maxBodyBytes} bytes exceeds the limit of ${opts.maxBodyBytes} bytes`);
    else if (!response) response = error(404, 'not_found', `no route for ${method} ${new URL(request.url).pathname}`);
    await answer(req, res, response, body, opts.maxBodyBytes);
  };
}

/**
 * How long a closing answer waits for the client to hang up before the connection is cut. Cutting
 * at once, with body bytes still arriving, makes the kernel reset the connection, and a client
 * still busy sending loses the answer it has not read yet. Nothing is read meanwhile, so it costs
 * a socket only; 30 s is nginx's lingering_time.
 */
const LINGER_MS = 30_000;

/**
 * Writes the response. A body still unread within the cap is dropped as it arrives (keep-alive
 * goes on). Over the cap, after a refusal or when the handler gave up on it, reading stops: the
 * answer says `Connection: close`, TCP backpressure halts the sender, and the connection ends when
 * the client closes it or LINGER_MS after the answer.
 */
async function answer(req: IncomingMessage, res: ServerResponse, response: Reply, body: CappedBody, cap: number): Promise<void> {
  if (req.complete) return writeFetchResponse(response, res);
  const close = body.abandoned || response.status === 413 || response.status >= 500 || !req.readable;
  const socket = req.socket;
  const linger = () => void setTimeout(() => socket.destroy(), LINGER_MS).unref();
  if (close) {
    if (response instanceof Response) response.headers.set('connection', 'close');
    else response.headers = { ...response.headers, connection: 'close' };
    // node:http calls destroySoon once a Connection: close answer is flushed. No FIN yet either: a
    // Node client that gets one while still writing fails with EPIPE before it reads the answer.
    socket.destroySoon = linger;
  }
  const written = writeFetchResponse(response, res);
  if (close) body.stop();
  else body.discard(Math.max(0, cap - body.seen), linger);
  await written;
}

function directRoute(routes: readonly DirectRoute[] | undefined, method: string, target: string): { route: DirectRoute; params: Record<string, string> } | undefined {
  if (!routes) return undefined;
  const path = target.split('?')[0]!;
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = route.match(path);
    if (params) return { route, params };
  }
  return undefined;
}

/** The methods named by routes; catch-all handlers (a RegExp method, e.g. an auth gate) name none. */
function routeMethods(handlers: readonly MswHandler[]): string[] {
  const methods = new Set<string>();
  for (const h of handlers) {
    const m = (h.info as { method?: unknown }).method;
    if (typeof m === 'string') methods.add(m.toUpperCase());
  }
  return [...methods];
}

/** Why a request target cannot be routed (msw would throw "URI malformed" decoding it), or undefined. */
function malformedTarget(target: string): string | undefined {
  const path = target.split('?')[0]!;
  try {
    decodeURIComponent(path);
    new URL(target, 'https://x');
    return undefined;
  } catch {
    return `the request target ${JSON.stringify(target.slice(0, 200))} is not a valid percent-encoded path`;
  }
}
