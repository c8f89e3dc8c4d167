import { arrayOf, data, isXObject, MoRef, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** The counters bpsim reports: vCenter's ids for the level-1 basics every monitoring client reads. */
const COUNTERS = [
  { key: 2, group: 'cpu', name: 'usage', unit: 'percent', rollup: 'average', stats: 'rate' },
  { key: 6, group: 'cpu', name: 'usagemhz', unit: 'megaHertz', rollup: 'average', stats: 'rate' },
  { key: 24, group: 'mem', name: 'usage', unit: 'percent', rollup: 'average', stats: 'absolute' },
  { key: 98, group: 'mem', name: 'consumed', unit: 'kiloBytes', rollup: 'average', stats: 'absolute' },
  { key: 125, group: 'disk', name: 'usage', unit: 'kiloBytesPerSecond', rollup: 'average', stats: 'rate' },
  { key: 143, group: 'net', name: 'usage', unit: 'kiloBytesPerSecond', rollup: 'average', stats: 'rate' },
  { key: 155, group: 'sys', name: 'uptime', unit: 'second', rollup: 'latest', stats: 'absolute' },
] as const;

/** Real-time samples are 20 s apart; the historical intervals are vCenter's defaults. */
const REALTIME = 20;
const INTERVALS = [
  { key: 1, samplingPeriod: 300, name: 'Past day', length: 86_400 },
  { key: 2, samplingPeriod: 1800, name: 'Past week', length: 604_800 },
  { key: 3, samplingPeriod: 7200, name: 'Past month', length: 2_592_000 },
  { key: 4, samplingPeriod: 86_400, name: 'Past year', length: 31_536_000 },
];
const ENTITY_TYPES = ['VirtualMachine', 'HostSystem'];

const desc = (key: string, label = key) => data('ElementDescription', { label, summary: label, key });

/** A deterministic, plausible value for a sample: varies with the entity, counter and time. */
function sample(entity: string, counter: number, t: number): number {
  let h = 2166136261;
  for (const c of `${entity}:${counter}:${t}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  const u = (h >>> 0) / 2 ** 32;
  if (counter === 155) return Math.floor(t / 1000) % 1_000_000;
  return counter === 2 || counter === 24 ? Math.floor(500 + u * 4000) : Math.floor(u * 100_000);
}

/** PerformanceManager: counters and intervals, available metrics and QueryPerf with generated samples. */
export class PerformanceManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'PerformanceManager', id);
    this.expose({
      description: () =>
        data('PerformanceDescription', {
          counterType: ['absolute', 'delta', 'rate'].map((k) => desc(k)),
          statsType: ['absolute', 'delta', 'rate'].map((k) => desc(k)),
        }),
      historicalInterval: () => INTERVALS.map((i) => data('PerfInterval', { ...i, level: 1, enabled: true })),
      perfCounter: () => COUNTERS.map((c) => counterInfo(c)),
    });
  }

  private entity(ref: MoRef): MoRef {
    const mo = this.engine.require(ref);
    return mo.ref;
  }

  private supported(ref: MoRef): boolean {
    return ENTITY_TYPES.includes(ref.type);
  }

  QueryPerfProviderSummary(args: Args): DataObject {
    const entity = this.entity(args.ref('entity'));
    const current = this.supported(entity);
    return data('PerfProviderSummary', { entity, currentSupported: current, summarySupported: true, refreshRate: current ? REALTIME : -1 });
  }

  QueryPerfCounter(args: Args): DataObject[] {
    const ids = args.list('counterId').map((x) => Number(x));
    return ids.map((id) => {
      const c = COUNTERS.find((k) => k.key === id);
      if (!c) throw Faults.invalidArgument('counterId', `no counter ${id}`);
      return counterInfo(c);
    });
  }

  QueryPerfCounterByLevel(args: Args): DataObject[] {
    const level = args.int('level');
    if (level < 1 || level > 4) throw Faults.invalidArgument('level');
    return COUNTERS.map((c) => counterInfo(c));
  }

  QueryAvailablePerfMetric(args: Args): DataObject[] {
    const entity = this.entity(args.ref('entity'));
    const interval = args.optInt('intervalId');
    if (interval !== undefined && interval !== REALTIME && !INTERVALS.some((i) => i.samplingPeriod === interval)) throw Faults.invalidArgument('intervalId');
    if (!this.supported(entity)) return [];
    return COUNTERS.map((c) => data('PerfMetricId', { counterId: c.key, instance: '' }));
  }

  QueryPerf(args: Args): DataObject[] {
    return args.list('querySpec').map((q) => this.query(Args.of(q, 'querySpec')));
  }

  private query(q: Args): DataObject {
    const entity = this.entity(q.ref('entity'));
    const interval = q.optInt('intervalId') ?? REALTIME;
    if (interval !== REALTIME && !INTERVALS.some((i) => i.samplingPeriod === interval)) throw Faults.invalidArgument('querySpec.intervalId');
    const ids = q.list('metricId').map((m) => {
      if (!isXObject(m)) throw Faults.invalidRequest('metricId must be PerfMetricId');
      const id = Args.of(m, 'metricId').int('counterId');
      if (!COUNTERS.some((c) => c.key === id)) throw Faults.invalidArgument('querySpec.metricId.counterId', `no counter ${id}`);
      return { counterId: id, instance: typeof m.instance === 'string' ? m.instance : '' };
    });
    const metrics = ids.length ? ids : COUNTERS.map((c) => ({ counterId: c.key as number, instance: '' }));
    if (!this.supported(entity)) return data('PerfEntityMetric', { entity, sampleInfo: [], value: [] });
    const max = Math.max(1, Math.min(q.optInt('maxSample') ?? 1, 180));
    const step = interval * 1000;
    const last = Math.floor(Date.now() / step) * step;
    const end = q.optStr('endTime') ? Math.min(Date.parse(q.str('endTime')), last) : last;
    const times = Array.from({ length: max }, (_, i) => end - (max - 1 - i) * step);
    return data('PerfEntityMetric', {
      entity,
      sampleInfo: times.map((t) => data('PerfSampleInfo', { timestamp: new Date(t), interval })),
      value: metrics.map((m) =>
        data('PerfMetricIntSeries', {
          id: data('PerfMetricId', m),
          value: arrayOf('long', times.map((t) => sample(entity.value, m.counterId, t))),
        }),
      ),
    });
  }
}

function counterInfo(c: (typeof COUNTERS)[number]): DataObject {
  return data('PerfCounterInfo', {
    key: c.key,
    nameInfo: desc(c.name),
    groupInfo: desc(c.group),
    unitInfo: desc(c.unit),
    rollupType: c.rollup,
    statsType: c.stats,
    level: 1,
    perDeviceLevel: 3,
  });
}
