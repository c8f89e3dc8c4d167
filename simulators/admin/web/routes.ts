import { http, HttpResponse, type RequestHandler as MswHandler } from 'msw';
import type { CoreLab } from '../../core/lab.ts';
import { toMermaid } from '../../core/trace/mermaid.ts';
import type { Job } from '../../core/codecs/cloud-api.ts';
import { AdminError, badRequest, guarded, jsonBody } from '../errors.ts';
import { webAsset } from './assets.ts';
import type { WebRunners } from './runners.ts';

const notAvailable = (what: string) =>
  new AdminError(501, 'not_implemented', `${what} is not available: this admin API was started without it (bpsim up and bpsim demo --web have it)`);

function serve(name: string): Response {
  const asset = webAsset(name);
  if (!asset) return HttpResponse.json({ code: 'not_found', message: `no page file "${name}"` }, { status: 404 });
  return new HttpResponse(asset.body, { headers: { 'content-type': asset.type, 'cache-control': 'no-cache' } });
}

/** A whole number query parameter, or undefined; anything else is a 400. */
function seqParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${name} must be a trace sequence number (a whole number), got "${v}"`);
  return Number(v);
}

/**
 * The web view (GET / and its files) and the data only the page needs: the cloud's jobs, the fault
 * catalog, the bundled scenarios, a Mermaid text of a trace range, and running jobs. Installed after
 * the admin API's credential check, so all of it needs the admin credentials.
 */
export function webHandlers(lab: CoreLab<unknown>, runners: WebRunners = {}): MswHandler[] {
  const cloudJobs = () => (lab.world as { cloud?: { jobs: { list(): Job[] } } } | undefined)?.cloud?.jobs.list();
  return [
    http.get('*/', () => serve('index.html')),
    http.get('*/web/:file', ({ params }) => serve(String(params.file))),
    http.get('*/jobs', guarded(() => {
      const jobs = cloudJobs();
      if (!jobs) throw new AdminError(404, 'no_cloud', 'this lab has no cloud, so no job list');
      return HttpResponse.json({ jobs });
    })),
    http.post('*/jobs', guarded(async ({ request }) => {
      if (!runners.jobs) throw notAvailable('running jobs');
      return HttpResponse.json(await runners.jobs(await jsonBody(request)), { status: 202 });
    })),
    http.get('*/scenarios', guarded(() => {
      if (!runners.scenarios) throw notAvailable('the scenario list');
      return HttpResponse.json({ scenarios: runners.scenarios() });
    })),
    http.get('*/faults/catalog', guarded(() => {
      if (!runners.faultCatalog) throw notAvailable('the fault catalog');
      return HttpResponse.json({ faults: runners.faultCatalog() });
    })),
    http.get('*/trace/mermaid', guarded(({ request }) => {
      const url = new URL(request.url);
      const from = seqParam(url, 'from') ?? 0;
      const to = seqParam(url, 'to') ?? Number.MAX_SAFE_INTEGER;
      const events = lab.recorder.events.filter((e) => e.seq >= from && e.seq <= to);
      return new HttpResponse(toMermaid(events), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    })),
  ];
}
