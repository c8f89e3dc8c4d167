import { data, MoRef, type XObject, type XValue } from '../../../simulators/core/codecs/vim25/index.ts';
import type { HttpsClient } from '../../net/https-client.ts';
import { VimFaultError, VimSoapClient, type SoapClientOptions } from './soap-client.ts';
import { at, bool, list, num, obj, ref, str } from './values.ts';

export { VimFaultError };

export interface DiskInfo {
  key: number;
  label: string;
  fileName: string;
  capacityBytes: number;
  changeId?: string;
  encrypted: boolean;
}

export interface HostServiceTicket {
  host: string;
  port: number;
  sslThumbprint: string;
  service: string;
  serviceVersion: string;
  sessionId: string;
}

export interface GuestAuth {
  username: string;
  password: string;
}

export interface GuestProcessInfo {
  pid: number;
  name: string;
  owner: string;
  cmdLine: string;
  exitCode?: number;
  endTime?: string;
}

export class TaskTimeoutError extends Error {
  /** A deadline passed: classified as a timeout (a stuck snapshot task), not an internal error. */
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly task: MoRef,
    readonly lastState: string,
  ) {
    super(`task ${task.value} still ${lastState} at the deadline`);
  }
}

const SI = new MoRef('ServiceInstance', 'ServiceInstance');

/** The proxy's vSphere client: the calls a VADP backup makes, each with a deadline. */
export class VsphereClient {
  private nfcService?: MoRef;

  private constructor(
    readonly soap: VimSoapClient,
    private readonly http: HttpsClient,
    readonly content: XObject,
  ) {}

  static async connect(http: HttpsClient, host: string, port = 443, opts: SoapClientOptions = {}): Promise<VsphereClient> {
    const soap = new VimSoapClient(http, host, port, opts);
    const content = obj(await soap.call('RetrieveServiceContent', SI), 'ServiceContent');
    return new VsphereClient(soap, http, content);
  }

  /** "VirtualCenter" or "HostAgent". */
  get apiType(): string {
    return str(at(this.content, 'about.apiType')) ?? '';
  }

  private mo(name: string): MoRef {
    return ref(this.content[name], name);
  }

  async login(user: string, password: string): Promise<XObject> {
    return obj(await this.soap.call('Login', this.mo('sessionManager'), { userName: user, password }), 'UserSession');
  }

  async logout(): Promise<void> {
    this.soap.reauth = undefined;
    await this.soap.call('Logout', this.mo('sessionManager'));
    this.soap.forget();
  }

  /** Properties of several objects of one type, by moref value. */
  async retrieve(objs: MoRef[], type: string, paths: string[]): Promise<Map<string, Record<string, XValue>>> {
    const spec = data('PropertyFilterSpec', {
      propSet: [data('PropertySpec', { type, all: false, pathSet: paths })],
      objectSet: objs.map((o) => data('ObjectSpec', { obj: o, skip: false })),
    });
    return this.collect(spec);
  }

  private async collect(spec: unknown): Promise<Map<string, Record<string, XValue>>> {
    const out = new Map<string, Record<string, XValue>>();
    const pc = this.mo('propertyCollector');
    let result = await this.soap.call('RetrievePropertiesEx', pc, { specSet: [spec], options: data('RetrieveOptions', {}) });
    for (;;) {
      if (!result) break;
      const r = obj(result, 'RetrieveResult');
      for (const oc of list(r.objects)) {
        const o = obj(oc);
        const props: Record<string, XValue> = {};
        for (const p of list(o.propSet)) {
          const dp = obj(p);
          props[String(dp.name)] = dp.val!;
        }
        out.set(ref(o.obj).value, props);
      }
      const token = str(r.token);
      if (!token) break;
      result = await this.soap.call('ContinueRetrievePropertiesEx', pc, { token });
    }
    return out;
  }

  async props(o: MoRef, paths: string[]): Promise<Record<string, XValue>> {
    return (await this.retrieve([o], o.type, paths)).get(o.value) ?? {};
  }

