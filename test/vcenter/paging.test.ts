import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CoreLab } from '../../simulators/core/lab.ts';
import { buildInventory } from '../../simulators/inventory/index.ts';
import { mergeCredentials } from '../../simulators/credentials.ts';
import { data, MoRef, type XValue } from '../../simulators/core/codecs/vim25/index.ts';
import type { LabWorld } from '../../simulators/world.ts';
import { vcenterComponent } from '../../simulators/vcenter/component.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { VsphereClient, VimFaultError } from '../../proxy/clients/vsphere/index.ts';

const VMS = 10_000;
const HOSTS = 100;
const MAX = 777;

let lab: CoreLab<LabWorld>;
let http: HttpsClient;
const login = async () => {
  const vc = await VsphereClient.connect(http, 'vcenter.lab.test');
  await vc.login(lab.credentials.vcenter!.user, lab.credentials.vcenter!.password);
  return vc;
};

// vCenter alone over the 10,000-VM, 100-host inventory: paging is the collector's, not the guests'.
// A random address block can be in use by a parallel lab: take another, as startLab does.
beforeAll(async () => {
  for (let attempt = 1; ; attempt++) {
    const world = { seed: 'paging', options: {} } as LabWorld;
    lab = await CoreLab.create<LabWorld>(world, { credentials: mergeCredentials() });
    world.inventory = buildInventory({ seed: 'paging', vms: VMS, hosts: HOSTS, domain: 'lab.test' }, (n) => lab.addressOf(n));
    try {
      await lab.start([vcenterComponent()]);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
  http = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
}, VMS * 12); // scaled with the inventory (12 ms a VM), not the default time of a small lab's hook
afterAll(async () => {
  http?.close();
  await lab?.stop();
});

const pc = new MoRef('PropertyCollector', 'propertyCollector');
const asList = (v: XValue | undefined): XValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const field = (v: XValue | undefined, k: string) => (v as Record<string, XValue> | undefined)?.[k];

async function firstPage(vc: VsphereClient) {
  const view = (await vc.soap.call('CreateContainerView', new MoRef('ViewManager', 'ViewManager'), { container: new MoRef('Folder', 'group-d1'), type: ['VirtualMachine'], recursive: true })) as MoRef;
  const spec = data('PropertyFilterSpec', {
    propSet: [data('PropertySpec', { type: 'VirtualMachine', all: false, pathSet: ['name'] })],
    objectSet: [data('ObjectSpec', { obj: view, skip: true, selectSet: [data('TraversalSpec', { name: 'v', type: 'ContainerView', path: 'view', skip: false })] })],
  });
  return vc.soap.call('RetrievePropertiesEx', pc, { specSet: [spec], options: data('RetrieveOptions', { maxObjects: MAX }) });
}

describe('RetrievePropertiesEx paging over 10,000 VMs and 100 hosts (raw SOAP)', () => {
  test('maxObjects pages, each token good once, every VM exactly once', async () => {
    const vc = await login();
    const seen = new Map<string, number>();
    const sizes: number[] = [];
    let result = await firstPage(vc);
    const used: string[] = [];
    for (;;) {
      const objects = asList(field(result, 'objects'));
      sizes.push(objects.length);
      for (const o of objects) {
        const id = (field(o, 'obj') as MoRef).value;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      const token = field(result, 'token') as string | undefined;
      if (!token) break;
      used.push(token);
      result = await vc.soap.call('ContinueRetrievePropertiesEx', pc, { token });
    }
    expect(seen.size).toBe(VMS);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(lab.world.inventory.vms.map((v) => v.moid))).toEqual(new Set(seen.keys()));
    // Every page but the last is full (maxObjects holds for continued pages too); distinct tokens.
    expect(sizes.slice(0, -1).every((n) => n === MAX)).toBe(true);
    expect(sizes.at(-1)).toBe(VMS - MAX * (sizes.length - 1));
    expect(new Set(used).size).toBe(used.length);
    // A token is spent by its ContinueRetrievePropertiesEx: using it again is InvalidArgument.
    await expect(vc.soap.call('ContinueRetrievePropertiesEx', pc, { token: used[0] })).rejects.toMatchObject({ faultType: 'InvalidArgument' });
  }, VMS * 12);

  test('a token belongs to its session, and CancelRetrievePropertiesEx ends it', async () => {
    const [a, b] = [await login(), await login()];
    const token = field(await firstPage(a), 'token') as string;
    expect(token).toBeTruthy();
    const other = await b.soap.call('ContinueRetrievePropertiesEx', pc, { token }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(VimFaultError);
    expect((other as VimFaultError).faultType).toBe('InvalidArgument');
    await a.soap.call('CancelRetrievePropertiesEx', pc, { token });
    await expect(a.soap.call('ContinueRetrievePropertiesEx', pc, { token })).rejects.toMatchObject({ faultType: 'InvalidArgument' });
  });
});
