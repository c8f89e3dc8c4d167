import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import { VsphereClient } from '../../proxy/clients/vsphere/index.ts';
import { findVm } from '../../proxy/flows/find-vm.ts';
import { startTestLab } from '../helpers/lab.ts';
import { proxyFor } from '../../testing/proxy.ts';

// A UUID no generated VM has: VMs whose names only contain it must be found by name, not by UUID.
const FOREIGN = '0123abcd-4567-89ef-0123-456789abcdef';
// vSphere takes any display name up to 80 characters, a UUID-shaped one too.
const UUID_NAMED = 'fedcba98-7654-3210-fedc-ba9876543210';
const tiny = [{ capacityGiB: 1, allocatedMiB: 1 }];

let lab: Lab;
let proxy: BackupProxy;
let vs: VsphereClient;
beforeAll(async () => {
  lab = await startTestLab({ extraVms: [{ name: `old-${FOREIGN}`, disks: tiny }, { name: `${FOREIGN}-old`, disks: tiny }, { name: UUID_NAMED, disks: tiny }] });
  proxy = proxyFor(lab);
  vs = await VsphereClient.connect(proxy.http, proxy.config.vsphere.host);
  await vs.login(proxy.config.vsphere.user, proxy.config.vsphere.password);
});
afterAll(async () => {
  proxy?.close();
  await lab?.stop();
});

const spec = (name: string) => lab.world.inventory.vms.find((v) => v.name === name)!;
/** The vCenter calls findVm made: FindByUuid for a UUID, a container view listing names for a name. */
async function calls(find: () => Promise<unknown>) {
  const count = (summary: RegExp) => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary }).length;
  const before = { uuid: count(/^FindByUuid/), list: count(/^CreateContainerView/) };
  await find().catch(() => undefined);
  return { uuid: count(/^FindByUuid/) - before.uuid, list: count(/^CreateContainerView/) - before.list };
}

describe('findVm: what a backup job names a VM by', () => {
  test('a name finds that VM', async () => {
    expect((await findVm(vs, 'web01')).value).toBe(spec('web01').moid);
  });

  test('an instance UUID (config.instanceUuid, what backup products store) finds that VM', async () => {
    const web = spec('web01');
    expect(web.uuid).not.toBe(web.instanceUuid);
    expect((await findVm(vs, web.instanceUuid)).value).toBe(web.moid);
    expect(await calls(() => findVm(vs, web.instanceUuid))).toEqual({ uuid: 1, list: 0 });
  });

  test('the instance UUID in upper case finds it too (UUIDs are hex, case does not matter)', async () => {
    const web = spec('web01');
    expect((await findVm(vs, web.instanceUuid.toUpperCase())).value).toBe(web.moid);
  });

  test('the BIOS UUID (config.uuid) is not an instance UUID: not found', async () => {
    const web = spec('web01');
    await expect(findVm(vs, web.uuid)).rejects.toMatchObject({ errorClass: 'not-found', message: `no VM "${web.uuid}" in the inventory` });
  });

  test.each([`old-${FOREIGN}`, `${FOREIGN}-old`])('a name that only contains a UUID is a name: %s', async (name) => {
    expect((await findVm(vs, name)).value).toBe(spec(name).moid);
    expect(await calls(() => findVm(vs, name))).toEqual({ uuid: 0, list: 1 });
  });

  test('a UUID-shaped name no VM has as instance UUID: tried as a UUID, then found by name', async () => {
    expect((await findVm(vs, UUID_NAMED)).value).toBe(spec(UUID_NAMED).moid);
    expect(await calls(() => findVm(vs, UUID_NAMED))).toEqual({ uuid: 1, list: 1 });
  });

  test('a missing name fails not-found with the name in the message', async () => {
    await expect(findVm(vs, 'nosuchvm')).rejects.toMatchObject({ errorClass: 'not-found', message: 'no VM "nosuchvm" in the inventory' });
  });

  test('an unknown UUID fails not-found the same way', async () => {
    await expect(findVm(vs, FOREIGN)).rejects.toMatchObject({ errorClass: 'not-found', message: `no VM "${FOREIGN}" in the inventory` });
  });
});
