import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';

export class TaskManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'TaskManager', id);
    this.expose({ recentTask: () => engine.recentTasks.filter((r) => engine.objects.has(r.value)), maxCollector: () => 32 });
  }
}
