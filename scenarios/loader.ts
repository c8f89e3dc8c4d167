import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { scenarioSchema, STEP_TYPES } from './schema.ts';
import type { LoadedScenario, Scenario, Step } from './types.ts';
import { bundledScenarioPath } from './bundled.ts';

/** One problem in a scenario file: `file:line: field: message`. */
export interface ScenarioProblem {
  line: number;
  column: number;
  field: string;
  message: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(problems.map((p) => `${file}:${p.line}: ${p.field ? p.field + ': ' : ''}${p.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

// Compiled on first use: compiling the schema takes longer than starting a lab, and `bpsim up` may never load a scenario.
let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // ajv (CommonJS) is required here, not imported at the top, so starting a lab does not load it.
  const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
  return (compiled ??= new Ajv({ allErrors: true, discriminator: true, strict: false, verbose: true }).compile(scenarioSchema));
}

type PathPart = string | number;

/** "steps[2].type" from ['steps', 2, 'type']. */
export function fieldName(path: PathPart[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Parses and validates scenario text. Every problem (YAML syntax, schema, references between steps,
 * regular expressions) names the line and field; all of them are reported at once.
 */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const pos = at(e.pos[0]);
        return { line: pos.line, column: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const data = doc.toJS() as unknown;
  const problems: ScenarioProblem[] = [];
  const problem = (path: PathPart[], message: string, key = false) => {
    const node = nodeAt(doc, path, key);
    const pos = at(node?.range?.[0] ?? 0);
    problems.push({ line: pos.line, column: pos.col, field: fieldName(path), message });
  };
  const validate = validator();
  if (!validate(data)) {
    for (const err of usefulErrors(validate.errors ?? [])) {
      const path = pointerToPath(err.instancePath);
      if (err.keyword === 'additionalProperty' || err.keyword === 'additionalProperties') {
        const extra = String((err.params as { additionalProperty: string }).additionalProperty);
        problem([...path, extra], `unknown field "${extra}"${suggest(extra, allowedKeys(err))}`, true);
      } else if (err.keyword === 'required') {
        problem(path, `missing required field "${(err.params as { missingProperty: string }).missingProperty}"`);
      } else if (err.keyword === 'enum') {
        problem(path, `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`);
      } else if (err.keyword === 'discriminator') {
        problem([...path, 'type'], `must be one of ${STEP_TYPES.join(', ')}`);
      } else {
        problem(path, err.message ?? err.keyword);
      }
    }
  } else {
    checkReferences(data as Scenario, problem);
  }
  if (problems.length) throw new ScenarioError(file, dedupe(problems));
  return data as Scenario;
}

/** Reads a scenario by path, or by the name of a bundled scenario. */
export async function loadScenario(fileOrName: string): Promise<LoadedScenario> {
  const file = existsSync(fileOrName) ? fileOrName : bundledScenarioPath(fileOrName);
  if (!file) throw new Error(`no scenario file or bundled scenario named "${fileOrName}" (bpsim list shows the bundled ones)`);
  const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
  const scenario = parseScenario(await readFile(file, 'utf8'), shown);
  return { scenario, file: shown };
}

/** Checks what the schema cannot: step ids unique, references to earlier steps, regular expressions, times. */
function checkReferences(s: Scenario, problem: (path: PathPart[], message: string) => void): void {
  const ids = new Map<string, number>();
  s.steps.forEach((st, i) => {
    if (!st.id) return;
    if (ids.has(st.id)) problem(['steps', i, 'id'], `duplicate step id "${st.id}" (also steps[${ids.get(st.id)}])`);
    else ids.set(st.id, i);
  });
  const before = (ref: string, i: number, path: PathPart[], want?: Step['type']) => {
    const j = ids.get(ref);
    if (j === undefined) problem(path, `no step with id "${ref}"${suggest(ref, [...ids.keys()])}`);
    else if (j >= i) problem(path, `step "${ref}" must come before steps[${i}]`);
    else if (want && s.steps[j]!.type !== want) problem(path, `step "${ref}" is a ${s.steps[j]!.type} step, not ${want}`);
  };
  const regexAt = (value: string | undefined, path: PathPart[]) => {
    if (value === undefined) return;
    try {
      new RegExp(value);
    } catch (err) {
      problem(path, `not a valid regular expression: ${(err as Error).message}`);
    }
  };
  const traceChecks = (list: { summary?: string }[] | undefined, path: PathPart[]) =>
    list?.forEach((t, k) => regexAt(t.summary, [...path, k, 'summary']));
  s.steps.forEach((st, i) => {
    if (st.type === 'sql-restore' && st.pointInTime) {
      if ('after' in st.pointInTime) before(st.pointInTime.after, i, ['steps', i, 'pointInTime', 'after'], 'sql-transactions');
      else if (Number.isNaN(Date.parse(st.pointInTime.time))) problem(['steps', i, 'pointInTime', 'time'], 'must be an ISO-8601 time, e.g. 2026-11-25T08:00:00Z');
    }
    if (st.type === 'dr-restore') {
      if (st.from) before(st.from, i, ['steps', i, 'from'], 'vm-backup');
      else if (!st.vm) problem(['steps', i], 'a dr-restore step needs "vm" or "from" (the id of a vm-backup step)');
    }
    if (st.type === 'vm-backup' && st.takeOver) before(st.takeOver, i, ['steps', i, 'takeOver'], 'abandon-job');
    regexAt(st.expect?.message, ['steps', i, 'expect', 'message']);
    regexAt(st.expect?.log, ['steps', i, 'expect', 'log']);
    traceChecks(st.expect?.trace, ['steps', i, 'expect', 'trace']);
    if (st.expect?.errorClass && st.expect.outcome === 'succeeded') problem(['steps', i, 'expect', 'errorClass'], 'an errorClass means the step fails: drop "outcome: succeeded"');
  });
  // The admin API answers a fault on an absent component with 404 unknown_target; a scenario's
  // fault on a component its own lab leaves out is the same mistake, rejected before any lab starts.
  const without = new Set<string>(s.lab?.without ?? []);
  const leftOut = (component: string) => without.has(component) || (without.has('guests') && component.startsWith('guest-'));
  s.faults?.forEach((f, i) => {
    const component = f.target.split(':')[0]!;
    if (f.target !== '*' && leftOut(component)) problem(['faults', i, 'target'], `no component "${component}" in this lab: the scenario's lab.without leaves it out`);
    if (f.from) before(f.from, Infinity, ['faults', i, 'from']);
    if (f.until) before(f.until, Infinity, ['faults', i, 'until']);
    if (f.from && f.until && (ids.get(f.from) ?? 0) > (ids.get(f.until) ?? Infinity)) problem(['faults', i, 'until'], `step "${f.until}" comes before "${f.from}"`);
  });
  traceChecks(s.expect?.trace, ['expect', 'trace']);
}

