import { beforeAll, describe, expect, test } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import { SOAP_CLOSE, SOAP_OPEN, useVcLab } from '../vcenter/helpers.ts';
import { run } from '../helpers/run.ts';

/*
 * Every vim fault bpsim raises, triggered by a hand-written SOAP request and read back with a plain
 * XML parser (not the product's vim25 reader). The names and the detail's properties are judged by
 * the type information pyVmomi ships: the fault must be a vmodl.MethodFault subtype, the detail
 * element must carry xsi:type with the exact name, and its children must be properties of the type.
 */
const FAULTS = [
  'NotAuthenticated', 'InvalidLogin', 'ManagedObjectNotFound', 'MethodNotFound', 'InvalidArgument', 'InvalidRequest',
  'InvalidProperty', 'InvalidPowerState', 'InvalidState', 'FileFault', 'GuestOperationsUnavailable', 'InvalidGuestLogin',
  'NoPermission', 'NotSupported', 'DuplicateName', 'NotFound', 'ApplicationQuiesceFault', 'ToolsUnavailable', 'SystemError',
  'FileAlreadyExists', 'FileNotFound', 'GuestPermissionDenied', 'GuestProcessNotFound',
] as const;

interface TypeInfo { props: string[]; required: string[]; base: string; isFault: boolean }

const PY = `
import json, sys
from pyVmomi import VmomiSupport, vmodl
out = {}
for name in sys.argv[1:]:
    t = VmomiSupport.GetWsdlType('urn:vim25', name)
    out[name] = {'props': [p.name for p in t._GetPropertyList()],
                 'required': [p.name for p in t._GetPropertyList() if not (p.flags & VmomiSupport.F_OPTIONAL)],
                 'base': VmomiSupport.GetWsdlName(t.__mro__[1]), 'isFault': issubclass(t, vmodl.MethodFault)}
print(json.dumps(out))
`;

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
let types: Record<string, TypeInfo>;
const seen = new Set<string>();

beforeAll(async () => {
  // pyVmomi is a Debian package (python3-pyvmomi): the system interpreter, not whatever python3 is first on PATH.
  const py = await run('/usr/bin/python3', ['-c', PY, ...FAULTS]);
  expect(py.code, py.stderr).toBe(0);
  types = JSON.parse(py.stdout);
});
const t = useVcLab();

const spec = (name: string) => t.env.vm(name);
const moid = (name: string) => spec(name).moid;
const guestCreds = (name: string) => t.env.guestCredentials(name);
const auth = (name: string, password?: string) =>
  `<auth xsi:type="NamePasswordAuthentication"><interactiveSession>false</interactiveSession><username>${guestCreds(name).user}</username><password>${password ?? guestCreds(name).password}</password></auth>`;

async function post(method: string, thisType: string, thisId: string, inner = '', session = true): Promise<{ status: number; text: string }> {
  const body = `${SOAP_OPEN}<${method} xmlns="urn:vim25"><_this type="${thisType}">${thisId}</_this>${inner}</${method}>${SOAP_CLOSE}`;
  const res = await t.env.http.request({
    host: 'vcenter.lab.test', method: 'POST', path: '/sdk', body,
    headers: { 'content-type': 'text/xml', soapaction: 'urn:vim25/8.0.2.0', ...(session ? { cookie: `vmware_soap_session="${t.vc.soap.sessionCookie}"` } : {}) },
  });
  return { status: res.status, text: res.text() };
}

/** Checks one fault element (`<xFault xsi:type>` in a SOAP detail, or TaskInfo.error.fault) against pyVmomi. */
function checkDetail(el: Record<string, unknown>, name: string): Record<string, unknown> {
  const info = types[name];
  expect(info, `pyVmomi knows ${name}`).toBeDefined();
  expect(info!.isFault).toBe(true);
  expect(el['@xsi:type']).toBe(name);
  const children = Object.keys(el).filter((k) => !k.startsWith('@') && k !== '#text');
  for (const c of children) expect(info!.props, `${name}.${c} is a pyVmomi property`).toContain(c);
  for (const r of info!.required) expect(children, `${name} carries required ${r}`).toContain(r);
  seen.add(name);
  return el;
}

function soapFault(r: { status: number; text: string }, name: string, code = 'ServerFaultCode'): Record<string, unknown> {
  expect(r.status).toBe(500);
  const doc = xml.parse(r.text);
  const fault = doc['soapenv:Envelope']['soapenv:Body']['soapenv:Fault'];
  expect(fault.faultcode).toBe(code);
  expect(String(fault.faultstring).length).toBeGreaterThan(5);
  const keys = Object.keys(fault.detail);
  expect(keys).toEqual([`${name}Fault`]);
  const el = fault.detail[`${name}Fault`];
  expect(el['@xmlns']).toBe('urn:vim25');
  return checkDetail(el, name);
}

const ref = (el: unknown) => ({ type: (el as Record<string, string>)['@type'], value: (el as Record<string, string>)['#text'] });

