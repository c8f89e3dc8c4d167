import { data, MoRef } from '../core/codecs/vim25/index.ts';
import type { HostSpec } from '../inventory/types.ts';
import type { SoapEngine } from './engine.ts';
import type { Layout } from './layout.ts';
import { namingFor } from './naming.ts';
import { vsphereOf } from './state.ts';
import { ServiceInstance, aboutInfo } from './mo/service-instance.ts';
import { SessionManager } from './mo/session-manager.ts';
import { PropertyCollector } from './mo/property-collector.ts';
import { ViewManager } from './mo/view-manager.ts';
import { SearchIndex } from './mo/search-index.ts';
import { TaskManager } from './mo/task-manager.ts';
import { GuestFileManager, GuestOperationsManager, GuestProcessManager } from './mo/guest-operations.ts';
import { NfcService } from './mo/nfc-service.ts';
import { Folder } from './mo/folder.ts';
import { Datacenter } from './mo/datacenter.ts';
import { ComputeResource, ResourcePool } from './mo/compute-resource.ts';
import { HostSystem } from './mo/host-system.ts';
import { Datastore } from './mo/datastore.ts';
import { VirtualMachine } from './mo/virtual-machine.ts';
import { VirtualMachineSnapshot } from './mo/snapshot.ts';
import { Network } from './mo/network.ts';
import { HostDatastoreBrowser } from './mo/datastore-browser.ts';
import { registerHostManagers } from './mo/host-managers.ts';
import { VM_NETWORK } from './mo/host-config.ts';
import { hostHardware } from '../inventory/host-hardware.ts';
import { OptionManager } from './mo/option-manager.ts';
import { AuthorizationManager } from './mo/authorization-manager.ts';
import { PerformanceManager } from './mo/performance-manager.ts';
import { EventManager } from './mo/event-manager.ts';
import { ExtensionManager } from './mo/extension-manager.ts';
import { CustomFieldsManager } from './mo/custom-fields-manager.ts';
import { HostLocalAccountManager } from './mo/host-local-account-manager.ts';
import { DiagnosticManager } from './mo/diagnostic-manager.ts';
import { LicenseManager } from './mo/license-manager.ts';
import { OvfManager } from './mo/ovf-manager.ts';
import { VStorageObjectManager } from './mo/vstorage-object-manager.ts';

/** Managed object ids of each flavor: vCenter's (group-d1, vm-101) and hostd's (ha-folder-root, 101). */
const IDS = {
  vcenter: {
    rootFolder: 'group-d1', vmFolder: 'group-v3', hostFolder: 'group-h4', datastoreFolder: 'group-s5', networkFolder: 'group-n6',
    pool: 'resgroup-8', propertyCollector: 'propertyCollector', viewManager: 'ViewManager', searchIndex: 'SearchIndex',
    sessionManager: 'SessionManager', taskManager: 'TaskManager', guestOperationsManager: 'guestOperationsManager',
    fileManager: 'guestOperationsFileManager', processManager: 'guestOperationsProcessManager', nfcService: 'nfcService',
    network: 'network-9', eventManager: 'EventManager', perfManager: 'PerfMgr', authorizationManager: 'AuthorizationManager',
    licenseManager: 'LicenseManager', customFieldsManager: 'CustomFieldsManager', extensionManager: 'ExtensionManager',
    setting: 'VpxSettings', diagnosticManager: 'DiagMgr', ovfManager: 'OvfManager', vStorageObjectManager: 'VStorageObjectManager',
    accountManager: undefined,
  },
  esxi: {
    rootFolder: 'ha-folder-root', vmFolder: 'ha-folder-vm', hostFolder: 'ha-folder-host', datastoreFolder: 'ha-folder-datastore', networkFolder: 'ha-folder-network',
    pool: 'ha-root-pool', propertyCollector: 'ha-property-collector', viewManager: 'ViewManager', searchIndex: 'ha-searchindex',
    sessionManager: 'ha-sessionmgr', taskManager: 'ha-taskmgr', guestOperationsManager: 'ha-guest-operations-manager',
    fileManager: 'ha-guest-operations-file-manager', processManager: 'ha-guest-operations-process-manager', nfcService: 'ha-nfc',
    network: 'HaNetwork-VM Network', eventManager: 'ha-eventmgr', perfManager: 'ha-perfmgr', authorizationManager: 'ha-authmgr',
    licenseManager: 'ha-license-manager', customFieldsManager: undefined, extensionManager: undefined,
    setting: 'HostAgentSettings', diagnosticManager: 'ha-diagnosticmgr', ovfManager: 'ha-ovf-manager', vStorageObjectManager: 'ha-vstorage-object-manager',
    accountManager: 'ha-localacctmgr',
  },
};

/**
 * Builds an endpoint's managed objects from the shared inventory: vCenter sees the datacenter,
 * cluster and every host and VM; a host agent (`ownHost`) sees itself and its own VMs.
 */
