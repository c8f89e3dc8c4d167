import { data, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** ExtensionManager: the solutions registered with vCenter (a vSAN health extension, as a fresh vCenter has). */
export class ExtensionManager extends ManagedObject {
  private readonly extensions = new Map<string, DataObject>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'ExtensionManager', id);
    if (engine.flavor === 'vcenter') this.put('com.vmware.vsan.health', 'vSAN Health Service', '8.0.2');
    this.expose({ extensionList: () => [...this.extensions.values()] });
  }

  private put(key: string, label: string, version: string, company = 'VMware, Inc.'): DataObject {
    const ext = data('Extension', {
      description: data('Description', { label, summary: label }),
      key,
      company,
      version,
      server: [],
      client: [],
      lastHeartbeatTime: new Date(),
      shownInSolutionManager: false,
    });
    this.extensions.set(key, ext);
    return ext;
  }

  FindExtension(args: Args): DataObject | undefined {
    return this.extensions.get(args.str('extensionKey'));
  }

  RegisterExtension(args: Args): void {
    const ext = Args.of(args.obj('extension'), 'extension');
    const key = ext.str('key');
    const d = ext.optObj('description');
    const label = d && typeof d.label === 'string' ? d.label : key;
    this.put(key, label, ext.optStr('version') ?? '1.0', ext.optStr('company') ?? '');
  }

  UnregisterExtension(args: Args): void {
    const key = args.str('extensionKey');
    if (!this.extensions.delete(key)) throw Faults.notFoundGeneric(`The extension ${key} is not registered.`);
  }
}