/** The YAML node at a path (or the key of the last part), or the closest existing parent. */
function nodeAt(doc: Document, path: PathPart[], key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const [i, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === part);
      if (!pair) break;
      if (key && i === path.length - 1) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
    } else break;
    if (node) found = node as Node;
  }
  return found;
}

function pointerToPath(pointer: string): PathPart[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Drops the noise of union schemas: when a oneOf fails, ajv reports each branch; the branch-specific
 * errors say more than "must match exactly one schema", so that one is kept only when it is alone.
 */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'oneOf' && !specific.some((s) => s.instancePath.startsWith(e.instancePath))) out.push(e);
    else if (e.keyword !== 'oneOf' && e.keyword !== 'if') out.push(e);
  }
  // An object given where a union also allows a number: the object branch's error is the useful one.
  return out.filter((e) => !(e.keyword === 'type' && out.some((o) => o.instancePath.startsWith(e.instancePath + '/'))));
}

function allowedKeys(err: ErrorObject): string[] {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** " (did you mean x?)" for a near miss. */
function suggest(word: string, candidates: string[]): string {
  const close = candidates
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(word.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return close ? ` (did you mean "${close.c}"?)` : candidates.length && candidates.length <= 12 ? ` (allowed: ${candidates.join(', ')})` : '';
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function dedupe(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const k = `${p.line}|${p.field}|${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}
