import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../simulators/lab.ts';
import { startAdmin } from '../simulators/admin/index.ts';
import { proxyFor } from '../testing/proxy.ts';
import { benchLabOptions } from './backup.ts';
import { figure, type BenchOptions, type Figure } from './figure.ts';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE_MS = 100;

/**
 * The web view during a big backup: how far the page's event counter falls behind the trace. Each
 * trace event's emit time is noted; every 100 ms the page's last shown sequence number is read, and
 * the lag is the age of the oldest event it has not shown yet. Aim: never more than a second behind.
 */
export async function benchWebView(opts: BenchOptions): Promise<Figure[]> {
  if (!existsSync(CHROMIUM)) return [];
  const { chromium } = await import('playwright-core');
  const capacityGiB = opts.quick ? 1 : 4;
  const pkiDir = await mkdtemp(join(tmpdir(), 'bpsim-bench-web-'));
  const lab = await startLab({ pkiDir, ...benchLabOptions(undefined, [{ name: 'bench-web', disks: [{ capacityGiB }] }], { without: ['guests'] }) });
  const admin = await startAdmin(lab);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const proxy = proxyFor(lab);
  try {
    const page = await (await browser.newContext({ httpCredentials: { username: lab.credentials.admin!.user, password: lab.credentials.admin!.password } })).newPage();
    await page.goto(admin.web);
    await page.waitForSelector('#stream-state:text("stream: live")');
    const emitted = new Map<number, number>();
    const off = lab.trace.subscribe((e) => emitted.set(e.seq, performance.now()));
    let worst = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // Judged at the moment the read was asked: the page had shown at least this much by then, and
        // the browser round trip of the read itself is not the page's lag.
        const asked = performance.now();
        const shown = Number(await page.getAttribute('#event-count', 'data-last-seq'));
        const oldestUnseen = emitted.get(shown + 1);
        if (oldestUnseen !== undefined && oldestUnseen < asked) worst = Math.max(worst, asked - oldestUnseen);
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
      }
    })();
    const t0 = performance.now();
    const result = await proxy.backupVm({ vm: 'bench-web' });
    const seconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    off();
    return [
      figure({
        name: `web-view-lag-${capacityGiB}GiB-backup`,
        value: worst,
        unit: 'ms',
        baseline: 1000,
        baselineName: 'one second',
        aim: '<= 1',
        note: `worst lag of the page's event counter behind the trace, sampled every ${SAMPLE_MS} ms over a ${(result.bytesRead / 2 ** 20).toFixed(0)} MiB backup (${emitted.size} events in ${seconds.toFixed(1)} s)`,
      }),
    ];
  } finally {
    proxy.close();
    await browser.close();
    await lab.stop();
    await rm(pkiDir, { recursive: true, force: true });
  }
}
