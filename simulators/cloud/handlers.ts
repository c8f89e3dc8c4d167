import { http, HttpResponse, type RequestHandler } from 'msw';
import { API_PREFIX, type SnapshotManifest } from '../core/codecs/cloud-api.ts';
import { blockRoutes, blockUploadRoute } from './block-routes.ts';
import { connOf, type DirectRoute } from '../core/net/msw-adapter.ts';
import type { Caller, CloudService } from './cloud-service.ts';
import { checkUnavailable } from './faults.ts';
import { ApiError, guarded, readJson, requireString } from './http-api.ts';
import type { Principal, Role } from './principals.ts';

const P = `*${API_PREFIX}`;

/**
 * The backup cloud's REST API as an msw handler list: served over TLS by the component, or used
 * in-process. Every call first meets the cloud-unavailable fault, then authentication.
 */
export function cloudHandlers(cloud: CloudService): RequestHandler[] {
  const callers = new WeakMap<Request, Caller>();
  const faults = cloud.options.faults;
  const name = cloud.options.name;
  const as = (...roles: Array<Role | 'admin'>) => (request: Request) => {
    checkUnavailable(faults, name);
    callers.set(request, cloud.authenticate(request, roles));
  };
  const open = () => checkUnavailable(faults, name);
  const caller = (request: Request) => callers.get(request)!;
  const proxy = (request: Request) => callers.get(request) as Principal;
  const query = (request: Request) => new URL(request.url).searchParams;
  const found = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new ApiError(404, 'not_found', `no ${what}`);
    return value;
  };

  return [
    http.post(`${P}/activate`, guarded(open, async ({ request }) => {
      const body = await readJson(request);
      const result = cloud.activate(requireString(body, 'activationToken'), requireString(body, 'proxyName'), connOf(request)?.peerAddress ?? 'in-process');
      return HttpResponse.json(result, { status: 201 });
    })),
    http.get(`${P}/me`, guarded(as('proxy', 'cache', 'admin'), ({ request }) => HttpResponse.json(caller(request)))),
    http.post(`${P}/heartbeat`, guarded(as('proxy'), async ({ request }) => {
      const body = await readJson(request);
      const beat = cloud.principals.heartbeat(proxy(request), body);
      cloud.jobs.renew(proxy(request));
      return HttpResponse.json({ ...beat, queuedJobs: cloud.jobs.list('queued').length });
    })),
    http.post(`${P}/tokens/introspect`, guarded(as('cache'), async ({ request }) => {
      const token = requireString(await readJson(request), 'token');
      const p = cloud.principals.byToken(token);
      return HttpResponse.json(p && p.role === 'proxy' ? { active: true, principal: p } : { active: false });
    })),
    http.get(`${P}/proxies`, guarded(as('admin'), () => HttpResponse.json({ proxies: cloud.principals.proxies() }))),

    http.post(`${P}/jobs/claim`, guarded(as('proxy'), ({ request }) => {
      const job = cloud.jobs.claim(proxy(request));
      return job ? HttpResponse.json(job) : new HttpResponse(null, { status: 204 });
    })),
    http.post(`${P}/jobs`, guarded(as('admin'), async ({ request }) => {
      const body = await readJson(request);
      return HttpResponse.json(cloud.jobs.enqueue(body as never), { status: 201 });
    })),
    http.get(`${P}/jobs`, guarded(as('admin'), ({ request }) => HttpResponse.json({ jobs: cloud.jobs.list(query(request).get('state') ?? undefined) }))),
    http.get(`${P}/jobs/:id`, guarded(as('proxy', 'admin'), ({ params }) => HttpResponse.json(found(cloud.jobs.get(String(params.id)), `job ${params.id}`)))),
    http.post(`${P}/jobs/:id/progress`, guarded(as('proxy'), async ({ request, params }) =>
      HttpResponse.json(cloud.jobs.progress(proxy(request), String(params.id), await readJson(request))))),
    http.post(`${P}/jobs/:id/result`, guarded(as('proxy'), async ({ request, params }) =>
      HttpResponse.json(cloud.jobs.finish(proxy(request), String(params.id), await readJson(request))))),

    ...blockRoutes(cloud.backend, blockGate(cloud)),
    http.get(`${P}/storage`, guarded(as('proxy', 'cache', 'admin'), () => HttpResponse.json(cloud.storage()))),

    http.post(`${P}/manifests`, guarded(as('proxy'), async ({ request }) =>
      HttpResponse.json(cloud.manifests.put((await readJson(request)) as unknown as SnapshotManifest), { status: 201 }))),
    http.get(`${P}/manifests`, guarded(as('proxy', 'admin'), ({ request }) => HttpResponse.json({ manifests: cloud.manifests.list(query(request).get('vm') ?? undefined) }))),
    http.get(`${P}/manifests/:id`, guarded(as('proxy', 'admin'), ({ params }) => HttpResponse.json(found(cloud.manifests.get(String(params.id)), `manifest ${params.id}`)))),

    http.post(`${P}/catalog/sql`, guarded(as('proxy'), async ({ request }) => HttpResponse.json(cloud.catalog.add(await readJson(request)), { status: 201 }))),
    http.get(`${P}/catalog/sql/restore-chain`, guarded(as('proxy', 'admin'), ({ request }) => {
      const q = query(request);
      const database = q.get('database');
      const time = q.get('time');
      if (!database || !time) throw new ApiError(400, 'invalid_request', 'query parameters "database" and "time" are required');
      return HttpResponse.json(cloud.catalog.restoreChain(database, time, q.get('instance') ?? undefined));
    })),
    http.get(`${P}/catalog/sql`, guarded(as('proxy', 'admin'), ({ request }) => {
      const q = query(request);
      return HttpResponse.json({ backups: cloud.catalog.query({ database: q.get('database') ?? undefined, instance: q.get('instance') ?? undefined, type: q.get('type') ?? undefined }) });
    })),
    http.get(`${P}/catalog/sql/:id`, guarded(as('proxy', 'admin'), ({ params }) => HttpResponse.json(found(cloud.catalog.get(String(params.id)), `catalog entry ${params.id}`)))),
  ];
}

/** What every block route checks first: the cloud-unavailable fault, then a proxy's or a cache's token. */
function blockGate(cloud: CloudService): (request: Request) => void {
  return (request) => {
    checkUnavailable(cloud.options.faults, cloud.options.name);
    cloud.authenticate(request, ['proxy', 'cache']);
  };
}

/** The routes the socket adapter serves ahead of msw (block uploads, the hot path). */
export function cloudDirectRoutes(cloud: CloudService): DirectRoute[] {
  return [blockUploadRoute(cloud.backend, blockGate(cloud))];
}
