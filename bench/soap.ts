import { pathToFileURL } from 'node:url';
import { CoreLab } from '../simulators/core/lab.ts';
import { buildInventory } from '../simulators/inventory/index.ts';
import { mergeCredentials } from '../simulators/credentials.ts';
import { data, MoRef, requestEnvelope } from '../simulators/core/codecs/vim25/index.ts';
import type { LabWorld } from '../simulators/world.ts';
import { vcenterComponent } from '../simulators/vcenter/component.ts';
import { ProxyNet } from '../proxy/net/proxy-net.ts';
import { HttpsClient } from '../proxy/net/https-client.ts';
import { VsphereClient } from '../proxy/clients/vsphere/index.ts';
import { figure, type BenchOptions, type Figure } from './figure.ts';
import { startVcsim, VCSIM_HOST, type Vcsim } from './baselines/vcsim.ts';

export interface SoapBenchOptions {
  vms?: number;
  hosts?: number;
  /** Also measure govmomi's vcsim with as many VMs (needs Go and Debian's govmomi). */
  vcsim?: boolean;
  /** Also page through the listing with this maxObjects (ContinueRetrievePropertiesEx), timed. */
  pageSize?: number;
  requests?: number;
  concurrency?: number;
}

export interface Series {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoapBenchResult {
  vms: number;
  responseBytes: number;
  soap: Series;
  staticHandler: Series;
  /** SOAP throughput / static handler throughput (aim >= 0.5). */
  ratio: number;
  /** vcsim with the same VMs and the same request, or why it was not measured. */
  vcsim?: Series & { readyMs: number; responseBytes: number };
  vcsimMissing?: string;
  /** The inventory built and vCenter listening (in this process, certificates cached), in ms. */
  readyMs: number;
  /** Median time to page through every VM with `pageSize`, and the pages it took. */
  paging?: { ms: number; pages: number };
}

const PATHS = ['name', 'runtime.powerState', 'config.instanceUuid'];

/**
 * RetrievePropertiesEx over a ContainerView of `vms` VMs (3 properties), against a static HTTPS
 * handler that returns the very same bytes over the same kind of listener, in the same run.
 */
export async function benchSoap(opts: SoapBenchOptions = {}): Promise<SoapBenchResult> {
  const vms = opts.vms ?? 1000;
  const requests = opts.requests ?? 300;
  const concurrency = opts.concurrency ?? 4;
  const world = { seed: 'bench', options: {} } as LabWorld;
  const lab = await CoreLab.create<LabWorld>(world, { credentials: mergeCredentials() });
  let staticBody = Buffer.alloc(0);
  let vcsim: Vcsim | string | undefined;
  try {
    const t0 = performance.now();
    world.inventory = buildInventory({ seed: 'bench', vms, hosts: opts.hosts, domain: 'lab.test' }, (n) => lab.addressOf(n));
    await lab.start([
      vcenterComponent(),
      {
        name: 'static',
        kind: 'bench',
        hostname: 'static.lab.test',
        start: async (ctx) => {
          await ctx.listenHttps({ listener: 'https', realPort: 443, protocol: 'https', scheme: 'https' }, (req, res) => {
            req.resume();
            req.once('end', () => {
              res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(staticBody.length) });
              res.end(staticBody);
            });
          }, { traceRequests: false });
        },
      },
    ]);
    const readyMs = performance.now() - t0;
    if (opts.vcsim) vcsim = await startVcsim(lab.ca, vms, Math.max(1, opts.hosts ?? 2));
    const extra = typeof vcsim === 'object' ? [vcsim.endpoint] : [];
    const http = new HttpsClient(new ProxyNet({ endpoints: () => [...lab.endpoints(), ...extra], caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
    try {
      // The same request to both servers, each with its own session and view.
      const listing = async (host: string, user: string, password: string) => {
        const vc = await VsphereClient.connect(http, host);
        await vc.login(user, password);
        const view = (await vc.soap.call('CreateContainerView', new MoRef('ViewManager', 'ViewManager'), { container: new MoRef('Folder', 'group-d1'), type: ['VirtualMachine'], recursive: true })) as MoRef;
        const spec = (maxObjects?: number) => requestEnvelope('RetrievePropertiesEx', new MoRef('PropertyCollector', 'propertyCollector'), {
        specSet: [
          data('PropertyFilterSpec', {
            propSet: [data('PropertySpec', { type: 'VirtualMachine', all: false, pathSet: PATHS })],
            objectSet: [data('ObjectSpec', { obj: view, skip: true, selectSet: [data('TraversalSpec', { name: 'view', type: 'ContainerView', path: 'view', skip: false })] })],
          }),
        ],
          options: data('RetrieveOptions', { maxObjects }),
        });
        const body = spec();
        const headers = { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:vim25/8.0.2.0', cookie: `vmware_soap_session="${vc.soap.sessionCookie}"` };
        const post = (to = host) => http.request({ host: to, method: 'POST', path: '/sdk', body, headers });
        const first = await post();
        if (first.status !== 200) throw new Error(`RetrievePropertiesEx on ${host} failed: HTTP ${first.status} ${first.text().slice(0, 300)}`);
        const objects = (first.text().match(/<objects[ >]/g) ?? []).length;
        if (objects !== vms) throw new Error(`${host}: expected ${vms} objects, got ${objects}`);
        // Every page by ContinueRetrievePropertiesEx until no token: the VMs seen must be all of them, once each.
        const pageAll = async (size: number) => {
          const seen = new Set<string>();
          let pages = 0;
          let res = await http.request({ host, method: 'POST', path: '/sdk', body: spec(size), headers });
          for (;;) {
            pages++;
            const text = res.text();
            if (res.status !== 200) throw new Error(`paging on ${host}: HTTP ${res.status} ${text.slice(0, 300)}`);
            for (const m of text.matchAll(/<obj type="VirtualMachine">([^<]+)<\/obj>/g)) seen.add(m[1]!);
            const token = /<token>([^<]+)<\/token>/.exec(text)?.[1];
            if (!token) break;
            const next = requestEnvelope('ContinueRetrievePropertiesEx', new MoRef('PropertyCollector', 'propertyCollector'), { token });
            res = await http.request({ host, method: 'POST', path: '/sdk', body: next, headers });
          }
          if (seen.size !== vms) throw new Error(`paging on ${host}: ${seen.size} distinct VMs of ${vms}`);
          return pages;
        };
        return { post, pageAll, bytes: first.body.length, body: first.body };
      };
      const bpsim = await listing('vcenter.lab.test', lab.credentials.vcenter!.user, lab.credentials.vcenter!.password);
      staticBody = Buffer.from(bpsim.body);
      const sim = typeof vcsim === 'object' ? await listing(VCSIM_HOST, 'user', 'pass') : undefined;
      const targets = [
        { name: 'static', post: () => bpsim.post('static.lab.test') },
        { name: 'soap', post: () => bpsim.post() },
        ...(sim ? [{ name: 'vcsim', post: () => sim.post() }] : []),
      ];
      // Warm every path, then measure them interleaved in rounds so machine noise hits all alike.
      for (const t of targets) await run(t.post, 20, concurrency);
      // Throughput is each target's best round (other load only ever slows a round down, as in the
      // NFC bench); the latency quantiles are over every request of every round.
      const times = new Map(targets.map((t) => [t.name, { times: [] as number[], bestPerSec: 0 }]));
      const rounds = 3;
      for (let r = 0; r < rounds; r++) {
        for (const t of targets) {
          const s = await run(t.post, Math.ceil(requests / rounds), concurrency);
          const m = times.get(t.name)!;
          m.times.push(...s.times);
          m.bestPerSec = Math.max(m.bestPerSec, (s.times.length / s.wallMs) * 1000);
        }
      }
      const of = (name: string) => series(times.get(name)!.times, times.get(name)!.bestPerSec);
      let paging: SoapBenchResult['paging'];
      if (opts.pageSize) {
        const runs: number[] = [];
        let pages = 0;
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          pages = await bpsim.pageAll(opts.pageSize);
          runs.push(performance.now() - t);
        }
        paging = { ms: runs.sort((a, b) => a - b)[2]!, pages };
      }
      const soap = of('soap');
      const staticHandler = of('static');
      return {
        vms, responseBytes: staticBody.length, soap, staticHandler, ratio: soap.requestsPerSec / staticHandler.requestsPerSec, readyMs, paging,
        vcsim: sim && typeof vcsim === 'object' ? { ...of('vcsim'), readyMs: vcsim.readyMs, responseBytes: sim.bytes } : undefined,
        vcsimMissing: typeof vcsim === 'string' ? vcsim : undefined,
      };
    } finally {
      http.close();
    }
  } finally {
    if (typeof vcsim === 'object') await vcsim.stop();
    await lab.stop();
  }
}

async function run(fn: () => Promise<{ status: number }>, n: number, concurrency: number): Promise<{ times: number[]; wallMs: number }> {
  const times: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < n) {
      next++;
      const t = performance.now();
      const r = await fn();
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      times.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { times, wallMs: performance.now() - start };
}

function series(times: number[], requestsPerSec: number): Series {
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { requestsPerSec, p50Ms: q(0.5), p99Ms: q(0.99) };
}

/** The figures for `npm run bench`. */
export async function benchSoapFigures(o: BenchOptions): Promise<Figure[]> {
  const r = await benchSoap({ ...(o.quick ? { requests: 90 } : {}), vcsim: true });
  const note = `${r.vms} VMs x ${PATHS.length} properties, ${(r.responseBytes / 1024).toFixed(0)} KiB per response`;
  const figures = [
    figure({ name: `soap-retrieve-${r.vms}vms`, value: r.soap.requestsPerSec, unit: 'req/s', baseline: r.staticHandler.requestsPerSec, baselineName: 'static HTTPS, same bytes', aim: '>= 0.8', note }),
    figure({ name: `soap-retrieve-${r.vms}vms-p50`, value: r.soap.p50Ms, unit: 'ms', baseline: r.staticHandler.p50Ms, baselineName: 'static p50', aim: null }),
    figure({ name: `soap-retrieve-${r.vms}vms-p99`, value: r.soap.p99Ms, unit: 'ms', baseline: r.staticHandler.p99Ms, baselineName: 'static p99', aim: null }),
  ];
  if (r.vcsim) {
    const vnote = `same request; vcsim answers ${(r.vcsim.responseBytes / 1024).toFixed(0)} KiB`;
    figures.push(
      figure({ name: `soap-retrieve-${r.vms}vms-vs-vcsim`, value: r.soap.requestsPerSec, unit: 'req/s', baseline: r.vcsim.requestsPerSec, baselineName: 'govmomi vcsim, same VMs', aim: '>= 5', note: vnote }),
      figure({ name: `lab-ready-${r.vms}vms-vs-vcsim`, value: r.readyMs, unit: 'ms', baseline: r.vcsim.readyMs, baselineName: 'vcsim model + server', aim: '<= 1', note: 'inventory + vCenter listening, in process, certificates cached' }),
    );
  } else if (r.vcsimMissing) process.stderr.write(`bench: soap: vcsim not measured: ${r.vcsimMissing}\n`);
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchSoap({ vcsim: true });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
