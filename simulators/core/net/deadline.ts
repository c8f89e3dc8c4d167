/** A pending deadline; `clear` once what it guards is done. */
export interface Deadline {
  clear(): void;
}

/**
 * A per-connection deadline judged after the I/O already waiting, as nginx judges its timers
 * (events first, then expired timers). A timer fires late when the event loop was busy with other
 * work (a large request on another connection); judged at once, it cuts a peer whose bytes came in
 * time but are not read yet: a client that had finished its TLS handshake and sent a request got a
 * reset instead of an answer (issue 17, found by `npm run fuzz` on a loaded lab). Deferred by one
 * setImmediate, the expiry runs after the poll phase has read those bytes, and the caller's own
 * `clear` (from the handler that read them) has already cancelled it.
 */
export function ioDeadline(ms: number, expire: () => void): Deadline {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => (immediate = setImmediate(expire)), ms);
  return {
    clear: () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}
