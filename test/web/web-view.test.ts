import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Lab } from '../../simulators/lab.ts';
import { startAdmin, type AdminServer } from '../../simulators/admin/index.ts';
import { setScenarioRunner } from '../../simulators/admin/scenario-hook.ts';
import { adminScenarioRunner } from '../../scenarios/admin-runner.ts';
import { labWebRunners } from '../../bin/web/runners.ts';
import { DEMO_PLAN } from '../../bin/demo/plan.ts';
import { startTestLab } from '../helpers/lab.ts';
import { hasCommand } from '../helpers/run.ts';

// Debian's chromium (never a downloaded browser); .ci/run installs it.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

let lab: Lab;
let admin: AdminServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function adminCall(path: string, init: RequestInit = {}): Promise<Response> {
  const auth = Buffer.from(`${lab.credentials.admin!.user}:${lab.credentials.admin!.password}`).toString('base64');
  return fetch(admin.url + path, { ...init, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...init.headers } });
}

/** Records every edge that was ever drawn lit, whatever the moment the test looks. */
async function watchHotEdges(): Promise<void> {
  await page.evaluate(() => {
    const seen = ((window as unknown as { hotSeen: Set<string> }).hotSeen = new Set<string>());
    new MutationObserver((records) => {
      for (const r of records) {
        const g = r.target as Element;
        if (g.classList?.contains('hot')) seen.add(g.getAttribute('data-edge')!);
      }
    }).observe(document.getElementById('chain')!, { subtree: true, attributes: true, attributeFilter: ['class'], childList: true });
  });
}

const hotSeen = () => page.evaluate(() => [...(window as unknown as { hotSeen: Set<string> }).hotSeen]);

async function jobRow(id: string, state: string) {
  await page.waitForSelector(`#jobs tr[data-job-id="${id}"][data-state="${state}"]`, { timeout: 120_000 });
  return page.locator(`#jobs tr[data-job-id="${id}"]`);
}

/** Queues one job through the page's own form and answers the cloud job it became. */
async function runJobFromPage(type: string, vm: string, params = ''): Promise<string> {
  const before = new Set(lab.world.cloud!.jobs.list().map((j) => j.id));
  await page.selectOption('#job-type', type);
  await page.selectOption('#job-vm', vm);
  await page.fill('#job-params', params);
  await page.click('#job-form button[type=submit]');
  await expect.poll(() => lab.world.cloud!.jobs.list().filter((j) => !before.has(j.id)).length, { timeout: 30_000 }).toBe(1);
  return lab.world.cloud!.jobs.list().find((j) => !before.has(j.id))!.id;
}