  /** Every VM under the root folder with the given properties (a ContainerView, destroyed after). */
  async listVms(paths: string[]): Promise<{ ref: MoRef; props: Record<string, XValue> }[]> {
    const view = ref(await this.soap.call('CreateContainerView', this.mo('viewManager'), { container: this.mo('rootFolder'), type: ['VirtualMachine'], recursive: true }));
    try {
      const spec = data('PropertyFilterSpec', {
        propSet: [data('PropertySpec', { type: 'VirtualMachine', all: false, pathSet: paths })],
        objectSet: [data('ObjectSpec', { obj: view, skip: true, selectSet: [data('TraversalSpec', { name: 'view', type: 'ContainerView', path: 'view', skip: false })] })],
      });
      const found = await this.collect(spec);
      return [...found].map(([value, props]) => ({ ref: new MoRef('VirtualMachine', value), props }));
    } finally {
      await this.soap.call('DestroyView', view).catch(() => undefined);
    }
  }

  async findVmByUuid(uuid: string, instanceUuid = true): Promise<MoRef | undefined> {
    const r = await this.soap.call('FindByUuid', this.mo('searchIndex'), { uuid, vmSearch: true, instanceUuid });
    return r instanceof MoRef ? r : undefined;
  }

  async findVmByName(name: string): Promise<MoRef | undefined> {
    return (await this.listVms(['name'])).find((v) => v.props.name === name)?.ref;
  }

