import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject, type Getter } from '../managed-object.ts';

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
      availableField: () => [],
      value: () => [],
      customValue: () => [],
      tag: () => [],
    });
  }

  protected exposeEntity(getters: Record<string, Getter>): void {
    this.expose(getters);
  }
}