const available = hasCommand(CHROMIUM);
if (!available && process.env.BPSIM_REQUIRE_PEERS) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the web view tests`);

describe.skipIf(!available)('web view in a real browser', () => {
  beforeAll(async () => {
    lab = await startTestLab();
    setScenarioRunner(adminScenarioRunner);
    admin = await startAdmin(lab, { runners: labWebRunners(lab) });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ httpCredentials: { username: lab.credentials.admin!.user, password: lab.credentials.admin!.password }, viewport: { width: 1500, height: 1000 } });
    // Playwright's 30 s default for each wait and action is a guess of the machine's speed; here it
    // only has to catch a page that never gets there.
    context.setDefaultTimeout(120_000);
    page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(admin.web);
    await page.waitForSelector('#chain [data-node="proxy"]');
    await page.waitForSelector('#stream-state:text("stream: live")');
  });

  afterAll(async () => {
    setScenarioRunner(undefined);
    await browser?.close();
    await admin?.stop();
    await lab?.stop();
  });

  test('the page loads with no console error and draws every component and port of the lab', async () => {
    const nodes = await page.locator('#chain [data-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    const components = [...new Set(lab.endpoints().map((e) => e.component))];
    expect(nodes.sort()).toEqual(['proxy', ...components].sort());
    for (const e of lab.endpoints()) await expect.poll(() => page.locator(`#chain [data-edge="proxy>${e.component}:${e.realPort}"]`).count()).toBe(1);
    expect(await page.locator('#chain [data-edge="cloudcache>cloud:443"]').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  test('the page is refused without the admin credentials', async () => {
    const res = await fetch(admin.web);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  test('a VM backup lights the 902 and CloudCache edges and its job reaches succeeded with its figures', async () => {
    await watchHotEdges();
    const res = await adminCall('/jobs', { method: 'POST', body: JSON.stringify({ jobs: [{ type: 'vm-backup', params: { vm: 'web01' } }] }) });
    expect(res.status).toBe(202);
    await expect.poll(() => lab.world.cloud!.jobs.list().length, { timeout: 30_000 }).toBeGreaterThan(0);
    const job = lab.world.cloud!.jobs.list().at(-1)!;
    const row = await jobRow(job.id, 'succeeded');
    const done = lab.world.cloud!.job(job.id)!;
    const result = done.result as { target: string; blocks: number; blocksUploaded: number };
    expect(await row.locator('td.target').textContent()).toBe(result.target);
    expect(await row.textContent()).toContain(`${result.blocksUploaded}/${result.blocks} sent`);

    const vm = lab.world.inventory.vms.find((v) => v.name === 'web01')!;
    const host = lab.world.inventory.hosts.find((h) => h.moid === vm.host)!;
    const esxi = lab.endpoints().find((e) => e.realPort === 902 && e.hostname === host.name)!.component;
    const nfcEdge = `proxy>${esxi}:902`;
    // The edge counters end equal to what the trace recorded for that hop.
    const traced = lab.recorder.events.filter((e) => e.from === 'proxy' && e.to === esxi && e.port === 902 && e.kind !== 'listen').length;
    await expect.poll(() => page.getAttribute(`[data-edge="${nfcEdge}"]`, 'data-count')).toBe(String(traced));
    expect(await hotSeen()).toEqual(expect.arrayContaining([nfcEdge, 'proxy>cloudcache:443']));
    expect(Number(await page.getAttribute('[data-edge="proxy>cloudcache:443"]', 'data-count'))).toBeGreaterThan(0);
  });

  test('cloudcache-offline set from the page sends the next backup to the cloud, and the page shows it', async () => {
    await page.selectOption('#fault-type', 'cloudcache-offline');
    await page.selectOption('#fault-target', 'cloudcache');
    await page.click('#fault-form button[type=submit]');
    await expect.poll(() => lab.faults.list().map((f) => `${f.type}@${f.target}`)).toContain('cloudcache-offline@cloudcache');
    await page.waitForSelector('#active-faults li:has-text("cloudcache-offline")');
    await page.waitForSelector('#chain [data-edge="proxy>cloudcache:443"].faulted');

    const id = await runJobFromPage('vm-backup', 'web01', '{"mode":"full"}');
    const row = await jobRow(id, 'succeeded');
    expect(await row.locator('td.target').textContent()).toBe('cloud');

    await page.click('#active-faults li:has-text("cloudcache-offline") button');
    await expect.poll(() => lab.faults.list().length).toBe(0);
    await page.waitForSelector('#chain [data-edge="proxy>cloudcache:443"]:not(.faulted)');
  });

  test('a failed job shows its error class', async () => {
    const id = await runJobFromPage('vm-backup', 'web01', '{"vm":"no-such-vm"}');
    const row = await jobRow(id, 'failed');
    const code = lab.world.cloud!.job(id)!.error!.code!;
    expect(code).toBeTruthy();
    expect(await row.locator('td.error-class').textContent()).toBe(code);
  });

  test('a scenario run from the page shows its result and every expectation', async () => {
    await page.click('#scenarios li[data-scenario="ntp-faults"] button');
    await page.waitForSelector('#scenario-result[data-scenario="ntp-faults"]', { timeout: 120_000 });
    expect(await page.getAttribute('#scenario-result', 'data-passed'), await page.textContent('#scenario-result') ?? '').toBe('true');
    expect(await page.locator('#scenario-result tr.passed').count()).toBeGreaterThan(0);
    expect(await page.locator('#scenario-result tr.failed').count()).toBe(0);
  });

  test('the trace filter narrows the table, and a click shows the full event', async () => {
    const all = await page.locator('#trace tbody tr').count();
    await page.fill('#filter-port', '902');
    await expect.poll(async () => new Set(await page.locator('#trace tbody tr td:nth-child(6)').allTextContents())).toEqual(new Set(['902']));
    expect(await page.locator('#trace tbody tr').count()).toBeLessThan(all);
    await page.fill('#filter-text', 'no hop says this');
    await expect.poll(() => page.locator('#trace tbody tr').count()).toBe(0);
    await page.fill('#filter-text', '');
    await page.fill('#filter-port', '');
    const first = page.locator('#trace tbody tr').first();
    const seq = Number(await first.getAttribute('data-seq'));
    await first.click();
    const shown = JSON.parse((await page.textContent('#event-detail'))!);
    expect(shown).toEqual(JSON.parse(JSON.stringify(lab.recorder.events.find((e) => e.seq === seq))));
  });

  test('the sequence diagram of a job draws its hops, and its Mermaid text comes from the same trace range', async () => {
    const job = lab.world.cloud!.jobs.list().find((j) => j.state === 'succeeded')!;
    await page.selectOption('#sequence-job', job.id);
    await page.click('#sequence-form button[type=submit]');
    await page.waitForSelector(`#sequence[data-job="${job.id}"] svg line[marker-end]`, { state: 'attached' });
    expect(Number(await page.getAttribute('#sequence', 'data-events'))).toBeGreaterThan(0);
    const href = (await page.getAttribute('#mermaid-link', 'href'))!;
    const mermaid = await (await adminCall(href)).text();
    expect(mermaid).toMatch(/^sequenceDiagram\n/);
    expect(mermaid).toContain('authd/nfc:902');
  });

  test('the demo plan started from the page runs to the end; the event counter ends equal to the trace', async () => {
    const before = new Set(lab.world.cloud!.jobs.list().map((j) => j.id));
    await page.click('#run-demo');
    const jobs = DEMO_PLAN.filter((s) => s.kind === 'job').length;
    const fresh = () => lab.world.cloud!.jobs.list().filter((j) => !before.has(j.id));
    await expect.poll(() => fresh().filter((j) => j.state === 'succeeded' || j.state === 'failed').length, { timeout: 300_000, interval: 500 }).toBe(jobs);
    expect(fresh().map((j) => `${j.type} ${j.state} ${j.error?.message ?? ''}`)).toEqual(fresh().map((j) => `${j.type} succeeded `));
    for (const j of fresh()) await jobRow(j.id, 'succeeded');
    const last = lab.recorder.events.at(-1)!.seq;
    await expect.poll(async () => Number(await page.getAttribute('#event-count', 'data-last-seq')), { timeout: 30_000 }).toBeGreaterThanOrEqual(last);
    expect(pageErrors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#chain-section').screenshot({ path: `${ARTIFACTS}/web-chain-after-demo.png` });
    await page.screenshot({ path: `${ARTIFACTS}/web-view.png`, fullPage: true });
  }, 400_000);
});
