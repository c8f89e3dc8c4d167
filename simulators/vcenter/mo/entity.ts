import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject, type Getter } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { customFieldsOf } from './custom-fields-manager.ts';

/** ManagedEntity: the inventory tree's common properties. */
export abstract class ManagedEntity extends ManagedObject {
  constructor(
    engine: SoapEngine,
    type: string,
    value: string,
    readonly entityName: () => string,
    readonly parentRef: () => MoRef | undefined,
    supertypes: string[] = [],
  ) {
    super(engine, type, value, [...supertypes, 'ManagedEntity', 'ExtensibleManagedObject']);
    this.expose({
      name: () => this.entityName(),
      parent: () => this.parentRef(),
      overallStatus: () => 'green',
      configStatus: () => 'green',
      alarmActionsEnabled: () => true,
      effectiveRole: () => [-1],
      disabledMethod: () => [],
      recentTask: () => [],
      declaredAlarmState: () => [],
      triggeredAlarmState: () => [],
      availableField: () => customFieldsOf(engine).available(this),
      value: () => customFieldsOf(engine).customValue(this.ref),
      customValue: () => customFieldsOf(engine).customValue(this.ref),
      tag: () => [],
    });
  }

  /** ExtensibleManagedObject.setCustomValue: by field name; vCenter adds a global definition when none exists. */
  setCustomValue(args: Args): void {
    const store = customFieldsOf(this.engine);
    const name = args.str('key');
    const def = [...store.defs.values()].find((d) => d.name === name && store.appliesTo(d, this)) ?? store.add(name);
    store.set(this, def.key, args.optStr('value') ?? '');
    this.engine.changed();
  }

  protected exposeEntity(getters: Record<string, Getter>): void {
    this.expose(getters);
  }
}
