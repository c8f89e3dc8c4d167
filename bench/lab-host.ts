import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLab, type Lab, type LabOptions } from '../simulators/lab.ts';
import type { LabSummaryLike } from '../proxy/config.ts';
import { peakRssMiB } from './peak-rss.ts';

/**
 * A lab in its own process, so the proxy under test and the simulators each get a core (on a real
 * network they are different machines). The parent talks to it over the IPC channel: the lab's
 * public summary comes back once every listener is up, then a few commands a benchmark needs.
 */

type Command =
  | { op: 'guestWrite'; vm: string; percent: number; extents: number }
  | { op: 'peakRss' }
  | { op: 'cpu' }
  | { op: 'vms' }
  | { op: 'stop' };

type Reply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

export interface RemoteLab {
  summary: LabSummaryLike;
  /** The guest writes `percent` of each disk of a VM (CBT records it); returns the bytes written. */
  guestWrite(vm: string, percent: number, extents: number): Promise<number>;
  /** The inventory's VMs (what a backup admin picks jobs from) with their allocated disk bytes. */
  vms(): Promise<{ name: string; instanceUuid: string; allocatedBytes: number }[]>;
  /** Peak resident memory of the lab process so far (MiB). */
  peakRssMiB(): Promise<number>;
  /** CPU seconds (user + system) the lab process has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

const DEADLINE_MS = 120_000;

export async function startRemoteLab(options: LabOptions): Promise<RemoteLab> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', import.meta.resolve('tsx'), ...(process.env.BENCH_LAB_EXEC_ARGV ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`lab process exited (code ${code})`))));
  exited.catch(() => {});
  child.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.value);
    else w.reject(new Error(m.error));
  });
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('lab process exited'));
    waiting.clear();
  });
  const call = (id: number, send?: Command) =>
    Promise.race([
      new Promise<unknown>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        if (send) child.send({ id, ...send });
      }),
      exited,
      deadline(DEADLINE_MS, `lab process did not answer ${send?.op ?? 'start'}`),
    ]);
  try {
    const summary = (await call(0)) as LabSummaryLike;
    return {
      summary,
      guestWrite: async (vm, percent, extents) => (await call(++seq, { op: 'guestWrite', vm, percent, extents })) as number,
      vms: async () => (await call(++seq, { op: 'vms' })) as { name: string; instanceUuid: string; allocatedBytes: number }[],
      peakRssMiB: async () => (await call(++seq, { op: 'peakRss' })) as number,
      cpuSeconds: async () => (await call(++seq, { op: 'cpu' })) as number,
      stop: async () => {
        await call(++seq, { op: 'stop' }).catch(() => {});
        await stopChild(child);
      },
    };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms).unref());
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  await gone;
  clearTimeout(t);
}

/** The child side: start the lab, answer commands, stop on request or when the parent goes away. */
async function serve(options: LabOptions): Promise<void> {
  const send = (m: Reply) => process.send?.(m);
  let lab: Lab;
  try {
    lab = await startLab(options);
  } catch (err) {
    send({ id: 0, ok: false, error: (err as Error).message });
    process.exit(1);
  }
  const stop = async () => {
    await lab.stop().catch(() => {});
    process.exit(0);
  };
  process.once('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  send({ id: 0, ok: true, value: { caPem: lab.ca.cert, endpoints: lab.endpoints(), credentials: lab.credentials, proxyAddress: lab.addressOf('proxy') } satisfies LabSummaryLike });
  process.on('message', (m: Command & { id: number }) => {
    try {
      if (m.op === 'stop') {
        send({ id: m.id, ok: true });
        void stop();
      } else if (m.op === 'peakRss') {
        send({ id: m.id, ok: true, value: peakRssMiB() });
      } else if (m.op === 'cpu') {
        const u = process.cpuUsage();
        send({ id: m.id, ok: true, value: (u.user + u.system) / 1e6 });
      } else if (m.op === 'vms') {
        send({ id: m.id, ok: true, value: lab.world.inventory.vms.map((v) => ({ name: v.name, instanceUuid: v.instanceUuid, allocatedBytes: v.disks.reduce((n, d) => n + d.allocatedBytes, 0) })) });
      } else if (m.op === 'guestWrite') {
        const vm = lab.world.inventory.vms.find((v) => v.name === m.vm);
        if (!vm) throw new Error(`no VM ${m.vm}`);
        const bytes = lab.world.disks.forVm(vm.moid).reduce((n, d) => n + d.guestWrite({ percent: m.percent, extents: m.extents }).bytes, 0);
        send({ id: m.id, ok: true, value: bytes });
      }
    } catch (err) {
      send({ id: m.id, ok: false, error: (err as Error).message });
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void serve(JSON.parse(process.argv[2] ?? '{}') as LabOptions);
}
