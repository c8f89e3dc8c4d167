import { anyType, data, isXObject, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';

type Value = string | number | boolean;

/** The settings a fresh vCenter (VpxSettings) or host (HostAgentSettings, advanced options) reports. */
function defaults(engine: SoapEngine, kind: 'settings' | 'advanced'): [string, Value][] {
  const host = engine.options.hostname;
  if (kind === 'advanced') {
    return [['Config.HostAgent.log.level', 'info'], ['Net.TcpipHeapSize', 0], ['NFS.MaxVolumes', 8], ['UserVars.SuppressShellWarning', 0]];
  }
  if (engine.flavor === 'esxi') {
    return [['Config.HostAgent.plugins.solo.enableMob', false], ['Vpx.Vpxa.config.log.level', 'verbose']];
  }
  return [
    ['VirtualCenter.FQDN', host],
    ['VirtualCenter.InstanceName', host],
    ['VirtualCenter.AutoManagedIPV4', '127.0.0.1'],
    ['config.vpxd.sso.default.admin', 'Administrator@vsphere.local'],
    ['event.maxAge', 30],
    ['event.maxAgeEnabled', true],
    ['task.maxAge', 30],
    ['task.maxAgeEnabled', true],
    ['vpxd.stats.maxQueryMetrics', 256],
  ];
}

const INVALID = (name: string) => new VimFault('InvalidName', `The name '${name}' is invalid.`, { name });

/** OptionManager: `setting`, QueryOptions (exact key or a "prefix." subtree) and UpdateOptions (known keys only, same type). */
export class OptionManager extends ManagedObject {
  private readonly values: Map<string, Value>;

  constructor(engine: SoapEngine, id: string, kind: 'settings' | 'advanced' = 'settings') {
    super(engine, 'OptionManager', id);
    this.values = new Map(defaults(engine, kind));
    this.expose({
      setting: () => this.options([...this.values.keys()]),
      supportedOption: () =>
        [...this.values].map(([key, v]) =>
          data('OptionDef', {
            label: key,
            summary: key,
            key,
            optionType: typeof v === 'boolean' ? data('BoolOption', { valueIsReadonly: false, supported: true, defaultValue: v }) : typeof v === 'number' ? data('LongOption', { valueIsReadonly: false, min: 0, max: 2 ** 31, defaultValue: v }) : data('StringOption', { valueIsReadonly: false, defaultValue: v }),
          }),
        ),
    });
  }

  private options(keys: string[]): DataObject[] {
    return keys.map((key) => data('OptionValue', { key, value: anyType(this.values.get(key)) }));
  }

  QueryOptions(args: Args): DataObject[] {
    const name = args.optStr('name') ?? '';
    if (!name) return this.options([...this.values.keys()]);
    const keys = name.endsWith('.') ? [...this.values.keys()].filter((k) => k.startsWith(name)) : this.values.has(name) ? [name] : [];
    if (!keys.length) throw INVALID(name);
    return this.options(keys);
  }

  UpdateOptions(args: Args): void {
    const changes = args.list('changedValue').map((c) => {
      if (!isXObject(c)) throw Faults.invalidRequest('changedValue must be OptionValue');
      const o = Args.of(c, 'changedValue');
      const key = o.str('key');
      const old = this.values.get(key);
      if (old === undefined) throw INVALID(key);
      const raw = o.optStr('value') ?? '';
      const value = typeof old === 'number' ? Number(raw) : typeof old === 'boolean' ? raw === 'true' || raw === '1' : raw;
      if (typeof old === 'number' && !/^-?\d+$/.test(raw)) throw Faults.invalidArgument(key, 'expected an integer');
      if (typeof old === 'boolean' && !/^(true|false|0|1)$/.test(raw)) throw Faults.invalidArgument(key, 'expected a boolean');
      return [key, value] as const;
    });
    for (const [k, v] of changes) this.values.set(k, v);
    this.engine.changed();
  }
}
