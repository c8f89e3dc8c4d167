import { describe, expect, test } from 'vitest';
import { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import { TaskTimeoutError, VimSoapClient } from '../../proxy/clients/vsphere/index.ts';
import { SOAP_CLOSE, SOAP_OPEN, useVcLab } from './helpers.ts';

const t = useVcLab();

const spec = (name: string) => t.env.vm(name);
const vmRef = (name: string) => new MoRef('VirtualMachine', spec(name).moid);
const guestAuth = (name: string, password?: string) => {
  const c = t.env.guestCredentials(name);
  return { username: c.user, password: password ?? c.password };
};

/** A raw POST to vCenter's /sdk, with the logged-in session's cookie. */
async function raw(body: string, headers: Record<string, string> = {}) {
  const res = await t.env.http.request({
    host: 'vcenter.lab.test', method: 'POST', path: '/sdk', body,
    headers: { 'content-type': 'text/xml', cookie: `vmware_soap_session="${t.vc.soap.sessionCookie}"`, ...headers },
  });
  return { status: res.status, text: res.text() };
}

describe('login and session faults', () => {
  test('wrong password and the invalid-login fault give InvalidLogin', async () => {
    const c = await t.env.connect();
    await expect(c.login(t.env.lab.credentials.vcenter!.user, 'wrong')).rejects.toMatchObject({ faultType: 'InvalidLogin' });
    t.env.lab.faults.set({ target: 'vcenter', type: 'invalid-login', params: {}, remaining: 1 });
    await expect(c.login(t.env.lab.credentials.vcenter!.user, t.env.lab.credentials.vcenter!.password)).rejects.toMatchObject({ faultType: 'InvalidLogin' });
    await expect(c.login(t.env.lab.credentials.vcenter!.user, t.env.lab.credentials.vcenter!.password)).resolves.toBeDefined();
  });

  test('no session and session-expired give NotAuthenticated', async () => {
    const c = await t.env.connect();
    await expect(c.props(vmRef('web01'), ['name'])).rejects.toMatchObject({ faultType: 'NotAuthenticated' });
    const s = await t.env.login();
    t.env.lab.faults.set({ target: 'vcenter', type: 'session-expired', params: {}, remaining: 1 });
    await expect(s.props(vmRef('web01'), ['name'])).rejects.toMatchObject({ faultType: 'NotAuthenticated' });
    await expect(s.props(vmRef('web01'), ['name'])).rejects.toMatchObject({ faultType: 'NotAuthenticated' });
  });
});

describe('object and argument faults', () => {
  test('ManagedObjectNotFound, MethodNotFound, InvalidArgument, InvalidProperty', async () => {
    await expect(t.vc.props(new MoRef('VirtualMachine', 'vm-9999'), ['name'])).rejects.toMatchObject({ faultType: 'ManagedObjectNotFound' });
    await expect(t.vc.soap.call('FrobnicateVM_Task', vmRef('web01'))).rejects.toMatchObject({ faultType: 'MethodNotFound' });
    await expect(t.vc.props(vmRef('web01'), ['noSuchProperty'])).rejects.toMatchObject({ faultType: 'InvalidProperty' });
    const snap = await t.vc.createSnapshot(vmRef('web01'), 'args');
    try {
      await expect(t.vc.soap.call('QueryChangedDiskAreas', vmRef('web01'), { snapshot: snap, deviceKey: 2999, startOffset: 0, changeId: '*' })).rejects.toMatchObject({ faultType: 'InvalidArgument' });
      await expect(t.vc.soap.call('QueryChangedDiskAreas', vmRef('web01'), { snapshot: snap, deviceKey: 2000, startOffset: 'abc', changeId: '*' })).rejects.toMatchObject({ faultType: 'InvalidRequest' });
    } finally {
      await t.vc.removeSnapshot(snap);
    }
  });

  test('a snapshot of a VM being snapshotted is InvalidState; snapshot-stuck makes the client time out', async () => {
    const vm = vmRef('app01');
    const f = t.env.lab.faults.set({ target: 'vcenter', type: 'snapshot-stuck', params: {} });
    const task = (await t.vc.soap.call('CreateSnapshot_Task', vm, { name: 's1', memory: false, quiesce: false })) as MoRef;
    await expect(t.vc.waitForTask(task, 300)).rejects.toBeInstanceOf(TaskTimeoutError);
    await expect(t.vc.soap.call('CreateSnapshot_Task', vm, { name: 's2', memory: false, quiesce: false })).rejects.toMatchObject({ faultType: 'InvalidState' });
    t.env.lab.faults.clear(f.id);
    const snap = (await t.vc.waitForTask(task, 10_000)) as MoRef;
    await t.vc.removeSnapshot(snap);
  });

  test('snapshot-quiesce-failure fails the task with ApplicationQuiesceFault', async () => {
    t.env.lab.faults.set({ target: 'vcenter', type: 'snapshot-quiesce-failure', params: {}, remaining: 1 });
    await expect(t.vc.createSnapshot(vmRef('web01'), 'q', { quiesce: true })).rejects.toMatchObject({ faultType: 'ApplicationQuiesceFault' });
    expect((await t.vc.props(vmRef('web01'), ['snapshot'])).snapshot).toBeUndefined();
  });

  test('cbt-reset: an older changeId gets FileFault, "*" still works', async () => {
    const vm = vmRef('app01');
    const s1 = await t.vc.createSnapshot(vm, 'c1', { quiesce: false });
    const [d1] = await t.vc.disks(s1);
    await t.vc.removeSnapshot(s1);
    t.env.lab.faults.set({ target: 'vcenter', type: 'cbt-reset', params: { vm: 'app01' }, remaining: 1 });
    const s2 = await t.vc.createSnapshot(vm, 'c2', { quiesce: false });
    try {
      await expect(t.vc.queryChangedDiskAreas(vm, s2, d1!.key, d1!.changeId!, d1!.capacityBytes)).rejects.toMatchObject({ faultType: 'FileFault' });
      const all = await t.vc.queryChangedDiskAreas(vm, s2, d1!.key, '*', d1!.capacityBytes);
      expect(all.extents.length).toBeGreaterThan(0);
    } finally {
      await t.vc.removeSnapshot(s2);
    }
  });

  test('changed areas of a disk without CBT are a FileFault', async () => {
    const vm = vmRef('build01');
    const s = await t.vc.createSnapshot(vm, 'nocbt', { quiesce: false });
    try {
      await expect(t.vc.queryChangedDiskAreas(vm, s, 2000, '*', 8 * 1024 ** 3)).rejects.toMatchObject({ faultType: 'FileFault' });
    } finally {
      await t.vc.removeSnapshot(s);
    }
  });

  test('ticket-rejected: the NFC ticket service answers NoPermission', async () => {
    t.env.lab.faults.set({ target: 'vcenter', type: 'ticket-rejected', params: {}, remaining: 1 });
    await expect(t.vc.nfcTicket(vmRef('web01'), 'read')).rejects.toMatchObject({ faultType: 'NoPermission' });
    await expect(t.vc.nfcTicket(vmRef('web01'), 'read')).resolves.toMatchObject({ port: 902 });
  });
});

describe('guest operation faults', () => {
  test('Tools not running and guest-ops-unavailable give GuestOperationsUnavailable', async () => {
    await expect(t.vc.startProgram(vmRef('dc01'), guestAuth('dc01'), 'cmd.exe')).rejects.toMatchObject({ faultType: 'GuestOperationsUnavailable' });
    t.env.lab.faults.set({ target: 'vcenter', type: 'guest-ops-unavailable', params: {}, remaining: 1 });
    await expect(t.vc.listProcesses(vmRef('web01'), guestAuth('web01'))).rejects.toMatchObject({ faultType: 'GuestOperationsUnavailable' });
  });

  test('wrong guest password and invalid-guest-login give InvalidGuestLogin', async () => {
    await expect(t.vc.listProcesses(vmRef('web01'), guestAuth('web01', 'nope'))).rejects.toMatchObject({ faultType: 'InvalidGuestLogin' });
    t.env.lab.faults.set({ target: 'vcenter', type: 'invalid-guest-login', params: {}, remaining: 1 });
    await expect(t.vc.listProcesses(vmRef('web01'), guestAuth('web01'))).rejects.toMatchObject({ faultType: 'InvalidGuestLogin' });
    await expect(t.vc.listProcesses(vmRef('web01'), guestAuth('web01'))).resolves.toBeInstanceOf(Array);
  });

  test('/guestFile URLs are single-use and size-checked', async () => {
    const fm = (await t.vc.props(t.vc.content.guestOperationsManager as MoRef, ['fileManager'])).fileManager as MoRef;
    const url = async (size: number) =>
      new URL((await t.vc.soap.call('InitiateFileTransferToGuest', fm, {
        vm: vmRef('web01'), auth: { _type: 'NamePasswordAuthentication', interactiveSession: false, ...guestAuth('web01') },
        guestFilePath: '/tmp/x', fileAttributes: { _type: 'GuestFileAttributes' }, fileSize: size, overwrite: true,
      })) as string);
    const put = async (u: URL, body: Buffer) => {
      const r = await t.env.http.request({ host: u.hostname, method: 'PUT', path: u.pathname + u.search, body });
      return { status: r.status, text: r.text() };
    };
    const guestFile = () => t.env.lab.world.guests!.get(spec('web01').moid)!.getFile('/tmp/x');
    const u1 = await url(4);
    expect(await put(u1, Buffer.from('wxyz'))).toEqual({ status: 200, text: '' });
    expect(guestFile()?.toString()).toBe('wxyz');
    // A used URL and a body of the wrong size are refused with a reason, and the file keeps its content.
    const reused = await put(u1, Buffer.from('abcd'));
    expect(reused.status).toBe(404);
    expect(reused.text).toMatch(/guest file transfer/);
    const wrongSize = await put(await url(4), Buffer.from('abcdef'));
    expect(wrongSize).toEqual({ status: 400, text: expect.stringMatching(/content-length 6 does not match the announced size 4/) });
    expect(guestFile()?.toString()).toBe('wxyz');
    const u2 = await url(5);
    expect((await put(u2, Buffer.from('12345'))).status).toBe(200);
    expect(guestFile()?.toString()).toBe('12345');
  });
});

describe('hostile and malformed requests', () => {
  test('malformed XML, unknown methods, XXE, billion laughs and oversized bodies get faults; the server keeps serving', async () => {
    const bad = await raw('<soapenv:Envelope><soapenv:Body><Login');
    expect(bad.status).toBe(500);
    expect(bad.text).toContain('InvalidRequestFault');

    const xxe = await raw(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${SOAP_OPEN}<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>&e;</userName><password>x</password></Login>${SOAP_CLOSE}`);
    expect(xxe.status).toBe(500);
    expect(xxe.text).not.toContain('root:');
    expect(xxe.text).toContain('InvalidRequestFault');

    const lol = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`;
    expect((await raw(`${lol}${SOAP_OPEN}<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">&c;</_this></RetrieveServiceContent>${SOAP_CLOSE}`)).text).toContain('InvalidRequestFault');

    const unknown = await raw(`${SOAP_OPEN}<NoSuchMethod xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></NoSuchMethod>${SOAP_CLOSE}`);
    expect(unknown.text).toContain('MethodNotFoundFault');

    const noThis = await raw(`${SOAP_OPEN}<RetrieveServiceContent xmlns="urn:vim25"/>${SOAP_CLOSE}`);
    expect(noThis.text).toContain('InvalidRequestFault');

    const big = await raw(`${SOAP_OPEN}<Login xmlns="urn:vim25"><userName>${'x'.repeat(3 * 1024 * 1024)}</userName></Login>${SOAP_CLOSE}`);
    expect(big.status).toBe(413);

    const ok = await raw(`${SOAP_OPEN}<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>${SOAP_CLOSE}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<apiType>VirtualCenter</apiType>');
  });

  test('the client reports a non-SOAP answer as a transport error', async () => {
    const c = new VimSoapClient(t.env.http, 'vcenter.lab.test', 443, { path: '/nowhere' });
    await expect(c.call('RetrieveServiceContent', new MoRef('ServiceInstance', 'ServiceInstance'))).rejects.toMatchObject({ faultType: 'TransportError' });
  });
});
