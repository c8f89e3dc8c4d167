import { startLab } from '../simulators/lab.ts';
import type { TimingProfile } from '../simulators/timing.ts';
import { HttpsClient } from '../proxy/net/https-client.ts';
import { NfcConnection } from '../proxy/clients/nfc/index.ts';
import { proxyFor } from '../testing/proxy.ts';
import { benchLabOptions } from './backup.ts';
import { figure, type BenchOptions, type Figure } from './figure.ts';

/**
 * A small VM's full backup end to end against the time its own round trips take (fast jobs,
 * issue 16 point 4). The round trips are timed at the proxy's clients, not from the trace: every
 * HTTPS request (SOAP, REST, block uploads; TLS connects included), every NFC request (authd and
 * session setup included). Uploads overlap, so the baseline is the union of those intervals: the
 * time at least one round trip was in flight. WaitForUpdatesEx calls are left out of it: they are
 * how the proxy waits for a vCenter task, so simulated task time hides in them. What is left over
 * the baseline is waiting (tasks, fixed pauses) and the proxy's own work.
 */
export async function benchFastJobFigures(o: BenchOptions): Promise<Figure[]> {
  const jobs = o.quick ? 3 : 8;
  const fast = await jobRatios('fast', jobs);
  const standard = await jobRatios('standard', o.quick ? 2 : 4);
  return [
    figure({
      name: 'fast-job-16MiB', value: fast.medianMs, unit: 'ms', baseline: fast.roundTripsMs, baselineName: 'its own round trips (union)', aim: '<= 1.5',
      note: `median of ${jobs} full backups of a 16 MiB VM, timing fast; ${fast.calls} client calls per job; timing standard: ${standard.medianMs.toFixed(0)} ms, ratio ${standard.ratio.toFixed(2)}`,
    }),
  ];
}

interface Interval { start: number; end: number; wait?: boolean }

async function jobRatios(timing: TimingProfile, jobs: number): Promise<{ medianMs: number; roundTripsMs: number; ratio: number; calls: number }> {
  const vms = Array.from({ length: jobs }, (_, i) => ({ name: `fast${String(i).padStart(2, '0')}`, disks: [{ capacityGiB: 1, allocatedMiB: 16 }] }));
  const lab = await startLab(benchLabOptions(undefined, vms, { timing, without: ['guests'] }));
  const calls: Interval[] = [];
  const restore = timeClientCalls(calls);
  try {
    const proxy = proxyFor(lab);
    try {
      await proxy.activate();
      const runs: { e2e: number; trips: number; calls: number }[] = [];
      for (const vm of vms) {
        calls.length = 0;
        const t0 = performance.now();
        await proxy.backupVm({ vm: vm.name, mode: 'full' });
        const e2e = performance.now() - t0;
        runs.push({ e2e, trips: unionMs(calls.filter((c) => !c.wait)), calls: calls.length });
      }
      runs.sort((a, b) => a.e2e / a.trips - b.e2e / b.trips);
      const mid = runs[Math.floor(runs.length / 2)]!;
      return { medianMs: mid.e2e, roundTripsMs: mid.trips, ratio: mid.e2e / mid.trips, calls: mid.calls };
    } finally {
      proxy.close();
    }
  } finally {
    restore();
    await lab.stop();
  }
}

/** Records the interval of every HTTPS and NFC client call made in this process; returns the undo. */
function timeClientCalls(into: Interval[]): () => void {
  const timed = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, done: (r: R, iv: Interval) => void = (_r, iv) => (iv.end = performance.now())) =>
    function (this: unknown, ...a: A): Promise<R> {
      const body = (a[0] as { body?: unknown } | undefined)?.body;
      const iv: Interval = { start: performance.now(), end: NaN, wait: typeof body === 'string' && body.includes('<WaitForUpdatesEx') };
      into.push(iv);
      return fn.apply(this, a).then((r) => (done(r, iv), r), (err) => ((iv.end = performance.now()), Promise.reject(err)));
    };
  const stream = HttpsClient.prototype.stream;
  const request = NfcConnection.prototype.request;
  const read = NfcConnection.prototype.read;
  const write = NfcConnection.prototype.write;
  const open = NfcConnection.open;
  // A streamed response's round trip ends with its last byte, not its headers.
  HttpsClient.prototype.stream = timed(stream, (res, iv) => res.once('close', () => (iv.end = performance.now())));
  NfcConnection.prototype.request = timed(request);
  NfcConnection.prototype.read = timed(read);
  NfcConnection.prototype.write = timed(write);
  NfcConnection.open = timed(open);
  return () => {
    Object.assign(HttpsClient.prototype, { stream });
    Object.assign(NfcConnection.prototype, { request, read, write });
    NfcConnection.open = open;
  };
}

/** Total length of the union of the intervals (overlapping uploads count once). */
function unionMs(intervals: Interval[]): number {
  const sorted = intervals.filter((i) => Number.isFinite(i.end)).sort((a, b) => a.start - b.start);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const i of sorted) {
    if (i.start > end) {
      total += end - start > 0 && Number.isFinite(start) ? end - start : 0;
      start = i.start;
      end = i.end;
    } else end = Math.max(end, i.end);
  }
  return total + (Number.isFinite(start) ? end - start : 0);
}
