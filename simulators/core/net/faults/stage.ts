/**
 * The one interface every connection-fault transform implements (Toxiproxy's "toxic"): a stage sits
 * on one direction of a connection and passes bytes on by calling `forward`, which resolves when the
 * next hop accepted them. Stages are made per connection, so they may keep state (a token bucket,
 * a byte count); nothing is shared between connections or labs.
 */
export interface ByteStage {
  /** Takes one chunk; resolves when the stage is ready for the next one (that is the backpressure). */
  write(chunk: Buffer): void | Promise<void>;
  /** Resolves once everything accepted has been forwarded (the stream is ending). */
  flush?(): Promise<void>;
  /** The connection is gone: cancel timers. */
  close?(): void;
}

export type Forward = (bytes: Buffer) => Promise<void>;

/** upstream = client to server, downstream = server to client (Toxiproxy's naming). */
export type Direction = 'upstream' | 'downstream';
export const DIRECTIONS = ['upstream', 'downstream', 'both'] as const;
export type DirectionParam = (typeof DIRECTIONS)[number];

/** What a stage may do to its connection besides forwarding bytes. */
export interface ConnControl {
  /** Sends a TCP RST to the client and drops the connection. */
  reset(): void;
  /** Reports what the fault did (a trace `fault` event on the connection). */
  note(summary: string): void;
}

export type StageFactory = (forward: Forward, direction: Direction) => ByteStage;

/** A transform fault: checks its params once, then builds stages for each new connection. */
export interface TransformFault<P> {
  type: string;
  /** Parses and checks params; throws FaultParamsError naming the bad field. */
  parse(params: Record<string, unknown>): P;
  /** Which directions the fault acts on. */
  direction(params: P): DirectionParam;
  /** One call per connection: the factory is called once per direction it acts on. */
  stages(params: P, conn: ConnControl): StageFactory;
}

export class FaultParamsError extends Error {
  constructor(
    readonly type: string,
    readonly field: string,
    message: string,
  ) {
    super(`${type}: ${field} ${message}`);
  }
}

/** Waits `ms` unless the stage is closed first (then never resolves: the connection is gone anyway). */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return;
      const t = setTimeout(() => {
        this.pending.delete(t);
        resolve();
      }, Math.max(0, ms));
      this.pending.add(t);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}
