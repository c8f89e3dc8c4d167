import { afterEach, describe, expect, test } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { TimingProfile } from '../../simulators/timing.ts';
import { timingOf } from '../../simulators/timing.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { VsphereClient } from '../../proxy/clients/vsphere/index.ts';
import { data, MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import { list, obj, ref, str } from '../../proxy/clients/vsphere/values.ts';
import { startTestLab } from '../helpers/lab.ts';
import { Command } from 'commander';
import { parseScenario } from '../../scenarios/loader.ts';
import { labOptionsOf } from '../../scenarios/runner.ts';
import { addLabOptions, toLabOptions, type LabCliOptions } from '../../bin/commands/lab-options.ts';

let lab: Lab | undefined;
let http: HttpsClient | undefined;
afterEach(async () => {
  http?.close();
  await lab?.stop();
  lab = http = undefined;
});

/** A vCenter-only lab of this profile and a logged-in client, over the wire like a proxy. */
async function vcenterOf(timing: TimingProfile): Promise<{ vc: VsphereClient; vm: MoRef }> {
  lab = await startTestLab({ timing, without: ['cloud', 'ntp', 'guests'] });
  http = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
  const vc = await VsphereClient.connect(http, 'vcenter.lab.test');
  await vc.login(lab.credentials.vcenter!.user, lab.credentials.vcenter!.password);
  return { vc, vm: (await vc.findVmByName('web01'))! };
}

const snapshot = (vc: VsphereClient, vm: MoRef) =>
  vc.soap.call('CreateSnapshot_Task', vm, { name: 'timing', memory: false, quiesce: false }).then((t) => ref(t));

/** TaskInfo's times, as the client reads them. */
async function taskTimes(vc: VsphereClient, task: MoRef) {
  const info = obj((await vc.props(task, ['info'])).info, 'TaskInfo');
  const t = (k: string) => Date.parse(str(info[k]) ?? 'NaN');
  return { state: str(info.state), queue: t('queueTime'), start: t('startTime'), complete: t('completeTime') };
}

/** Every info.state the property collector reports for the task, in order, until it ends. */
async function observedStates(vc: VsphereClient, task: MoRef): Promise<string[]> {
  const pc = ref(await vc.soap.call('CreatePropertyCollector', new MoRef('PropertyCollector', 'propertyCollector')));
  await vc.soap.call('CreateFilter', pc, {
    spec: data('PropertyFilterSpec', {
      propSet: [data('PropertySpec', { type: 'Task', all: false, pathSet: ['info.state'] })],
      objectSet: [data('ObjectSpec', { obj: task, skip: false })],
    }),
    partialUpdates: false,
  });
  const states: string[] = [];
  let version = '';
  while (states.at(-1) !== 'success' && states.at(-1) !== 'error') {
    const u = await vc.soap.call('WaitForUpdatesEx', pc, { version, options: data('WaitOptions', { maxWaitSeconds: 60 }) });
    if (!u) continue;
    version = str(obj(u).version) ?? version;
    for (const fs of list(obj(u).filterSet)) for (const os of list(obj(fs).objectSet)) for (const c of list(obj(os).changeSet)) states.push(String(str(obj(c).val)));
  }
  await vc.soap.call('DestroyPropertyCollector', pc);
  return states;
}

describe('timing profiles', () => {
  test('fast: a task has ended by the time its caller can ask (no simulated wait), times in order', async () => {
    const { vc, vm } = await vcenterOf('fast');
    const task = await snapshot(vc, vm);
    // The very next round trip after the *_Task answer: with no simulated durations the task is done.
    const t = await taskTimes(vc, task);
    expect(t.state).toBe('success');
    expect(t.queue).toBeLessThanOrEqual(t.start);
    expect(t.start).toBeLessThanOrEqual(t.complete);
    expect(await observedStates(vc, task)).toEqual(['success']);
    // Leases too: ready at once.
    expect(timingOf('fast').leaseInitMs).toBe(0);
  });

  test('realistic: a snapshot task goes queued -> running -> success and stays queued and running its documented times', async () => {
    const { vc, vm } = await vcenterOf('realistic');
    const task = await snapshot(vc, vm);
    const states = await observedStates(vc, task);
    expect(states.at(-1)).toBe('success');
    // The collector reports only the latest value at each wait, so what it shows is a subsequence of
    // queued -> running -> success (seeing "running" itself would depend on the client's round trip
    // being shorter than the task: the times below prove the running phase instead).
    const order = ['queued', 'running', 'success'];
    expect(states.map((s) => order.indexOf(s))).toEqual([...states.map((s) => order.indexOf(s))].sort());
    const t = await taskTimes(vc, task);
    const want = timingOf('realistic').task('CreateSnapshot_Task');
    expect(want.runMs).toBe(2_000); // docs/scenarios.md, "Timing profiles"
    // Timers fire no earlier than asked; 1 ms for the millisecond rounding of the three Date stamps.
    expect(t.start - t.queue).toBeGreaterThanOrEqual(want.queuedMs - 1);
    expect(t.complete - t.start).toBeGreaterThanOrEqual(want.runMs - 1);
  });

  test('a profile name the lab does not know is a clear error before anything starts', async () => {
    await expect(startTestLab({ timing: 'slow' as TimingProfile })).rejects.toThrow('timing must be one of fast, standard, realistic, not "slow"');
  });

  test('--timing reaches the lab options of bpsim up and demo; a profile it does not know is refused', () => {
    const parse = (args: string[]) => addLabOptions(new Command().exitOverride().configureOutput({ writeErr: () => {} })).parse(args, { from: 'user' }).opts<LabCliOptions>();
    expect(toLabOptions(parse(['--timing', 'fast'])).timing).toBe('fast');
    expect(toLabOptions(parse(['--timing', 'realistic'])).timing).toBe('realistic');
    expect(toLabOptions(parse([])).timing).toBeUndefined();
    expect(() => parse(['--timing', 'slow'])).toThrow(/Allowed choices are fast, standard, realistic/);
  });

  test("a scenario's lab.timing reaches the lab it starts; a profile it does not know is a schema error naming the field", () => {
    const yaml = (timing: string) => `name: t\ndescription: d\nlab: { timing: ${timing} }\nsteps:\n  - { type: vm-backup, vm: web01 }\n`;
    expect(labOptionsOf(parseScenario(yaml('realistic'))).timing).toBe('realistic');
    expect(() => parseScenario(yaml('slow'))).toThrow(/lab\.timing/);
  });
});
