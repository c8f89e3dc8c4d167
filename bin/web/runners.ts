import type { Lab } from '../../simulators/lab.ts';
import type { JobRunner, WebRunners } from '../../simulators/admin/web/runners.ts';
import { bundledScenarios } from '../../scenarios/bundled.ts';
import { FAULT_CATALOG } from '../../scenarios/fault-catalog.ts';

/** Everything the web view can run in this lab's process: demo-style jobs, the bundled scenarios, the fault catalog. */
export function labWebRunners(lab: Lab): WebRunners {
  // The simulated proxy and its flows load with the first job, not at every `bpsim up` (docs/performance.md, "CLI start").
  let jobs: Promise<JobRunner> | undefined;
  return {
    jobs: async (request) => (await (jobs ??= import('./jobs.ts').then((m) => m.labJobRunner(lab))))(request),
    scenarios: () => bundledScenarios().map(({ name, description }) => ({ name, description })),
    faultCatalog: () => FAULT_CATALOG,
  };
}
