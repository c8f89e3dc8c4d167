import { createWriteStream, type WriteStream } from 'node:fs';
import type { TraceBus } from './bus.ts';
import type { TraceEvent } from '../types.ts';

export function toJsonLine(event: TraceEvent): string {
  return JSON.stringify(event) + '\n';
}

/** Streams every event to a JSONL file as it happens, so a crash still leaves the trace up to that point. */
export class JsonlSink {
  private readonly stream: WriteStream;
  /** Events written so far. */
  count = 0;
  private readonly unsubscribe: () => void;

  constructor(bus: TraceBus, readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.unsubscribe = bus.subscribe((e) => {
      this.count++;
      this.stream.write(toJsonLine(e));
    });
  }

  close(): Promise<void> {
    this.unsubscribe();
    return new Promise((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
