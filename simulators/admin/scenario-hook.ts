import type { CoreLab } from '../core/lab.ts';
import { AdminError } from './errors.ts';

/**
 * Runs one scenario against a running lab for `POST /scenarios/run`: gets the JSON request body,
 * returns the JSON result (throw AdminError for a 4xx such as an unknown scenario or invalid file).
 */
export type ScenarioRunner = (lab: CoreLab<unknown>, request: Record<string, unknown>) => Promise<unknown>;

let runner: ScenarioRunner | undefined;

/** The one hook the scenario room installs (or removes with undefined); until then the endpoint answers 501. */
export function setScenarioRunner(fn: ScenarioRunner | undefined): void {
  runner = fn;
}

export async function runScenario(lab: CoreLab<unknown>, request: Record<string, unknown>): Promise<unknown> {
  if (!runner) {
    throw new AdminError(
      501,
      'not_implemented',
      'running scenarios through the admin API is not available yet: no scenario runner is installed in this process (setScenarioRunner). Set faults with POST /faults meanwhile.',
    );
  }
  return runner(lab, request);
}
