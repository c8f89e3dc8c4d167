import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { TraceBus } from '../../simulators/core/trace/bus.ts';
import { JsonlSink } from '../../simulators/core/trace/jsonl.ts';
import { toMermaid } from '../../simulators/core/trace/mermaid.ts';
import type { TraceEvent } from '../../simulators/core/types.ts';

/** `bpsim run ... | head` closes stdout early: stop quietly instead of crashing on EPIPE. */
export function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

export interface TraceOutputOptions {
  trace?: string;
  mermaid?: string;
}

/** `--trace out.jsonl` and `--mermaid out.md`, shared by the commands that run flows (run, demo). */
export function addTraceOutputOptions(cmd: Command): Command {
  return cmd
    .option('--trace <file>', 'write every trace event as JSON lines to this file (written as events happen)')
    .option('--mermaid <file>', 'write the trace as a Mermaid sequence diagram (a Markdown file) when the run ends');
}

export interface TraceOutput {
  /** Ends the JSONL stream and writes the diagram; returns the files written. */
  close(): Promise<string[]>;
}

/** Subscribes the requested sinks to a lab's trace bus (before the lab starts, so nothing is missed). */
export function startTraceOutput(bus: TraceBus, opts: TraceOutputOptions, title = 'bpsim trace'): TraceOutput {
  const jsonl = opts.trace ? new JsonlSink(bus, opts.trace) : undefined;
  const events: TraceEvent[] = [];
  const unsubscribe = opts.mermaid ? bus.subscribe((e) => events.push(e)) : () => {};
  let closed: Promise<string[]> | undefined;
  return {
    close() {
      closed ??= (async () => {
        unsubscribe();
        const written: string[] = [];
        if (jsonl) {
          await jsonl.close();
          written.push(jsonl.path);
        }
        if (opts.mermaid) {
          await writeFile(opts.mermaid, `# ${title}\n\n\`\`\`mermaid\n${toMermaid(events)}\`\`\`\n`);
          written.push(opts.mermaid);
        }
        return written;
      })();
      return closed;
    },
  };
}
