import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getResponse, type RequestHandler as MswHandler } from 'msw';
import type { ConnContext, RequestHandler } from './listen.ts';

const ctxOfRequest = new WeakMap<Request, ConnContext>();

/** The connection a Fetch Request came in on, for handlers that trace or check the peer. */
export function connOf(request: Request): ConnContext | undefined {
  return ctxOfRequest.get(request);
}

export function toFetchRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream) : undefined,
    // Required by undici for a streamed request body.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);
}

export async function writeFetchResponse(response: Response, res: ServerResponse): Promise<void> {
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

/**
 * Serves a list of msw request handlers over a real socket: REST components stay plain handler
 * lists (usable in-process in unit tests) and this adapter is the only glue to node:http.
 */
export function mswRequestHandler(handlers: readonly MswHandler[]): RequestHandler {
  return async (req, res, ctx) => {
    const origin = `https://${req.headers.host ?? ctx.listener.address}`;
    const request = toFetchRequest(req, origin);
    ctxOfRequest.set(request, ctx);
    const response = await getResponse(handlers as MswHandler[], request);
    if (!response) {
      // Drain what the client sent so keep-alive stays usable, then say what was not found.
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'not_found', message: `no route for ${req.method} ${new URL(request.url).pathname}` }));
      return;
    }
    await writeFetchResponse(response, res);
  };
}
