import { beforeAll, describe, expect, test } from 'vitest';
import { data, MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import type { VsphereClient } from '../../proxy/clients/vsphere/index.ts';
import { sharedVcLab } from './helpers.ts';

// Fault paths pyVmomi refuses to send (it checks enums and types client-side), sent as raw vim25 calls.
const lab = sharedVcLab();
let vc: VsphereClient;
beforeAll(async () => {
  vc = await lab().login();
});

const vmRef = (name: string) => new MoRef('VirtualMachine', lab().lab.world.inventory.vms.find((v) => v.name === name)!.moid);
const call = (method: string, self: MoRef, args: Record<string, unknown> = {}) => vc.soap.call(method, self, args);
const fault = (p: Promise<unknown>) => p.then(() => 'no fault', (e: { faultType?: string }) => e.faultType);
const EM = new MoRef('EventManager', 'EventManager');
const TM = new MoRef('TaskManager', 'TaskManager');

describe('event and task collectors', () => {
  test('bad recursion, times, states and page sizes are InvalidArgument; a missing filter InvalidRequest', async () => {
    const byEntity = (recursion: string) => data('EventFilterSpecByEntity', { entity: vmRef('web01'), recursion });
    expect(await fault(call('QueryEvents', EM, { filter: data('EventFilterSpec', { entity: byEntity('sideways') }) }))).toBe('InvalidArgument');
    expect(await fault(call('QueryEvents', EM, { filter: data('EventFilterSpec', { time: data('EventFilterSpecByTime', { beginTime: 'yesterday' }) }) }))).toBe('InvalidArgument');
    expect(await fault(call('QueryEvents', EM, { filter: data('EventFilterSpec', { maxCount: 5000 }) }))).toBe('InvalidArgument');
    expect(await fault(call('CreateCollectorForTasks', TM, {}))).toBe('InvalidRequest');
    expect(await fault(call('CreateCollectorForTasks', TM, { filter: data('TaskFilterSpec', { state: ['finished'] }) }))).toBe('InvalidArgument');
    expect(await fault(call('CreateCollectorForTasks', TM, { filter: data('TaskFilterSpec', { time: data('TaskFilterSpecByTime', { timeType: 'whenever' }) }) }))).toBe('InvalidArgument');
    const c = (await call('CreateCollectorForEvents', EM, { filter: data('EventFilterSpec', {}) })) as MoRef;
    expect(await fault(call('ReadNextEvents', c, { maxCount: 1001 }))).toBe('InvalidArgument');
    await call('DestroyCollector', c);
  });

  test('more than 32 live collectors per manager is InvalidState; destroyed ones free their place', async () => {
    const made: MoRef[] = [];
    for (let i = 0; i < 32; i++) made.push((await call('CreateCollectorForEvents', EM, { filter: data('EventFilterSpec', {}) })) as MoRef);
    expect(await fault(call('CreateCollectorForEvents', EM, { filter: data('EventFilterSpec', {}) }))).toBe('InvalidState');
    await call('DestroyCollector', made.pop()!);
    made.push((await call('CreateCollectorForEvents', EM, { filter: data('EventFilterSpec', {}) })) as MoRef);
    for (const m of made) await call('DestroyCollector', m);
  });

  test('LogUserEvent posts a GeneralUserEvent; PostEvent of an EventEx without eventTypeId is InvalidEvent', async () => {
    await call('LogUserEvent', EM, { entity: vmRef('web01'), msg: 'backup window opened' });
    const evs = (await call('QueryEvents', EM, { filter: data('EventFilterSpec', { type: ['GeneralUserEvent'] }) })) as Record<string, unknown>;
    expect(evs).toMatchObject({ _type: 'GeneralUserEvent', message: 'backup window opened' });
    expect(await fault(call('PostEvent', EM, { eventToPost: data('EventEx', { key: 0, chainId: 0, createdTime: new Date(), userName: '' }) }))).toBe('InvalidEvent');
  });
});

describe('managers', () => {
  test('perf, authorization, license, custom fields and browser faults', async () => {
    const perf = new MoRef('PerformanceManager', 'PerfMgr');
    expect(await fault(call('QueryAvailablePerfMetric', perf, { entity: new MoRef('VirtualMachine', 'vm-424242') }))).toBe('ManagedObjectNotFound');
    expect(await fault(call('QueryAvailablePerfMetric', perf, { entity: vmRef('web01'), intervalId: 7 }))).toBe('InvalidArgument');
    expect(await fault(call('QueryPerfCounter', perf, { counterId: [999999] }))).toBe('InvalidArgument');
    const auth = new MoRef('AuthorizationManager', 'AuthorizationManager');
    expect(await fault(call('RetrieveRolePermissions', auth, { roleId: 4242 }))).toBe('NotFound');
    expect(await fault(call('FetchUserPrivilegeOnEntities', auth, { entities: [new MoRef('VirtualMachine', 'vm-424242')], userName: 'x' }))).toBe('ManagedObjectNotFound');
    expect(await fault(call('DecodeLicense', new MoRef('LicenseManager', 'LicenseManager'), { licenseKey: 'AAAAA-BBBBB' }))).toBe('InvalidArgument');
    const cf = new MoRef('CustomFieldsManager', 'CustomFieldsManager');
    expect(await fault(call('RenameCustomFieldDef', cf, { key: 4242, name: 'x' }))).toBe('InvalidArgument');
    expect(await fault(call('RemoveCustomFieldDef', cf, { key: 4242 }))).toBe('InvalidArgument');
    const ds = lab().lab.world.inventory.datastores[0]!;
    const browser = new MoRef('HostDatastoreBrowser', `datastoreBrowser-${ds.moid}`);
    expect(await fault(call('SearchDatastore_Task', browser, { datastorePath: `[${ds.name}]`, searchSpec: data('HostDatastoreBrowserSearchSpec', { query: [data('NoSuchFileQuery', {})] }) }))).toBe('InvalidArgument');
    const other = lab().lab.world.inventory.datastores[1]!;
    expect(await fault(call('SearchDatastore_Task', browser, { datastorePath: `[${other.name}]` }))).toBe('InvalidDatastorePath');
    expect(await fault(call('SearchDatastore_Task', browser, { datastorePath: `[${ds.name}] ../..` }))).toBe('InvalidDatastorePath');
    expect(await fault(call('ListVStorageObject', new MoRef('VcenterVStorageObjectManager', 'VStorageObjectManager'), { datastore: new MoRef('Datastore', 'datastore-999') }))).toBe('ManagedObjectNotFound');
  });

  test('options, diagnostics, perf levels, privileges and custom field names', async () => {
    const opt = new MoRef('OptionManager', 'VpxSettings');
    expect(await fault(call('UpdateOptions', opt, { changedValue: [data('OptionValue', { key: 'event.maxAge', value: 'abc' })] }))).toBe('InvalidArgument');
    expect(await fault(call('UpdateOptions', opt, { changedValue: [data('OptionValue', { key: 'event.maxAgeEnabled', value: 'maybe' })] }))).toBe('InvalidArgument');
    const diag = new MoRef('DiagnosticManager', 'DiagMgr');
    expect(await fault(call('BrowseDiagnosticLog', diag, { key: 'vpxd:vpxd.log', start: 0 }))).toBe('InvalidArgument');
    expect(await fault(call('QueryDescriptions', diag, { host: new MoRef('HostSystem', 'host-4242') }))).toBe('ManagedObjectNotFound');
    expect(await fault(call('QueryPerfCounterByLevel', new MoRef('PerformanceManager', 'PerfMgr'), { level: 7 }))).toBe('InvalidArgument');
    expect(await fault(call('HasPrivilegeOnEntity', new MoRef('AuthorizationManager', 'AuthorizationManager'), { entity: new MoRef('VirtualMachine', 'vm-424242'), privId: ['System.View'] }))).toBe('ManagedObjectNotFound');
    const cf = new MoRef('CustomFieldsManager', 'CustomFieldsManager');
    expect(await fault(call('AddCustomFieldDef', cf, { name: '  ' }))).toBe('InvalidArgument');
    const a = (await call('AddCustomFieldDef', cf, { name: 'tier' })) as Record<string, string>;
    const b = (await call('AddCustomFieldDef', cf, { name: 'site' })) as Record<string, string>;
    expect(await fault(call('RenameCustomFieldDef', cf, { key: b.key, name: 'tier' }))).toBe('DuplicateName');
    await call('RemoveCustomFieldDef', cf, { key: a.key });
    expect(await fault(call('PostEvent', EM, { eventToPost: data('GeneralUserEvent', { key: 0, chainId: 0, createdTime: new Date(), userName: '', vm: data('VmEventArgument', { name: 'x', vm: new MoRef('VirtualMachine', 'vm-424242') }), message: 'm' }) }))).toBe('ManagedObjectNotFound');
  });

  test('ESXi: local accounts and host services', async () => {
    const host = lab().lab.world.inventory.hosts[0]!;
    const esx = await lab().login(host.name);
    const acct = new MoRef('HostLocalAccountManager', 'ha-localacctmgr');
    const user = (id: string) => data('HostAccountSpec', { id, password: 'Backup-1!' });
    await esx.soap.call('CreateUser', acct, { user: user('backup') });
    expect(await fault(esx.soap.call('CreateUser', acct, { user: user('backup') }))).toBe('AlreadyExists');
    await esx.soap.call('RemoveUser', acct, { userName: 'backup' });
    expect(await fault(esx.soap.call('RemoveUser', acct, { userName: 'backup' }))).toBe('UserNotFound');
    expect(await fault(esx.soap.call('UpdateUser', acct, { user: user('backup') }))).toBe('UserNotFound');
    expect(await fault(esx.soap.call('RemoveUser', acct, { userName: lab().lab.credentials.esxi!.user }))).toBe('InvalidArgument');
    const svc = new MoRef('HostServiceSystem', 'serviceSystem');
    await esx.soap.call('StopService', svc, { id: 'TSM-SSH' });
    expect(await fault(esx.soap.call('StartService', svc, { id: 'no-such-service' }))).toBe('NotFound');
    // vCenter-only managers are absent on a host, as on ESXi.
    expect(await fault(esx.soap.call('FindExtension', new MoRef('ExtensionManager', 'ExtensionManager'), { extensionKey: 'x' }))).toBe('ManagedObjectNotFound');
    await esx.logout();
  });
});
