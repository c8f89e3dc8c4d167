import { describe, expect, it } from 'vitest';
import { startLab } from '../../simulators/lab.ts';
import { buildInventory } from '../../simulators/inventory/index.ts';
import { proxyFor } from '../../testing/proxy.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('lab option extraVms', () => {
  it('adds custom VMs after the default ones, fully allocated unless told otherwise', () => {
    const inv = buildInventory({ seed: 's', extraVms: [{ name: 'big01', disks: [{ capacityGiB: 2 }, { capacityGiB: 8, allocatedMiB: 64 }] }, { name: 'win01', guest: 'windows', powerState: 'poweredOff', disks: [{ capacityGiB: 1 }] }] }, () => '127.0.0.1');
    const defaults = buildInventory({ seed: 's' }, () => '127.0.0.1').vms.length;
    expect(inv.vms).toHaveLength(defaults + 2);
    const big = inv.vms.find((v) => v.name === 'big01')!;
    expect(big.disks.map((d) => [d.capacityBytes, d.allocatedBytes])).toEqual([[2 * GiB, 2 * GiB], [8 * GiB, 64 * MiB]]);
    expect(big.disks[1]!.fileName).toMatch(/\] big01\/big01_1\.vmdk$/);
    expect([big.guestFamily, big.powerState, big.toolsRunning, big.cbtEnabled]).toEqual(['linuxGuest', 'poweredOn', true, true]);
    const win = inv.vms.find((v) => v.name === 'win01')!;
    expect([win.guestFamily, win.powerState]).toEqual(['windowsGuest', 'poweredOff']);
    // The moids continue the sequence, so they never collide with the generated ones.
    expect(new Set(inv.vms.map((v) => v.moid)).size).toBe(inv.vms.length);
  });

  it('refuses two VMs with one name', () => {
    expect(() => buildInventory({ seed: 's', extraVms: [{ name: 'web01', disks: [{ capacityGiB: 1 }] }] }, () => '127.0.0.1')).toThrow(/two VMs named web01/);
  });

  it('a lab with an extra VM backs it up whole: every allocated byte is read', async () => {
    const lab = await startLab({ without: ['guests'], extraVms: [{ name: 'bench01', disks: [{ capacityGiB: 1, allocatedMiB: 24 }] }] });
    const proxy = proxyFor(lab);
    try {
      const vm = lab.world.inventory.vms.find((v) => v.name === 'bench01')!;
      const [disk] = lab.world.disks.forVm(vm.moid);
      const allocated = disk!.allocatedExtents().reduce((n, e) => n + e.length, 0);
      expect(allocated).toBe(24 * MiB);
      const r = await proxy.backupVm({ vm: 'bench01', mode: 'full' });
      expect(r.kind).toBe('full');
      expect(r.bytesRead).toBeGreaterThanOrEqual(allocated);
      expect(r.blocksUploaded).toBe(r.blocks);
    } finally {
      proxy.close();
      await lab.stop();
    }
  });
});
