import type { Lab } from '../../simulators/lab.ts';
import { AdminError } from '../../simulators/admin/errors.ts';
import type { JobRunner } from '../../simulators/admin/web/runners.ts';
import { DEMO_PLAN, type DemoStep } from '../demo/plan.ts';
import { demoProxies, runDemoStep, type DemoProxies } from '../demo/step-runner.ts';

const JOB_TYPES = ['vm-backup', 'sql-backup', 'sql-restore', 'dr-restore'];

/** `{"plan": "demo"}` or `{"jobs": [{type, params, proxy?: "standalone"}]}` as plan steps; anything else is a 400. */
function stepsOf(body: Record<string, unknown>): DemoStep[] {
  if (body.plan === 'demo') return DEMO_PLAN;
  if (body.plan !== undefined) throw new AdminError(400, 'bad_request', `unknown plan "${String(body.plan)}" (the one plan is "demo")`);
  if (!Array.isArray(body.jobs) || body.jobs.length === 0) throw new AdminError(400, 'bad_request', 'send {"plan": "demo"} or {"jobs": [{"type": "vm-backup", "params": {"vm": "web01"}}]}');
  return body.jobs.map((j: unknown, i: number) => {
    const job = (j ?? {}) as { type?: unknown; params?: unknown; proxy?: unknown };
    if (typeof job.type !== 'string' || !JOB_TYPES.includes(job.type)) throw new AdminError(400, 'bad_request', `jobs[${i}].type must be one of ${JOB_TYPES.join(', ')}`);
    if (job.params !== undefined && (typeof job.params !== 'object' || job.params === null || Array.isArray(job.params))) throw new AdminError(400, 'bad_request', `jobs[${i}].params must be an object`);
    if (job.proxy !== undefined && job.proxy !== 'standalone') throw new AdminError(400, 'bad_request', `jobs[${i}].proxy may only be "standalone"`);
    const params = (job.params ?? {}) as Record<string, unknown>;
    return { kind: 'job', title: `${job.type} ${JSON.stringify(params)}`, type: job.type, params, ...(job.proxy ? { proxy: 'standalone' as const } : {}) };
  });
}

/**
 * Runs jobs for the web page with the demo's simulated proxies inside the lab's process: steps run
 * one at a time, in the order asked, in the background; the page follows them through the cloud's
 * job list and the trace. A step that throws is noted in the trace and the rest still run.
 */
export function labJobRunner(lab: Lab): JobRunner {
  let proxies: DemoProxies | undefined;
  let queue: Promise<void> = Promise.resolve();
  lab.onStop(() => proxies?.close());
  return async (body) => {
    const steps = stepsOf(body);
    for (const step of steps) {
      queue = queue.then(async () => {
        proxies ??= demoProxies(lab);
        try {
          await runDemoStep(lab, proxies, step);
        } catch (err) {
          lab.trace.emit({ kind: 'note', from: 'admin', to: 'admin', port: 0, protocol: 'admin', summary: `web job "${step.title}" could not run: ${(err as Error).message}` });
        }
      });
    }
    return { accepted: steps.length, steps: steps.map((s) => s.title) };
  };
}
