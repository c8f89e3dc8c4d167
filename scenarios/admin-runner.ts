import type { CoreLab } from '../simulators/core/lab.ts';
import type { Lab } from '../simulators/lab.ts';
import { AdminError } from '../simulators/admin/errors.ts';
import type { ScenarioRunner } from '../simulators/admin/scenario-hook.ts';
import { bundledScenarioPath } from './bundled.ts';
import { loadScenario, parseScenario, ScenarioError } from './loader.ts';
import { runScenario, type ScenarioReport } from './runner.ts';
import type { Scenario } from './types.ts';

let queue: Promise<unknown> = Promise.resolve();

/**
 * `POST /scenarios/run` of the admin API: `{"scenario": "<bundled name>"}`, or `{"yaml": "<scenario
 * text>"}`, or `{"scenario": {...}}` (the YAML's structure as JSON). The scenario runs in the
 * admin's own lab (the runner starts no other); runs are serialized so two never share the job
 * queue. Answers the report (`passed` says whether every expectation held).
 */
export const adminScenarioRunner: ScenarioRunner = async (lab, body) => {
  const { scenario, file } = await scenarioFromBody(body);
  checkLab(lab);
  const run = queue.then(() => runScenario(scenario, { lab: lab as Lab }));
  queue = run.catch(() => {});
  const report: ScenarioReport = await run;
  return file ? { ...report, file } : report;
};

async function scenarioFromBody(body: Record<string, unknown>): Promise<{ scenario: Scenario; file?: string }> {
  try {
    if (typeof body.yaml === 'string') return { scenario: parseScenario(body.yaml, '<request body yaml>') };
    if (typeof body.scenario === 'string') {
      if (!bundledScenarioPath(body.scenario)) throw new AdminError(404, 'unknown_scenario', `no bundled scenario named "${body.scenario}" (bpsim list shows them; or send {"yaml": "..."})`);
      return loadScenario(body.scenario);
    }
    if (body.scenario && typeof body.scenario === 'object') return { scenario: parseScenario(JSON.stringify(body.scenario, null, 1), '<request body scenario>') };
  } catch (err) {
    if (err instanceof ScenarioError) throw new AdminError(400, 'invalid_scenario', err.message);
    throw err;
  }
  throw new AdminError(400, 'bad_request', 'send {"scenario": "<bundled name>"}, {"scenario": {...}} or {"yaml": "<scenario text>"}');
}

function checkLab(lab: CoreLab<unknown>): void {
  const world = lab.world as Partial<Lab['world']> | undefined;
  if (!world?.inventory || !world.cloud) throw new AdminError(409, 'lab_incomplete', 'this lab has no vSphere inventory or no cloud: scenarios need the whole lab (bpsim up)');
}
