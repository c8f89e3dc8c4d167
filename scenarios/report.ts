import type { ExpectationResult } from './expectations.ts';
import type { ScenarioReport, StepReport } from './runner.ts';

const indent = (text: string, pad: string) => text.split('\n').map((l, i) => (i === 0 ? l : pad + l)).join('\n');
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Expected and actual, one under the other (multi-line values stay aligned). */
function formatDiff(e: ExpectationResult, pad: string): string {
  return `${pad}expected: ${indent(show(e.expected), pad + '          ')}\n${pad}actual:   ${indent(show(e.actual), pad + '          ')}`;
}

/** A failed expectation as a small expected/actual diff under its name. */
export function formatFailure(e: ExpectationResult, pad = '      '): string {
  return `${pad}${e.what}\n${formatDiff(e, pad + '  ')}`;
}

/** One line per step (the CLI prints these as steps finish), then the failed expectations of that step. */
export function formatStep(s: StepReport): string {
  const label = `step ${s.index}${s.id ? ` ${s.id}` : ''}: ${s.type}`;
  const outcome = s.status === 'succeeded' ? 'succeeded' : `failed (${s.error?.errorClass})`;
  const head = `  ${s.passed ? 'ok  ' : 'FAIL'} ${label} ${outcome}, ${s.ms} ms${s.job ? `, job ${s.job.id} ${s.job.state}` : ''}`;
  const failed = s.expectations.filter((e) => !e.passed);
  return [head, ...failed.map((e) => formatFailure(e))].join('\n');
}

export function formatHeader(r: Pick<ScenarioReport, 'name' | 'description' | 'file'>): string {
  return `scenario ${r.name}${r.file ? ` (${r.file})` : ''}\n  ${r.description.trim().replace(/\s*\n\s*/g, ' ')}`;
}

export function formatSummary(r: ScenarioReport): string {
  const total = r.steps.reduce((n, s) => n + s.expectations.length, 0) + r.end.length;
  const end = r.end.map((e) => (e.passed ? `  ok   ${e.what}` : `  FAIL ${e.what}\n${formatDiff(e, '        ')}`));
  const notes = r.notes.map((n) => `  note: ${n}`);
  const verdict = r.passed ? `PASS ${r.name}: ${total} expectations held` : `FAIL ${r.name}: ${r.failures} of ${total} expectations failed`;
  return [...end, ...notes, `${verdict} (${(r.ms / 1000).toFixed(1)} s)`].join('\n');
}

/** The whole report as text (what `bpsim run` prints). */
export function formatReport(r: ScenarioReport): string {
  return [formatHeader(r), ...r.steps.map(formatStep), formatSummary(r)].join('\n') + '\n';
}