/** Waits for a task raw (RetrievePropertiesEx of info) and returns the TaskInfo.error element. */
async function taskError(taskXml: string): Promise<Record<string, unknown>> {
  const task = ref(xml.parse(taskXml)['soapenv:Envelope']['soapenv:Body'][Object.keys(xml.parse(taskXml)['soapenv:Envelope']['soapenv:Body'])[0]!].returnval);
  const pc = (t.vc.content.propertyCollector as MoRef).value;
  for (let i = 0; i < 600; i++) {
    const r = await post('RetrievePropertiesEx', 'PropertyCollector', pc,
      `<specSet><propSet><type>Task</type><pathSet>info</pathSet></propSet><objectSet><obj type="Task">${task.value}</obj></objectSet></specSet><options/>`);
    const info = xml.parse(r.text)['soapenv:Envelope']['soapenv:Body'].RetrievePropertiesExResponse.returnval.objects.propSet.val;
    expect(info['@xsi:type']).toBe('TaskInfo');
    if (info.state === 'error') {
      expect(info.error['@xsi:type']).toBe('LocalizedMethodFault');
      expect(String(info.error.localizedMessage).length).toBeGreaterThan(5);
      return info.error.fault;
    }
    expect(info.state).not.toBe('success');
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('task did not end');
}

describe('SOAP faults: exact name, xsi:type on the detail, properties from pyVmomi', () => {
  test('session faults: NotAuthenticated, InvalidLogin', async () => {
    const na = soapFault(await post('PowerOnVM_Task', 'VirtualMachine', moid('web01'), '', false), 'NotAuthenticated');
    expect(ref(na.object)).toEqual({ type: 'VirtualMachine', value: moid('web01') });
    const sm = (t.vc.content.sessionManager as MoRef).value;
    soapFault(await post('Login', 'SessionManager', sm, '<userName>root</userName><password>wrong</password>', false), 'InvalidLogin');
  });

  test('object faults: ManagedObjectNotFound, MethodNotFound, InvalidProperty, InvalidArgument, InvalidRequest', async () => {
    expect(ref(soapFault(await post('PowerOnVM_Task', 'VirtualMachine', 'vm-9999'), 'ManagedObjectNotFound').obj)).toEqual({ type: 'VirtualMachine', value: 'vm-9999' });
    const mnf = soapFault(await post('FrobnicateVM_Task', 'VirtualMachine', moid('web01')), 'MethodNotFound');
    expect(mnf.method).toBe('FrobnicateVM_Task');
    const pc = (t.vc.content.propertyCollector as MoRef).value;
    const ip = soapFault(await post('RetrievePropertiesEx', 'PropertyCollector', pc,
      `<specSet><propSet><type>VirtualMachine</type><pathSet>noSuchProperty</pathSet></propSet><objectSet><obj type="VirtualMachine">${moid('web01')}</obj></objectSet></specSet><options/>`), 'InvalidProperty');
    expect(ip.name).toBe('noSuchProperty');
    const pm = ((await t.vc.props(t.vc.content.guestOperationsManager as MoRef, ['processManager'])).processManager as MoRef).value;
    const ia = soapFault(await post('ListProcessesInGuest', 'GuestProcessManager', pm,
      `<vm type="VirtualMachine">${moid('web01')}</vm><auth xsi:type="SSPIAuthentication"><interactiveSession>false</interactiveSession><sspiToken>x</sspiToken></auth>`), 'InvalidArgument');
    expect(ia.invalidProperty).toBe('auth');
    const snap = await t.vc.createSnapshot(new MoRef('VirtualMachine', moid('web01')), 'faults', { quiesce: false });
    try {
      soapFault(await post('QueryChangedDiskAreas', 'VirtualMachine', moid('web01'),
        `<snapshot type="VirtualMachineSnapshot">${snap.value}</snapshot><deviceKey>2000</deviceKey><startOffset>abc</startOffset><changeId>*</changeId>`), 'InvalidRequest');
      const fileFault = soapFault(await post('QueryChangedDiskAreas', 'VirtualMachine', moid('web01'),
        `<snapshot type="VirtualMachineSnapshot">${snap.value}</snapshot><deviceKey>2000</deviceKey><startOffset>0</startOffset><changeId>52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/1</changeId>`), 'FileFault');
      expect(String(fileFault.file)).toMatch(/web01/);
    } finally {
      await t.vc.removeSnapshot(snap);
    }
  });

  test('power and state faults: InvalidPowerState, InvalidState, NotFound, NotSupported, DuplicateName', async () => {
    // As vCenter does, a power operation in the wrong state fails inside its task.
    const ips = checkDetail(await taskError((await post('PowerOnVM_Task', 'VirtualMachine', moid('web01'))).text), 'InvalidPowerState');
    expect(ips.existingState).toBe('poweredOn');
    expect(types.InvalidPowerState!.base).toBe('InvalidState');
    const vm = new MoRef('VirtualMachine', moid('app01'));
    const f = t.env.lab.faults.set({ target: 'vcenter', type: 'snapshot-stuck', params: {} });
    const task = (await t.vc.soap.call('CreateSnapshot_Task', vm, { name: 's1', memory: false, quiesce: false })) as MoRef;
    soapFault(await post('CreateSnapshot_Task', 'VirtualMachine', vm.value, '<name>s2</name><memory>false</memory><quiesce>false</quiesce>'), 'InvalidState');
    t.env.lab.faults.clear(f.id);
    await t.vc.removeSnapshot((await t.vc.waitForTask(task, 30_000)) as MoRef);
    soapFault(await post('RevertToCurrentSnapshot_Task', 'VirtualMachine', moid('build01')), 'NotFound');
    checkDetail(await taskError((await post('ReconfigVM_Task', 'VirtualMachine', moid('build01'),
      '<spec xsi:type="VirtualMachineConfigSpec"><deviceChange xsi:type="VirtualDeviceConfigSpec"><operation>add</operation><device xsi:type="VirtualSoundBlaster16"><key>-1</key></device></deviceChange></spec>')).text), 'NotSupported');
    const folder = spec('web01');
    const vmFolder = ((await t.vc.props(new MoRef('VirtualMachine', folder.moid), ['parent'])).parent as MoRef).value;
    const pool = ((await t.vc.props(new MoRef('VirtualMachine', folder.moid), ['resourcePool'])).resourcePool as MoRef).value;
    const dup = checkDetail(await taskError((await post('CreateVM_Task', 'Folder', vmFolder,
      `<config xsi:type="VirtualMachineConfigSpec"><name>web01</name></config><pool type="ResourcePool">${pool}</pool>`)).text), 'DuplicateName');
    expect(dup.name).toBe('web01');
  });

  test('guest and ticket faults: GuestOperationsUnavailable, InvalidGuestLogin, NoPermission, FileAlreadyExists', async () => {
    const gom = t.vc.content.guestOperationsManager as MoRef;
    const p = await t.vc.props(gom, ['processManager', 'fileManager']);
    const pm = (p.processManager as MoRef).value;
    const fm = (p.fileManager as MoRef).value;
    soapFault(await post('ListProcessesInGuest', 'GuestProcessManager', pm, `<vm type="VirtualMachine">${moid('dc01')}</vm>${auth('dc01')}`), 'GuestOperationsUnavailable');
    soapFault(await post('ListProcessesInGuest', 'GuestProcessManager', pm, `<vm type="VirtualMachine">${moid('web01')}</vm>${auth('web01', 'nope')}`), 'InvalidGuestLogin');
    const nfc = await (t.vc as unknown as { nfc(): Promise<MoRef> }).nfc();
    t.env.lab.faults.set({ target: 'vcenter', type: 'ticket-rejected', params: {}, remaining: 1 });
    const np = soapFault(await post('NfcGetVmFiles', nfc.type, nfc.value, `<vm type="VirtualMachine">${moid('web01')}</vm>`), 'NoPermission');
    expect(np.privilegeId).toBe('VirtualMachine.Provisioning.DiskRandomAccess');
    await t.vc.uploadToGuest(new MoRef('VirtualMachine', moid('web01')), { username: guestCreds('web01').user, password: guestCreds('web01').password }, '/tmp/golden-fault', Buffer.from('x'));
    const fae = soapFault(await post('InitiateFileTransferToGuest', 'GuestFileManager', fm,
      `<vm type="VirtualMachine">${moid('web01')}</vm>${auth('web01')}<guestFilePath>/tmp/golden-fault</guestFilePath><fileAttributes xsi:type="GuestFileAttributes"/><fileSize>1</fileSize><overwrite>false</overwrite>`), 'FileAlreadyExists');
    expect(fae.file).toBe('/tmp/golden-fault');
  });

  test('task errors: ApplicationQuiesceFault and ToolsUnavailable inside LocalizedMethodFault', async () => {
    t.env.lab.faults.set({ target: 'vcenter', type: 'snapshot-quiesce-failure', params: {}, remaining: 1 });
    checkDetail(await taskError((await post('CreateSnapshot_Task', 'VirtualMachine', moid('web01'), '<name>q</name><memory>false</memory><quiesce>true</quiesce>')).text), 'ApplicationQuiesceFault');
    checkDetail(await taskError((await post('CreateSnapshot_Task', 'VirtualMachine', moid('dc01'), '<name>q</name><memory>false</memory><quiesce>true</quiesce>')).text), 'ToolsUnavailable');
  });

  test('every fault name the product raises is a pyVmomi fault type', () => {
    for (const n of FAULTS) expect(types[n]?.isFault, n).toBe(true);
    // Not triggerable from outside (internal errors, guest-runtime faults with no SOAP path yet): named, not triggered.
    const untriggered = FAULTS.filter((n) => !seen.has(n));
    expect(untriggered.sort()).toEqual(['FileNotFound', 'GuestPermissionDenied', 'GuestProcessNotFound', 'SystemError']);
  });
});
