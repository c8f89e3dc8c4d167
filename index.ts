/**
 * bpsim as a library: start a lab, drive a simulated backup proxy against it, set faults, query the
 * trace, and run YAML scenarios. The vitest fixture is `bpsim/vitest` (testing/vitest.ts).
 * docs/library.md has a complete example suite.
 */
export { startLab, type Lab, type LabOptions } from './simulators/lab.ts';
export type { TimingProfile } from './simulators/timing.ts';
export { BackupProxy, type JobOutcome, type JobType } from './proxy/backup-proxy.ts';
export { proxyConfigFor, type ProxyConfig, type LabSummaryLike } from './proxy/config.ts';
export { ProxyError, classify, type ErrorClass } from './proxy/errors.ts';
export type { VmBackupParams, VmBackupResult } from './proxy/flows/vm-backup.ts';
export type { SqlBackupParams, SqlBackupResult } from './proxy/flows/sql-backup.ts';
export type { SqlRestoreParams, SqlRestoreResult } from './proxy/flows/sql-restore.ts';
export type { DrRestoreParams, DrRestoreResult } from './proxy/flows/dr-restore.ts';
export { proxyFor, type ProxyOptions } from './testing/proxy.ts';
export { findEvents, waitForEvent, traceMark, type TraceQuery } from './testing/trace.ts';
export { setFault, withFault, type ActiveFault, type Fault, type FaultInput } from './testing/faults.ts';
export { runScenario, type ScenarioReport, type StepReport, type RunOptions } from './scenarios/runner.ts';
export { loadScenario, parseScenario, ScenarioError, type ScenarioProblem } from './scenarios/loader.ts';
export { bundledScenarios, type BundledScenario } from './scenarios/bundled.ts';
export { formatReport } from './scenarios/report.ts';
export type { ExpectationResult } from './scenarios/expectations.ts';
export type { Scenario, Step, StepExpect, TraceExpectation, ScenarioFault } from './scenarios/types.ts';
export { toMermaid } from './simulators/core/trace/mermaid.ts';
export { toJsonLine } from './simulators/core/trace/jsonl.ts';
export type { TraceEvent, TraceKind, Endpoint, Credentials } from './simulators/core/types.ts';
export { startAdmin, setScenarioRunner } from './simulators/admin/index.ts';
