import type { Lab } from '../../simulators/lab.ts';
import type { WebRunners } from '../../simulators/admin/web/runners.ts';
import { bundledScenarios } from '../../scenarios/bundled.ts';
import { FAULT_CATALOG } from '../../scenarios/fault-catalog.ts';
import { labJobRunner } from './jobs.ts';

/** Everything the web view can run in this lab's process: demo-style jobs, the bundled scenarios, the fault catalog. */
export function labWebRunners(lab: Lab): WebRunners {
  return {
    jobs: labJobRunner(lab),
    scenarios: () => bundledScenarios().map(({ name, description }) => ({ name, description })),
    faultCatalog: () => FAULT_CATALOG,
  };
}
