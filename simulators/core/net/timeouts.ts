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
  /** authd on 902: the first command (TLS start) and each command after it must arrive within this (default 30 s); then the connection closes. */
  authdCommandMs?: number;
  /** NFC on 902: each message of the classic handshake and each part of a message must arrive within this (default 60 s). */
  nfcMessageMs?: number;
  /** NFC async-I/O phase: a session with no next message for this long is closed (default 120 s). */
  nfcIdleMs?: number;
  /** NFC: a peer that reads nothing of a reply for this long is cut (default 60 s). */
  nfcDrainMs?: number;
  /** RDP probe on 3389: the X.224 Connection Request must arrive within this (default 10 s). */
  rdpRequestMs?: number;
  /** SSH probe on 22: the client's identification line must arrive within this (default 10 s). */
  sshIdentMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<ServerTimeouts> = {
  handshakeMs: 10_000,
  headersMs: 30_000,
  requestMs: 300_000,
  idleMs: 30_000,
  authdCommandMs: 30_000,
  nfcMessageMs: 60_000,
  nfcIdleMs: 120_000,
  nfcDrainMs: 60_000,
  rdpRequestMs: 10_000,
  sshIdentMs: 10_000,
};

/** Fills defaults and refuses combinations node:http rejects (headers may not outlast the request). */
export function resolveTimeouts(t: ServerTimeouts = {}): Required<ServerTimeouts> {
  const r = { ...DEFAULT_TIMEOUTS, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) } as Required<ServerTimeouts>;
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`timeouts.${k} must be a positive number of milliseconds, got ${v}`);
  }
  if (r.headersMs > r.requestMs) throw new Error(`timeouts.headersMs (${r.headersMs}) may not exceed timeouts.requestMs (${r.requestMs})`);
  return r;
}