  /**
   * Waits for a task with WaitForUpdatesEx on a collector of its own; resolves with info.result,
   * throws VimFaultError for info.error and TaskTimeoutError at the deadline.
   */
  async waitForTask(task: MoRef, timeoutMs = 120_000): Promise<XValue | undefined> {
    const deadline = Date.now() + timeoutMs;
    const pc = ref(await this.soap.call('CreatePropertyCollector', this.mo('propertyCollector')));
    try {
      await this.soap.call('CreateFilter', pc, {
        spec: data('PropertyFilterSpec', {
          propSet: [data('PropertySpec', { type: 'Task', all: false, pathSet: ['info.state', 'info.error', 'info.result'] })],
          objectSet: [data('ObjectSpec', { obj: task, skip: false })],
        }),
        partialUpdates: false,
      });
      let version = '';
      let state = 'queued';
      let info: Record<string, XValue | undefined> = {};
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw new TaskTimeoutError(task, state);
        const wait = Math.max(1, Math.min(10, Math.ceil(left / 1000)));
        const update = await this.soap.call('WaitForUpdatesEx', pc, { version, options: data('WaitOptions', { maxWaitSeconds: wait }) }, wait * 1000 + 15_000);
        if (!update) continue;
        const u = obj(update, 'UpdateSet');
        version = str(u.version) ?? version;
        for (const fs of list(u.filterSet)) {
          for (const os of list(obj(fs).objectSet)) {
            for (const c of list(obj(os).changeSet)) {
              const ch = obj(c);
              info[String(ch.name)] = ch.val;
            }
          }
        }
        state = str(info['info.state']) ?? state;
        if (state === 'success') return info['info.result'];
        if (state === 'error') {
          const err = obj(info['info.error'], 'LocalizedMethodFault');
          const fault = obj(err.fault, 'fault');
          throw new VimFaultError(fault._type ?? 'SystemError', str(err.localizedMessage) ?? '', fault);
        }
      }
    } finally {
      await this.soap.call('DestroyPropertyCollector', pc).catch(() => undefined);
    }
  }

  async enableCbt(vm: MoRef, enabled = true, timeoutMs?: number): Promise<void> {
    const task = ref(await this.soap.call('ReconfigVM_Task', vm, { spec: data('VirtualMachineConfigSpec', { changeTrackingEnabled: enabled }) }));
    await this.waitForTask(task, timeoutMs);
  }

  async createSnapshot(vm: MoRef, name: string, opts: { quiesce?: boolean; memory?: boolean; description?: string; timeoutMs?: number } = {}): Promise<MoRef> {
    const task = ref(
      await this.soap.call('CreateSnapshot_Task', vm, { name, description: opts.description ?? '', memory: opts.memory ?? false, quiesce: opts.quiesce ?? true }),
    );
    return ref(await this.waitForTask(task, opts.timeoutMs), 'snapshot');
  }

  async removeSnapshot(snapshot: MoRef, timeoutMs?: number): Promise<void> {
    const task = ref(await this.soap.call('RemoveSnapshot_Task', snapshot, { removeChildren: false, consolidate: true }));
    await this.waitForTask(task, timeoutMs);
  }

  /** The disks of a VM or snapshot (config.hardware.device), with backing file and changeId. */
  async disks(of: MoRef): Promise<DiskInfo[]> {
    const p = await this.props(of, ['config.hardware.device']);
    return list(p['config.hardware.device'])
      .map((d) => obj(d))
      .filter((d) => d._type === 'VirtualDisk')
      .map((d) => ({
        key: num(d.key) ?? 0,
        label: str(at(d, 'deviceInfo.label')) ?? '',
        fileName: str(at(d, 'backing.fileName')) ?? '',
        capacityBytes: num(d.capacityInBytes) ?? (num(d.capacityInKB) ?? 0) * 1024,
        changeId: str(at(d, 'backing.changeId')),
        encrypted: at(d, 'backing.keyId') !== undefined,
      }));
  }

  /** Every changed extent of a disk, paging by startOffset until the whole capacity is covered. */
  async queryChangedDiskAreas(vm: MoRef, snapshot: MoRef, deviceKey: number, changeId: string, capacityBytes: number): Promise<{ extents: { start: number; length: number }[]; pages: number }> {
    const extents: { start: number; length: number }[] = [];
    let offset = 0;
    let pages = 0;
    while (offset < capacityBytes) {
      const info = obj(await this.soap.call('QueryChangedDiskAreas', vm, { snapshot, deviceKey, startOffset: offset, changeId }), 'DiskChangeInfo');
      pages++;
      for (const a of list(info.changedArea)) extents.push({ start: num(obj(a).start) ?? 0, length: num(obj(a).length) ?? 0 });
      const length = num(info.length) ?? 0;
      if (length <= 0) break;
      offset = (num(info.startOffset) ?? offset) + length;
    }
    return { extents, pages };
  }

  private async nfc(): Promise<MoRef> {
    if (!this.nfcService) {
      const internal = obj(await this.soap.call('RetrieveInternalContent', SI), 'InternalServiceInstanceContent');
      this.nfcService = ref(internal.nfcService, 'nfcService');
    }
    return this.nfcService;
  }

  /** A 902 ticket: read-only for every file of the VM, or read-write for one disk. */
  async nfcTicket(vm: MoRef, mode: 'read' | 'readwrite', diskDeviceKey?: number, hostForAccess?: MoRef): Promise<HostServiceTicket> {
    const svc = await this.nfc();
    const r =
      mode === 'read'
        ? await this.soap.call('NfcGetVmFiles', svc, { vm })
        : await this.soap.call('NfcRandomAccessOpenDisk', svc, { vm, diskDeviceKey, hostForAccess });
    const t = obj(r, 'HostServiceTicket');
    return {
      host: str(t.host) ?? '',
      port: num(t.port) ?? 902,
      sslThumbprint: str(t.sslThumbprint) ?? '',
      service: str(t.service) ?? '',
      serviceVersion: str(t.serviceVersion) ?? '',
      sessionId: str(t.sessionId) ?? '',
    };
  }

  private guestManager(name: 'fileManager' | 'processManager'): Promise<MoRef> {
    return this.props(this.mo('guestOperationsManager'), [name]).then((p) => ref(p[name], name));
  }

  private auth(a: GuestAuth) {
    return data('NamePasswordAuthentication', { interactiveSession: false, username: a.username, password: a.password });
  }

  /** InitiateFileTransferToGuest, then PUT to the host's /guestFile ("*" means the host we talk to). */
  async uploadToGuest(vm: MoRef, auth: GuestAuth, guestPath: string, content: Buffer, overwrite = true): Promise<string> {
    const fm = await this.guestManager('fileManager');
    const url = str(
      await this.soap.call('InitiateFileTransferToGuest', fm, {
        vm,
        auth: this.auth(auth),
        guestFilePath: guestPath,
        fileAttributes: data('GuestFileAttributes', {}),
        fileSize: content.length,
        overwrite,
      }),
    );
    if (!url) throw new Error('InitiateFileTransferToGuest returned no URL');
    const u = new URL(url.replace('://*', `://${this.soap.host}`));
    const res = await this.http.request({ host: u.hostname, port: Number(u.port || 443), method: 'PUT', path: `${u.pathname}${u.search}`, body: content, headers: { 'content-length': String(content.length), 'content-type': 'application/octet-stream' } });
    if (res.status !== 200) throw new Error(`guest upload to ${u.hostname} failed: HTTP ${res.status} ${res.text()}`);
    return url;
  }

  async startProgram(vm: MoRef, auth: GuestAuth, programPath: string, args = ''): Promise<number> {
    const pm = await this.guestManager('processManager');
    const pid = num(str(await this.soap.call('StartProgramInGuest', pm, { vm, auth: this.auth(auth), spec: data('GuestProgramSpec', { programPath, arguments: args }) })));
    if (pid === undefined) throw new Error('StartProgramInGuest returned no pid');
    return pid;
  }

  async listProcesses(vm: MoRef, auth: GuestAuth, pids: number[] = []): Promise<GuestProcessInfo[]> {
    const pm = await this.guestManager('processManager');
    const r = await this.soap.call('ListProcessesInGuest', pm, { vm, auth: this.auth(auth), pids });
    return list(r).map((x) => {
      const p = obj(x);
      return { pid: num(p.pid) ?? 0, name: str(p.name) ?? '', owner: str(p.owner) ?? '', cmdLine: str(p.cmdLine) ?? '', exitCode: num(p.exitCode), endTime: str(p.endTime) };
    });
  }

  /** TerminateProcessInGuest: the process ends (guestossvc takes 3542 and its plugin with it). */
  async terminateProcess(vm: MoRef, auth: GuestAuth, pid: number): Promise<void> {
    const pm = await this.guestManager('processManager');
    await this.soap.call('TerminateProcessInGuest', pm, { vm, auth: this.auth(auth), pid });
  }

  /** Folder.CreateVM_Task for a DR restore: thin disks of the given sizes on one datastore. */
  async createVm(spec: { name: string; guestId: string; datastore: string; diskBytes: number[]; numCpus?: number; memoryMB?: number }, timeoutMs?: number): Promise<MoRef> {
    const dc = (await this.listDatacenter());
    const vmFolder = ref(dc.vmFolder, 'vmFolder');
    const pool = await this.defaultPool();
    // vCenter gives a new VM only the devices its spec adds: the disks need their controller.
    const controller = data('VirtualDeviceConfigSpec', {
      operation: 'add',
      device: data('ParaVirtualSCSIController', { key: 1000, busNumber: 0, sharedBus: 'noSharing' }),
    });
    const disks = spec.diskBytes.map((bytes, i) =>
      data('VirtualDeviceConfigSpec', {
        operation: 'add',
        fileOperation: 'create',
        device: data('VirtualDisk', {
          key: -(i + 1),
          backing: data('VirtualDiskFlatVer2BackingInfo', { fileName: '', diskMode: 'persistent', thinProvisioned: true }),
          controllerKey: 1000,
          unitNumber: i,
          capacityInKB: Math.ceil(bytes / 1024),
          capacityInBytes: bytes,
        }),
      }),
    );
    const config = data('VirtualMachineConfigSpec', {
      name: spec.name,
      guestId: spec.guestId,
      files: data('VirtualMachineFileInfo', { vmPathName: `[${spec.datastore}]` }),
      numCPUs: spec.numCpus ?? 2,
      memoryMB: spec.memoryMB ?? 4096,
      deviceChange: [controller, ...disks],
    });
    const task = ref(await this.soap.call('CreateVM_Task', vmFolder, { config, pool }));
    return ref(await this.waitForTask(task, timeoutMs), 'vm');
  }

  async powerOn(vm: MoRef, timeoutMs?: number): Promise<void> {
    await this.waitForTask(ref(await this.soap.call('PowerOnVM_Task', vm, {})), timeoutMs);
  }

  async powerOff(vm: MoRef, timeoutMs?: number): Promise<void> {
    await this.waitForTask(ref(await this.soap.call('PowerOffVM_Task', vm)), timeoutMs);
  }

  private async listDatacenter(): Promise<XObject> {
    const root = await this.props(this.mo('rootFolder'), ['childEntity']);
    const dc = list(root.childEntity).map((r) => ref(r)).find((r) => r.type === 'Datacenter');
    if (!dc) throw new Error('no datacenter under the root folder');
    const p = await this.props(dc, ['vmFolder', 'hostFolder']);
    return { vmFolder: p.vmFolder, hostFolder: p.hostFolder };
  }

  private async defaultPool(): Promise<MoRef> {
    const dc = await this.listDatacenter();
    const hostFolder = await this.props(ref(dc.hostFolder), ['childEntity']);
    const cr = list(hostFolder.childEntity).map((r) => ref(r))[0];
    if (!cr) throw new Error('no compute resource');
    return ref((await this.props(cr, ['resourcePool'])).resourcePool, 'resourcePool');
  }

  async isActive(): Promise<boolean> {
    const p = await this.props(this.mo('sessionManager'), ['currentSession']).catch(() => ({}) as Record<string, XValue>);
    return bool(at(p.currentSession, 'extensionSession')) !== undefined;
  }
}
