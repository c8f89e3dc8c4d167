/**
 * How long a server waits on a client, per connection (docs/reliability.md lists them per listener).
 * One set per lab, so a test can make every listener give up in well under a second.
 */
export interface ServerTimeouts {
  /** A TLS handshake must finish within this (default 10 s). */
  handshakeMs?: number;
  /**
   * Complete request headers must arrive within this, counted from the connection's start for the
   * first request (so a TLS session that never sends a request closes too) and from the first byte
   * of each later one (default 30 s). 408 and close.
   */
  headersMs?: number;
  /** The whole request, headers and body, must arrive within this (default 300 s). 408 and close. */
  requestMs?: number;
  /** An open keep-alive connection with no request in progress closes after this (default 30 s). */
  idleMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<ServerTimeouts> = { handshakeMs: 10_000, headersMs: 30_000, requestMs: 300_000, idleMs: 30_000 };

/** Fills defaults and refuses combinations node:http rejects (headers may not outlast the request). */
export function resolveTimeouts(t: ServerTimeouts = {}): Required<ServerTimeouts> {
  const r = { ...DEFAULT_TIMEOUTS, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) } as Required<ServerTimeouts>;
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`timeouts.${k} must be a positive number of milliseconds, got ${v}`);
  }
  if (r.headersMs > r.requestMs) throw new Error(`timeouts.headersMs (${r.headersMs}) may not exceed timeouts.requestMs (${r.requestMs})`);
  return r;
}
