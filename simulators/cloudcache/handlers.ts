import { http, HttpResponse, type RequestHandler } from 'msw';
import { API_PREFIX } from '../core/codecs/cloud-api.ts';
import { blockRoutes, blockUploadRoute } from '../cloud/block-routes.ts';
import type { DirectRoute } from '../core/net/msw-adapter.ts';
import { guarded } from '../cloud/http-api.ts';
import type { CacheBackend } from './cache-backend.ts';
import type { ProxyAuth } from './proxy-auth.ts';
import type { WriteBack } from './sync.ts';

/**
 * CloudCache's REST API: the cloud's block routes (served by the cache backend) plus a status
 * endpoint. Metadata (manifests, catalog, jobs) is not served here: it always goes to the cloud.
 */
export function cloudCacheHandlers(backend: CacheBackend, auth: ProxyAuth, sync: WriteBack): RequestHandler[] {
  const before = (request: Request) => auth.check(request);
  return [
    ...blockRoutes(backend, before),
    http.get(`*${API_PREFIX}/cache/status`, guarded(before, () => HttpResponse.json(sync.status()))),
  ];
}

/** The routes the socket adapter serves ahead of msw (block uploads, the hot path), with the same auth. */
export function cloudCacheDirectRoutes(backend: CacheBackend, auth: ProxyAuth): DirectRoute[] {
  return [blockUploadRoute(backend, (request) => auth.check(request))];
}
