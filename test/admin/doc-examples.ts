import { connect } from 'node:net';
import { run, type RunResult } from '../helpers/run.ts';

/** One curl example of docs/admin-api.md: the command line and the output block after it. */
export interface DocExample {
  command: string;
  expected: string;
  /** Character range of the output block's body in the document (for rewriting it). */
  outputStart: number;
  outputEnd: number;
}

export const DOC_PATH = new URL('../../docs/admin-api.md', import.meta.url);

/** Every ```sh block holding one `curl ...` line, paired with the code block that follows it. */
export function parseDocExamples(markdown: string): DocExample[] {
  const examples: DocExample[] = [];
  const block = /```(\w*)[^\n]*\n([\s\S]*?)```/g;
  const blocks = [...markdown.matchAll(block)];
  for (let i = 0; i < blocks.length - 1; i++) {
    const [, lang, body] = blocks[i]!;
    if (lang !== 'sh' || !body!.trim().startsWith('curl ')) continue;
    const out = blocks[i + 1]!;
    const outputStart = out.index! + out[0].indexOf('\n') + 1;
    examples.push({ command: body!.trim(), expected: out[2]!, outputStart, outputEnd: outputStart + out[2]!.length });
  }
  return examples;
}

/** Splits a shell-like command line (single and double quotes, $BPSIM_ADMIN expanded); no shell is run. */
export function commandArgs(command: string, adminUrl: string): string[] {
  const args: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(command))) {
    const [, single, double, bare] = m;
    args.push(single ?? (double ?? bare!).replace(/\$\{?BPSIM_ADMIN\}?/g, adminUrl));
  }
  return args;
}

/** Runs one documented curl line with the real binary; for the event stream, makes something happen meanwhile. */
export async function runExample(command: string, adminUrl: string): Promise<RunResult> {
  const [cmd, ...args] = commandArgs(command, adminUrl);
  if (cmd !== 'curl') throw new Error(`doc example is not a curl command: ${command}`);
  // No deadline of its own: a documented scenario run is a whole backup, which took over 20 s at
  // load 17 here; run()'s hang guard still ends a curl that never returns.
  const running = run(cmd, args);
  if (command.includes('/trace/stream')) setTimeout(() => void connectToFaultedListener(adminUrl), 1_000);
  return running;
}

/** A client connection to the listener the doc's fault example targets (found through the admin API). */
async function connectToFaultedListener(adminUrl: string): Promise<void> {
  const auth = { authorization: 'Basic ' + Buffer.from('admin:bpsim').toString('base64') };
  const [fault] = (await (await fetch(`${adminUrl}/faults`, { headers: auth })).json()).faults;
  if (!fault) return;
  const [component, listener] = String(fault.target).split(':');
  const { endpoints } = await (await fetch(`${adminUrl}/topology`, { headers: auth })).json();
  const e = endpoints.find((x: { component: string; listener: string }) => x.component === component && (!listener || x.listener === listener));
  if (!e) return;
  await new Promise<void>((resolve) => {
    const s = connect({ host: e.bindAddress, port: e.port }, () => setTimeout(() => (s.destroy(), resolve()), 300));
    s.once('error', () => resolve());
  });
}

const MAX_LINES = 30;

/** How the doc shows an output: JSON pretty-printed (JSON lines as they are), long outputs cut with a final "…" line. */
export function formatOutput(stdout: string, command: string): string {
  let text = stdout.replace(/\s+$/, '');
  try {
    if (!/\/trace[?"]/.test(command) && (text.startsWith('{') || text.startsWith('['))) text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // JSONL or text: shown as it came.
  }
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) return [...lines.slice(0, MAX_LINES), `… (${lines.length - MAX_LINES} more lines)`].join('\n') + '\n';
  return text + '\n';
}

const topLevelKeys = (pretty: string) => [...pretty.matchAll(/^ {2}"([^"]+)":/gm)].map((m) => m[1]!);

/**
 * Compares a fresh output with the documented one by shape, since ports, times and addresses
 * differ per run: same top-level keys and error code for JSON, JSON lines with the same keys,
 * the same first line for PEM and event streams, the same text otherwise.
 */
export function outputProblems(expected: string, actual: string): string[] {
  // Line endings are not shape: node-forge writes PEM with CRLF, a doc page may keep LF.
  const exp = expected.replace(/\r\n/g, '\n').replace(/\n… \(\d+ more lines\)\n?$/, '\n').trim();
  const act = actual.replace(/\r\n/g, '\n').trim();
  const firstExp = exp.split('\n')[0]!;
  if (firstExp === '{') {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(act);
    } catch {
      return [`expected a JSON object, got: ${act.slice(0, 200)}`];
    }
    const problems = topLevelKeys(exp)
      .filter((k) => !(k in parsed))
      .map((k) => `missing key "${k}" in ${act.slice(0, 200)}`);
    const code = /^ {2}"code": "([^"]+)"/m.exec(exp)?.[1];
    if (code && parsed.code !== code) problems.push(`expected code "${code}", got ${JSON.stringify(parsed.code)}`);
    return problems;
  }
  if (firstExp.startsWith('{')) {
    const keys = Object.keys(JSON.parse(firstExp));
    const lines = act.split('\n').filter(Boolean);
    if (lines.length === 0) return ['expected JSON lines, got nothing'];
    return lines.flatMap((l) => {
      try {
        const o = JSON.parse(l);
        return keys.filter((k) => !(k in o)).map((k) => `line lacks "${k}": ${l.slice(0, 200)}`);
      } catch {
        return [`not a JSON line: ${l.slice(0, 200)}`];
      }
    });
  }
  if (firstExp.startsWith('-----BEGIN') || firstExp.startsWith(':')) {
    return act.split('\n')[0] === firstExp ? [] : [`expected first line ${firstExp}, got ${act.split('\n')[0]}`];
  }
  return act === exp ? [] : [`expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`];
}