export function buildModel(engine: SoapEngine, ownHost?: HostSpec): void {
  const world = engine.world;
  const inv = world.inventory;
  const vs = vsphereOf(world);
  const flavor = engine.flavor;
  const ids = IDS[flavor];
  const naming = namingFor(flavor, ownHost?.moid);
  engine.naming = naming;
  const dcId = flavor === 'vcenter' ? inv.datacenter.moid : 'ha-datacenter';
  const computeId = flavor === 'vcenter' ? inv.cluster.moid : 'ha-compute-res';
  const hosts = flavor === 'vcenter' ? inv.hosts : inv.hosts.filter((h) => h.moid === ownHost?.moid);
  const datastores = inv.datastores.filter((d) => hosts.some((h) => h.datastores.includes(d.moid)));
  // References are immutable: one instance per object saves allocations in 1,000-VM listings.
  // Keyed by type then id: no key string is built per lookup (thousands per listing).
  const refs = new Map<string, Map<string, MoRef>>();
  const ref = (type: string, id: string) => {
    let byId = refs.get(type);
    if (!byId) refs.set(type, (byId = new Map()));
    let r = byId.get(id);
    if (!r) byId.set(id, (r = new MoRef(type, id)));
    return r;
  };
  const layout: Layout = {
    rootFolder: ref('Folder', ids.rootFolder),
    datacenter: ref('Datacenter', dcId),
    vmFolder: ref('Folder', ids.vmFolder),
    poolOf: () => ref('ResourcePool', ids.pool),
    hostRef: (moid) => ref('HostSystem', naming.host(moid)),
    datastoreRef: (moid) => ref('Datastore', moid),
    vms: () => [...vs.vms.values()].filter((v) => hosts.some((h) => h.moid === v.spec.host)),
    vmRef: (moid) => ref('VirtualMachine', naming.vm(moid)),
    network: ref('Network', ids.network),
  };
  engine.layout = layout;
  const vmRefs = () => layout.vms().map((v) => layout.vmRef(v.spec.moid));
  const dsRefs = () => datastores.map((d) => layout.datastoreRef(d.moid));
  const hostRefs = () => hosts.map((h) => layout.hostRef(h.moid));
  const dcRef = layout.datacenter;
  const computeRef = ref(flavor === 'vcenter' ? 'ClusterComputeResource' : 'ComputeResource', computeId);

  const reg = <T extends Parameters<typeof engine.register>[0]>(mo: T) => engine.register(mo);
  reg(new Folder(engine, ids.rootFolder, 'Datacenters', undefined, ['Datacenter', 'Folder'], () => [dcRef]));
  const folders = {
    vmFolder: layout.vmFolder,
    hostFolder: ref('Folder', ids.hostFolder),
    datastoreFolder: ref('Folder', ids.datastoreFolder),
    networkFolder: ref('Folder', ids.networkFolder),
  };
  reg(new Datacenter(engine, dcId, flavor === 'vcenter' ? inv.datacenter.name : 'ha-datacenter', layout.rootFolder, folders, dsRefs));
  reg(new Folder(engine, ids.vmFolder, 'vm', dcRef, ['Folder', 'VirtualMachine', 'VirtualApp'], vmRefs));
  reg(new Folder(engine, ids.hostFolder, 'host', dcRef, ['Folder', 'ComputeResource'], () => [computeRef]));
  reg(new Folder(engine, ids.datastoreFolder, 'datastore', dcRef, ['Folder', 'Datastore'], dsRefs));
  const netRefs = () => [layout.network!];
  reg(new Folder(engine, ids.networkFolder, 'network', dcRef, ['Folder', 'Network'], netRefs));
  reg(new Network(engine, ids.network, VM_NETWORK, folders.networkFolder, hostRefs, vmRefs));
  const poolRef = ref('ResourcePool', ids.pool);
  reg(new ComputeResource(engine, computeRef.type as 'ComputeResource', computeId, flavor === 'vcenter' ? inv.cluster.name : ownHost!.name, folders.hostFolder, hostRefs, poolRef, dsRefs, netRefs));
  reg(new ResourcePool(engine, ids.pool, computeRef, vmRefs));
  const browserOf = (id: string, scope: () => MoRef[]) => reg(new HostDatastoreBrowser(engine, id, scope)).ref;
  const esxBrowser = flavor === 'esxi' ? browserOf('ha-host-datastorebrowser', dsRefs) : undefined;
  for (const h of hosts) {
    const value = naming.host(h.moid);
    const hostDs = () => h.datastores.map((d) => layout.datastoreRef(d));
    const advanced = reg(new OptionManager(engine, flavor === 'esxi' ? 'ha-adv-options' : `EsxHostAdvSettings-${value.replace(/^host-/, '')}`, 'advanced'));
    const browser = esxBrowser ?? browserOf(`hostDatastoreBrowser-${value.replace(/^host-/, '')}`, hostDs);
    const configManager = registerHostManagers(engine, value, h, hostHardware(inv.seed, h), hostDs, advanced);
    reg(new HostSystem(engine, value, h, computeRef, {
      vms: () => layout.vms().filter((v) => v.spec.host === h.moid).map((v) => layout.vmRef(v.spec.moid)),
      datastores: hostDs,
      networks: netRefs,
      configManager,
      datastoreBrowser: browser,
    }));
  }
  for (const d of datastores) {
    const browser = esxBrowser ?? browserOf(`datastoreBrowser-${d.moid}`, () => [layout.datastoreRef(d.moid)]);
    reg(new Datastore(engine, d.moid, d, folders.datastoreFolder,
      () => hosts.filter((h) => h.datastores.includes(d.moid)).map((h) => layout.hostRef(h.moid)),
      () => layout.vms().filter((v) => v.spec.datastore === d.moid).map((v) => layout.vmRef(v.spec.moid)),
      browser));
  }

  reg(new SessionManager(engine, ids.sessionManager));
  reg(new PropertyCollector(engine, ids.propertyCollector));
  reg(new ViewManager(engine, ids.viewManager));
  reg(new SearchIndex(engine, ids.searchIndex));
  reg(new TaskManager(engine, ids.taskManager));
  const fileManager = reg(new GuestFileManager(engine, ids.fileManager));
  const processManager = reg(new GuestProcessManager(engine, ids.processManager));
  reg(new GuestOperationsManager(engine, ids.guestOperationsManager, fileManager.ref, processManager.ref));
  const nfc = reg(new NfcService(engine, ids.nfcService));
  const opt = <T,>(id: string | undefined, make: (id: string) => T) => (id === undefined ? undefined : make(id));
  const managers = {
    setting: opt(ids.setting, (id) => reg(new OptionManager(engine, id)).ref),
    authorizationManager: opt(ids.authorizationManager, (id) => reg(new AuthorizationManager(engine, id)).ref),
    perfManager: opt(ids.perfManager, (id) => reg(new PerformanceManager(engine, id)).ref),
    eventManager: opt(ids.eventManager, (id) => reg(new EventManager(engine, id)).ref),
    extensionManager: opt(ids.extensionManager, (id) => reg(new ExtensionManager(engine, id)).ref),
    customFieldsManager: opt(ids.customFieldsManager, (id) => reg(new CustomFieldsManager(engine, id)).ref),
    accountManager: opt(ids.accountManager, (id) => reg(new HostLocalAccountManager(engine, id)).ref),
    diagnosticManager: opt(ids.diagnosticManager, (id) => reg(new DiagnosticManager(engine, id)).ref),
    licenseManager: opt(ids.licenseManager, (id) => reg(new LicenseManager(engine, id)).ref),
    ovfManager: opt(ids.ovfManager, (id) => reg(new OvfManager(engine, id)).ref),
    vStorageObjectManager: opt(ids.vStorageObjectManager, (id) => reg(new VStorageObjectManager(engine, id)).ref),
  };

  const content = data('ServiceContent', {
    rootFolder: layout.rootFolder,
    propertyCollector: ref('PropertyCollector', ids.propertyCollector),
    viewManager: ref('ViewManager', ids.viewManager),
    about: aboutInfo(engine),
    setting: managers.setting,
    sessionManager: ref('SessionManager', ids.sessionManager),
    authorizationManager: managers.authorizationManager,
    perfManager: managers.perfManager,
    eventManager: managers.eventManager,
    taskManager: ref('TaskManager', ids.taskManager),
    extensionManager: managers.extensionManager,
    customFieldsManager: managers.customFieldsManager,
    accountManager: managers.accountManager,
    diagnosticManager: managers.diagnosticManager,
    licenseManager: managers.licenseManager,
    searchIndex: ref('SearchIndex', ids.searchIndex),
    ovfManager: managers.ovfManager,
    guestOperationsManager: ref('GuestOperationsManager', ids.guestOperationsManager),
    vStorageObjectManager: managers.vStorageObjectManager,
  });
  engine.serviceInstance = reg(new ServiceInstance(engine, content, nfc.ref));

  // VMs and snapshots come and go with the shared state: made on first lookup, never listed here.
  engine.resolver = (r) => {
    if (r.type === 'VirtualMachine') {
      const moid = naming.vmFromId(r.value);
      const vm = moid ? vs.vm(moid) : undefined;
      return vm && hosts.some((h) => h.moid === vm.spec.host) ? new VirtualMachine(engine, vm) : undefined;
    }
    if (r.type === 'VirtualMachineSnapshot') {
      const id = naming.snapshotFromId(r.value);
      const snap = id === undefined ? undefined : vs.snapshotById(id);
      const vm = snap && vs.vm(snap.vm);
      if (!snap || !vm || naming.snapshot(vm.spec.moid, snap.id) !== r.value) return undefined;
      return hosts.some((h) => h.moid === vm.spec.host) ? new VirtualMachineSnapshot(engine, vm, snap) : undefined;
    }
    return undefined;
  };
}
