import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { vcLab, type VcLab } from './helpers.ts';
import { runPyvmomi, type Step } from './pyvmomi-run.ts';
import { data, MoRef, requestEnvelope } from '../../simulators/core/codecs/vim25/index.ts';

let env: VcLab;
beforeAll(async () => {
  env = await vcLab();
});
afterAll(async () => {
  await env?.stop();
});

const script = fileURLToPath(new URL('./pyvmomi_result_cache.py', import.meta.url));

/**
 * RetrievePropertiesEx results are cached by request and state version (collector/result-cache.ts).
 * pyVmomi sends one identical listing before and after each kind of change; every answer must be
 * the state after the change, including changes made to the disk model outside SOAP.
 */
describe('result cache: an identical RetrievePropertiesEx after each state change shows the change (pyVmomi)', () => {
  let steps: Record<string, Step>;
  const model: Record<string, string[]> = {};

  beforeAll(async () => {
    const vm = env.vm('web01');
    const disks = () => env.lab.world.vsphere.disks(env.lab.world.vsphere.vm(vm.moid)!);
    const r = await runPyvmomi(env.lab, script, { hostname: 'vcenter.lab.test', login: 'vcenter' }, { vmId: vm.moid }, (s) => {
      if (s.step === 'need-write') for (const d of disks()) d.guestWrite({ percent: 10, extents: 4 });
      // A CBT reset in the disk model alone (no SOAP call): the changeId's epoch changes.
      if (s.step === 'need-cbt-reset') for (const d of disks()) d.resetCbt();
      model[s.step] = disks().map((d) => d.currentChangeId ?? '');
    });
    steps = r.steps;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('a repeated listing is the same listing', () => {
    expect(steps.initial).toMatchObject({ name: 'web01', power: 'poweredOn', snapshot: false, count: env.lab.world.inventory.vms.length });
    expect({ ...steps.repeat, step: '' }).toEqual({ ...steps.initial, step: '' });
  });

  test('power, snapshot, rename and reconfigure each show in the next identical listing', () => {
    expect(steps['power-off']).toMatchObject({ power: 'poweredOff', snapshot: false });
    expect(steps.snapshot).toMatchObject({ power: 'poweredOff', snapshot: true });
    expect(steps.rename).toMatchObject({ name: 'renamed-by-pyvmomi' });
    expect(steps.reconfig).toMatchObject({ name: 'renamed-by-pyvmomi', cpus: 6 });
    expect(steps.initial!.cpus).not.toBe(6);
    expect({ ...steps.again, step: '' }).toEqual({ ...steps.reconfig, step: '' });
  });

  test('changeIds follow the disk model: a snapshot makes a new point, a CBT reset outside SOAP a new epoch', () => {
    const ids = (s: string) => steps[s]!.changeIds as string[];
    expect(ids('initial').every((id) => typeof id === 'string' && id.includes('/'))).toBe(true);
    expect(ids('snapshot')).not.toEqual(ids('initial'));
    // A write alone makes no new point (vSphere's changeId moves at snapshots); the listing says what the model says.
    expect(ids('write')).toEqual(model['need-write']);
    expect(ids('cbt-reset')).toEqual(model['need-cbt-reset']);
    expect(ids('cbt-reset')).not.toEqual(ids('write'));
  });
});

describe('result cache: the bytes on the wire', () => {
  test('a listing answered from the cache is byte for byte the listing computed anew', async () => {
    const vc = await env.login();
    const view = (await vc.soap.call('CreateContainerView', new MoRef('ViewManager', 'ViewManager'), { container: new MoRef('Folder', 'group-d1'), type: ['VirtualMachine'], recursive: true })) as MoRef;
    const body = requestEnvelope('RetrievePropertiesEx', new MoRef('PropertyCollector', 'propertyCollector'), {
      specSet: [data('PropertyFilterSpec', {
        propSet: [data('PropertySpec', { type: 'VirtualMachine', all: false, pathSet: ['name', 'runtime.powerState', 'config.hardware.device'] })],
        objectSet: [data('ObjectSpec', { obj: view, skip: true, selectSet: [data('TraversalSpec', { name: 'v', type: 'ContainerView', path: 'view', skip: false })] })],
      })],
      options: data('RetrieveOptions', {}),
    });
    const post = async () => {
      const r = await env.http.request({ host: 'vcenter.lab.test', method: 'POST', path: '/sdk', body, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:vim25/8.0.2.0', cookie: `vmware_soap_session="${vc.soap.sessionCookie}"` } });
      expect(r.status).toBe(200);
      return r.text();
    };
    // A spec no other test sends: the first answer is computed, the next ones come from the cache.
    const [computed, hit, again] = [await post(), await post(), await post()];
    expect(computed).toContain('<objects xsi:type="ObjectContent">');
    expect(hit).toBe(computed);
    expect(again).toBe(computed);
  });
});
