// The example suite of docs/library.md (the doc includes this file verbatim; test/library/doc.test.ts checks it).
import { describe, expect, testWith } from 'bpsim/vitest';
import { findEvents, runScenario, traceMark, waitForEvent, withFault } from 'bpsim';

// Every test gets a fresh lab and a proxy configured from the lab's endpoints, CA and credentials;
// these proxy timeouts leave room for a loaded CI machine.
const test = testWith({ proxyOptions: { timeouts: { task: 10_000, guestStart: 10_000, probe: 2_000, drBoot: 10_000 } } });

describe('backups against a bpsim lab', () => {
  test('a full backup, then an incremental that uploads only what the guest wrote', async ({ lab, proxy }) => {
    const full = await proxy.backupVm({ vm: 'web01' });
    expect(full).toMatchObject({ kind: 'full', target: 'cloudcache', probe: { state: 'open' } });

    const web01 = lab.world.inventory.vms.find((vm) => vm.name === 'web01')!;
    lab.world.disks.forVm(web01.moid)[0]!.guestWrite({ percent: 2, extents: 2 });
    const incremental = await proxy.backupVm({ vm: 'web01' });
    expect(incremental.kind).toBe('incremental');
    expect(incremental.blocksUploaded).toBeGreaterThan(0);
    expect(incremental.blocksUploaded).toBeLessThan(full.blocksUploaded);
  });

  test('with CloudCache offline the proxy sends the blocks to the cloud directly', async ({ lab, proxy }) => {
    const since = traceMark(lab);
    const result = await withFault(lab, { target: 'cloudcache', type: 'cloudcache-offline' }, () => proxy.backupVm({ vm: 'web01' }));
    expect(result.target).toBe('cloud');
    await waitForEvent(lab, { kind: 'request', from: 'proxy', to: 'cloud', summary: /^PUT \/api\/v1\/blocks\//, since });
    expect(findEvents(lab, { kind: 'request', to: 'cloudcache', summary: /^PUT/, since })).toEqual([]);
  });

  test('a clock 10 minutes off fails the job before any data moves', async ({ lab, proxy }) => {
    lab.faults.set({ target: 'ntp', type: 'ntp-skew', params: { offsetMs: 600_000 } });
    await expect(proxy.backupVm({ vm: 'web01' })).rejects.toMatchObject({ errorClass: 'clock-skew' });
    expect(findEvents(lab, { kind: 'request', from: 'proxy', to: 'vcenter' })).toEqual([]);
  });

  test('a bundled scenario runs in the same lab', async ({ lab }) => {
    const report = await runScenario('vm-backup-incremental', { lab });
    expect(report.failures, JSON.stringify(report.steps, null, 2)).toBe(0);
  });
});
