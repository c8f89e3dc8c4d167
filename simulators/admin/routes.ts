import { http, HttpResponse, type JsonBodyType, type RequestHandler as MswHandler } from 'msw';
import type { CoreLab } from '../core/lab.ts';
import type { Credentials } from '../core/types.ts';
import { isAuthorized, unauthorized } from './auth.ts';
import { guarded, jsonBody, notFound } from './errors.ts';
import { checkFaultInput, type FaultCheckOptions } from './fault-input.ts';
import { labHealth } from './health.ts';
import { parseTraceFilter, traceEventStream, traceJsonl } from './trace.ts';
import { topologyOf } from './topology.ts';
import { runScenario } from './scenario-hook.ts';
import { webHandlers } from './web/routes.ts';
import type { WebRunners } from './web/runners.ts';

export interface RouteDeps extends FaultCheckOptions {
  lab: CoreLab<unknown>;
  credentials: Credentials;
  healthTimeoutMs: number;
  keepAliveMs: number;
  /** Source address of health probes, so the trace names them "admin". */
  probeAddress?: string;
  /** Tracks open event streams so stopping the admin API ends them. */
  registerStream(close: () => void): () => void;
  /** What the web page can run (jobs, scenarios list, fault catalog); missing ones answer 501. */
  runners?: WebRunners;
}

/** The admin API as an msw handler list: data, served over plain HTTP by `startAdmin`, usable in-process too. */
export function adminHandlers(d: RouteDeps): MswHandler[] {
  const { lab } = d;
  return [
    http.get('*/health', guarded(async () => {
      const health = await labHealth(lab, { timeoutMs: d.healthTimeoutMs, localAddress: d.probeAddress });
      return HttpResponse.json(health, { status: health.status === 'down' ? 503 : 200 });
    })),
    // Everything below needs credentials: returning nothing lets msw try the next handler.
    http.all('*', ({ request }) => (isAuthorized(request, d.credentials) ? undefined : unauthorized())),
    http.get('*/topology', () => HttpResponse.json(topologyOf(lab))),
    http.get('*/ca.pem', () =>
      new HttpResponse(lab.ca.cert, { headers: { 'content-type': 'application/x-pem-file', 'content-disposition': 'attachment; filename="bpsim-ca.pem"' } }),
    ),
    http.get('*/inventory', guarded(() => {
      const inventory = (lab.world as { inventory?: unknown } | undefined)?.inventory;
      if (!inventory) throw notFound('this lab has no inventory (it was started without the vSphere world)', 'no_inventory');
      return HttpResponse.json(inventory);
    })),
    http.get('*/faults', () => HttpResponse.json({ faults: lab.faults.list() })),
    http.post('*/faults', guarded(async ({ request }) => {
      const fault = lab.faults.set(checkFaultInput(lab, await jsonBody(request), d));
      return HttpResponse.json(fault, { status: 201, headers: { location: `/faults/${encodeURIComponent(fault.id)}` } });
    })),
    http.delete('*/faults/:id', guarded(({ params }) => {
      const id = String(params.id);
      if (!lab.faults.list().some((f) => f.id === id)) throw notFound(`no active fault with id "${id}" (it may have been used up: GET /faults lists the active ones)`, 'unknown_fault');
      lab.faults.clear(id);
      return new HttpResponse(null, { status: 204 });
    })),
    http.delete('*/faults', () => {
      const cleared = lab.faults.list().length;
      lab.faults.clear();
      return HttpResponse.json({ cleared });
    }),
    http.get('*/trace', guarded(({ request }) => {
      const body = traceJsonl(lab.recorder, parseTraceFilter(new URL(request.url)));
      return new HttpResponse(body, { headers: { 'content-type': 'application/x-ndjson' } });
    })),
    http.get('*/trace/stream', guarded(({ request }) => {
      const filter = parseTraceFilter(new URL(request.url), request.headers.get('last-event-id'));
      const body = traceEventStream(lab.trace, lab.recorder, filter, { keepAliveMs: d.keepAliveMs, register: d.registerStream });
      return new HttpResponse(body, {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
      });
    })),
    http.post('*/reset', guarded(async ({ request }) => {
      // No body (or {}) keeps stored data; {"data": true} clears it too.
      const body = await jsonBody(request);
      return HttpResponse.json(await lab.reset({ data: body.data === true }));
    })),
    http.post('*/scenarios/run', guarded(async ({ request }) => HttpResponse.json((await runScenario(lab, await jsonBody(request))) as JsonBodyType))),
    ...webHandlers(lab, d.runners),
  ];
}
