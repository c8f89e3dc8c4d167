import { http, HttpResponse, type RequestHandler } from 'msw';
import { connOf } from '../../core/net/msw-adapter.ts';
import { readLimitedBody } from '../../core/net/read-body.ts';
import { invalidArgument, VapiError } from './errors.ts';
import type { RestSession } from './sessions.ts';

/** Largest JSON body accepted (a batch of a few thousand object ids is well under). */
export const MAX_REST_BODY = 1024 * 1024;

/**
 * The two generations of the vSphere Automation REST API name the same operations differently:
 * older  POST /rest/com/vmware/cis/tagging/tag-association/id:<tag>?~action=attach, answers {"value": ...}
 * newer  POST /api/cis/tagging/tag-association/<tag>?action=attach, answers the bare value (201/204).
 * Both are parsed into one call, so each operation is written once.
 */
export type Form = 'older' | 'newer';

export interface RestCall {
  form: Form;
  method: string;
  /** "session", "tagging/category", "tagging/tag", "tagging/tag-association". */
  resource: string;
  id?: string;
  action?: string;
  body: Record<string, unknown>;
  request: Request;
  /** Set by the router for every operation except session create. */
  session?: RestSession;
}

/** What an operation answers: nothing, a value, or a newly created id (201 in the newer form). */
export type Outcome = { value?: unknown; created?: boolean; headers?: Record<string, string> } | undefined;
export type Operation = (call: RestCall) => Outcome | Promise<Outcome>;

export interface RouteTable {
  /** Keys: "METHOD resource", plus " {id}" when the path names one, plus " action" when the query has one. */
  operations: Record<string, Operation>;
  /** Resolves the caller's session; throws unauthenticated. */
  authenticate(call: RestCall): RestSession;
  /** Operations callable without a session ("POST session"). */
  public: Set<string>;
}

const OLDER_PREFIX = '/rest/com/vmware/cis/';
const NEWER_PREFIX = '/api/';

function parsePath(form: Form, pathname: string): { resource: string; id?: string } | undefined {
  const prefix = form === 'older' ? OLDER_PREFIX : NEWER_PREFIX;
  if (!pathname.startsWith(prefix)) return undefined;
  const parts = pathname.slice(prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (form === 'older') {
    const last = parts.at(-1);
    if (last?.startsWith('id:')) return { resource: parts.slice(0, -1).join('/'), id: last.slice(3) };
    return { resource: parts.join('/') };
  }
  // Newer: /api/session, /api/cis/tagging/<kind>[/<id>].
  if (parts[0] === 'session' && parts.length === 1) return { resource: 'session' };
  if (parts[0] !== 'cis' || parts[1] !== 'tagging' || parts.length < 3 || parts.length > 4) return { resource: parts.join('/') };
  return { resource: `tagging/${parts[2]}`, id: parts[3] };
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const bytes = await readLimitedBody(request, MAX_REST_BODY, (size) => invalidArgument(`request body of ${size} bytes exceeds ${MAX_REST_BODY} bytes`));
  if (bytes.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidArgument('The request body is not valid JSON.');
  }
  // govmomi sends `null` for operations without input (list-attached-objects): no input.
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidArgument('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function routeKey(method: string, resource: string, id: string | undefined, action: string | undefined): string {
  return [method, resource, id !== undefined ? '{id}' : '', action ?? ''].filter(Boolean).join(' ');
}

function respond(form: Form, out: Outcome): Response {
  const headers = out?.headers ?? {};
  if (form === 'older') {
    // The older API answers 200 to everything, with {"value": ...} when there is a value.
    if (out?.value === undefined) return new HttpResponse(null, { status: 200, headers });
    return HttpResponse.json({ value: out.value }, { status: 200, headers });
  }
  if (out?.value === undefined) return new HttpResponse(null, { status: 204, headers });
  return HttpResponse.json(out.value as never, { status: out.created ? 201 : 200, headers });
}

function errorResponse(form: Form, err: VapiError): Response {
  return HttpResponse.json((form === 'older' ? err.olderBody() : err.newerBody()) as never, { status: err.status });
}

function resolver(form: Form, table: RouteTable) {
  return async ({ request }: { request: Request }): Promise<Response> => {
    const url = new URL(request.url);
    const conn = connOf(request);
    conn?.trace('request', `${request.method} ${url.pathname}${url.search}`);
    try {
      const where = parsePath(form, url.pathname);
      const action = url.searchParams.get(form === 'older' ? '~action' : 'action') ?? undefined;
      const key = where && routeKey(request.method, where.resource, where.id, action);
      const op = key ? table.operations[key] : undefined;
      if (!where || !key || !op) {
        throw new VapiError('operation_not_found', 'com.vmware.vapi.rest.httpNotFound', `No operation for ${request.method} ${url.pathname}${url.search}.`);
      }
      const call: RestCall = { form, method: request.method, resource: where.resource, id: where.id, action, body: {}, request };
      if (!table.public.has(key)) call.session = table.authenticate(call);
      if (request.method === 'POST' || request.method === 'PATCH' || request.method === 'PUT') call.body = await readJson(request);
      const res = respond(form, await op(call));
      conn?.trace('response', `${request.method} ${url.pathname} ${res.status}`);
      return res;
    } catch (err) {
      // An unread body would stall the keep-alive connection.
      await request.body?.cancel().catch(() => {});
      const e = err instanceof VapiError ? err : new VapiError('internal_server_error', 'com.vmware.vapi.std.errors.internal_server_error', (err as Error).message);
      if (!(err instanceof VapiError)) conn?.trace('error', `${request.method} ${url.pathname} failed: ${(err as Error).stack ?? err}`);
      conn?.trace('response', `${request.method} ${url.pathname} ${e.status} ${e.kind}`);
      return errorResponse(form, e);
    }
  };
}

/** msw handlers serving one route table under both /rest and /api. */
export function restRouter(table: RouteTable): RequestHandler[] {
  // One handler per method the API uses (not http.all): the listener then answers any other method 405 with Allow.
  const verbs = [http.get, http.post, http.put, http.patch, http.delete];
  return verbs.flatMap((verb) => [verb('*/rest/*', resolver('older', table)), verb('*/api/*', resolver('newer', table))]);
}
