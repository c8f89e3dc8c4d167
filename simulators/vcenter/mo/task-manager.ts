import { data, isXObject, type MoRef, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { HistoryCollector, MAX_COLLECTORS, registerCollector } from './history-collector.ts';
import { entityPredicate, stringList, userPredicate } from './history-filter.ts';
import { Task } from './task.ts';

type TaskItem = { seq: number; task: Task };

/** Tasks this endpoint still knows (TaskManager.recentTask keeps them 10 minutes), oldest first. */
function knownTasks(engine: SoapEngine): TaskItem[] {
  const out: TaskItem[] = [];
  for (const r of engine.recentTasks) {
    const t = engine.objects.get(r.value);
    if (t instanceof Task) out.push({ seq: Number(r.value.replace(/\D/g, '')), task: t });
  }
  return out;
}

const TIME_OF = { queuedTime: 'queueTime', startedTime: 'startTime', completedTime: 'completeTime' } as const;

/** TaskFilterSpec: entity (with recursion), time (by queued/started/completed time), userName, state. */
function taskFilter(engine: SoapEngine, raw: XObject): (t: TaskItem) => boolean {
  const spec = new Args(raw);
  const byEntity = entityPredicate(engine, spec, 'filter');
  const byUser = userPredicate(spec);
  const states = stringList(raw.state);
  for (const s of states) if (!['queued', 'running', 'success', 'error'].includes(s)) throw Faults.invalidArgument('filter.state');
  const time = spec.optObj('time');
  let byTime: ((t: Task) => boolean) | undefined;
  if (time) {
    const t = new Args(time);
    const kind = t.str('timeType') as keyof typeof TIME_OF;
    if (!(kind in TIME_OF)) throw Faults.invalidArgument('filter.time.timeType');
    const begin = t.optStr('beginTime') === undefined ? undefined : Date.parse(t.str('beginTime'));
    const end = t.optStr('endTime') === undefined ? undefined : Date.parse(t.str('endTime'));
    if (Number.isNaN(begin) || Number.isNaN(end)) throw Faults.invalidArgument('filter.time');
    byTime = (task) => {
      const at = task[TIME_OF[kind]];
      return !!at && (begin === undefined || at.getTime() >= begin) && (end === undefined || at.getTime() <= end);
    };
  }
  const chain = spec.optInt('eventChainId');
  return ({ task, seq }) =>
    (!byEntity || (task.entity ? byEntity([task.entity.ref]) : false)) &&
    byUser(task.userName) &&
    (!states.length || states.includes(task.state)) &&
    (!byTime || byTime(task)) &&
    (chain === undefined || chain === seq);
}

export class TaskHistoryCollector extends HistoryCollector<TaskItem> {
  ReadNextTasks(args: Args): unknown[] {
    return this.readNext(args);
  }

  ReadPreviousTasks(args: Args): unknown[] {
    return this.readPrevious(args);
  }
}

export class TaskManager extends ManagedObject {
  readonly collectors = new Set<string>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'TaskManager', id);
    this.expose({
      recentTask: () => engine.recentTasks.filter((r) => engine.objects.has(r.value)),
      maxCollector: () => MAX_COLLECTORS,
      description: () =>
        data('TaskDescription', {
          methodInfo: [],
          state: ['queued', 'running', 'success', 'error'].map((k) => data('ElementDescription', { key: k, label: k, summary: k })),
          reason: ['TaskReasonUser', 'TaskReasonSystem'].map((k) => data('TypeDescription', { key: k, label: k, summary: k })),
        }),
    });
  }

  CreateCollectorForTasks(args: Args, call: CallContext): MoRef {
    // An empty <filter/> (every task) arrives as "": only a missing filter is a fault.
    const given = args.raw.filter;
    const f = given === '' ? {} : given;
    if (!isXObject(f)) throw Faults.invalidRequest('missing required argument filter (TaskFilterSpec)');
    const match = taskFilter(this.engine, f);
    return registerCollector(call, this.collectors, 'taskcollector', (id) =>
      new TaskHistoryCollector(this.engine, 'TaskHistoryCollector', id, {
        items: () => knownTasks(this.engine).filter(match),
        toData: (t) => t.task.info(),
        filter: { ...f, _type: 'TaskFilterSpec' },
        size: 10,
        owner: this.collectors,
      }),
    );
  }
}
