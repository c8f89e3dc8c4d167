import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startLab } from '../simulators/lab.ts';
import { figure, type BenchOptions, type Figure } from './figure.ts';

async function timeStart(pkiDir: string): Promise<number> {
  const t0 = performance.now();
  const lab = await startLab({ pkiDir });
  const ms = performance.now() - t0;
  await lab.stop();
  return ms;
}

/** Baseline: opening the same number of plain TCP listeners on loopback, the floor of any lab start. */
async function bareListenersMs(count: number): Promise<number> {
  const t0 = performance.now();
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ms = performance.now() - t0;
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ms;
}

export async function benchLabStart(opts: BenchOptions): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bpsim-bench-pki-'));
  try {
    const cold = await timeStart(dir);
    const runs = opts.quick ? 2 : 5;
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) warm.push(await timeStart(dir));
    warm.sort((a, b) => a - b);
    const lab = await startLab({ pkiDir: dir });
    const listeners = lab.endpoints().length;
    await lab.stop();
    const bare = await bareListenersMs(listeners);
    const warmMedian = warm[Math.floor(warm.length / 2)]!;
    return [
      figure({ name: 'lab-start-cold', value: cold, unit: 'ms', baseline: warmMedian, baselineName: 'warm start', aim: null, note: 'new CA and keys' }),
      figure({ name: 'lab-start-warm', value: warmMedian, unit: 'ms', baseline: bare, baselineName: `${listeners} bare TCP listeners`, aim: null, note: `median of ${runs}, cached CA` }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
