import { anyType, data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import type { VmState } from '../state.ts';
import { postCallEvent } from './event-manager.ts';
import { after } from '../../timing.ts';

export type TaskState = 'queued' | 'running' | 'success' | 'error';

/** Finished tasks stay readable this long (vCenter keeps recent tasks for a while). */
const KEEP_MS = 10 * 60_000;

/** A vSphere Task: info.state goes queued -> running -> success / error, each step a change. */
export class Task extends ManagedObject {
  state: TaskState = 'queued';
  progress?: number;
  result?: unknown;
  error?: VimFault;
  readonly queueTime = new Date();
  startTime?: Date;
  completeTime?: Date;
  private readonly key: string;

  constructor(
    engine: SoapEngine,
    readonly entity: ManagedObject | undefined,
    readonly methodName: string,
    readonly descriptionId: string,
    readonly userName: string,
    private readonly entityName: () => string | undefined,
  ) {
    const id = engine.nextId(engine.flavor === 'vcenter' ? 'task' : 'haTask');
    super(engine, 'Task', id, ['ExtensibleManagedObject']);
    this.key = id;
    this.expose({ info: () => this.info() });
  }

  info(): DataObject {
    return data('TaskInfo', {
      key: this.key,
      task: this.ref,
      name: this.methodName,
      descriptionId: this.descriptionId,
      entity: this.entity?.ref,
      entityName: this.entityName(),
      state: this.state,
      cancelled: false,
      cancelable: false,
      error: this.error?.toLocalized(),
      result: anyType(this.result),
      progress: this.progress,
      reason: data('TaskReasonUser', { userName: this.userName }),
      queueTime: this.queueTime,
      startTime: this.startTime,
      completeTime: this.completeTime,
      eventChainId: Number(this.key.replace(/\D/g, '')) || 1,
    });
  }

  /** Runs `work` as this task; a VimFault becomes info.error, anything else a SystemError. */
  run(work: (task: Task) => Promise<unknown> | unknown): void {
    // How long the task stays queued and running comes from the lab's timing profile.
    const delays = this.engine.options.taskDelays ?? this.engine.timing.task(this.methodName);
    const step = (fn: () => void, ms: number) => after(ms, fn);
    step(async () => {
      this.state = 'running';
      this.startTime = new Date();
      this.progress = 0;
      this.engine.changed();
      let outcome: { ok: true; value: unknown } | { ok: false; fault: VimFault };
      try {
        outcome = { ok: true, value: await this.engine.changing(() => work(this)) };
      } catch (err) {
        outcome = { ok: false, fault: err instanceof VimFault ? err : Faults.internal((err as Error).message) };
      }
      step(() => {
        if (outcome.ok) {
          this.state = 'success';
          this.result = outcome.value;
          this.progress = 100;
        } else {
          this.state = 'error';
          this.error = outcome.fault;
        }
        this.completeTime = new Date();
        this.engine.changed();
        step(() => this.engine.unregister(this.ref), KEEP_MS);
      }, delays.runMs);
    }, delays.queuedMs);
  }
}

/** Starts `work` as a Task on `entity` and returns the Task reference, like every *_Task method. */
export function startTask(
  call: CallContext,
  entity: ManagedObject | undefined,
  descriptionId: string,
  work: (task: Task) => Promise<unknown> | unknown,
  entityName?: () => string | undefined,
): MoRef {
  const engine = call.engine;
  const task = engine.register(
    new Task(engine, entity, call.method, descriptionId, call.session?.userName ?? '', entityName ?? (() => undefined)),
  );
  engine.recentTasks.push(task.ref);
  // vCenter posts a TaskEvent when a task starts (how snapshot creation and removal show in the event log).
  const vm = (entity as { vm?: VmState } | undefined)?.vm;
  postCallEvent(call, { type: 'TaskEvent', vm: vm?.spec ? vm : undefined, message: `Task: ${descriptionId}`, fields: { info: task.info() } });
  if (engine.recentTasks.length > 200) engine.recentTasks.shift();
  task.run(work);
  engine.changed();
  return task.ref;
}
