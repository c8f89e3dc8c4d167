import { randomBytes } from 'node:crypto';

/** vSphere's HostServiceTicket as the NFC ticket service returns it, plus what the ticket covers. */
export interface NfcTicket {
  sessionId: string;
  /** ESXi hostname the ticket is for. */
  host: string;
  port: 902;
  /** SHA-1 thumbprint of that host's certificate (colon form); the client checks it before use. */
  sslThumbprint: string;
  service: 'vpxa-nfc';
  serviceVersion: '1.1';
  mode: 'read' | 'readwrite';
  vm: string;
  /** Datastore paths the ticket opens. */
  files: string[];
  expiresAt: number;
}

export type TicketProblem = 'unknown' | 'used' | 'expired' | 'wrong-host';

export class TicketError extends Error {
  constructor(readonly problem: TicketProblem, message: string) {
    super(message);
  }
}

export const DEFAULT_TICKET_TTL_MS = 10 * 60_000;

/** Single-use, expiring tickets: vCenter issues, the host's authd redeems. One store per lab. */
export class NfcTicketStore {
  private readonly tickets = new Map<string, NfcTicket & { used: boolean }>();

  issue(t: Omit<NfcTicket, 'sessionId' | 'expiresAt' | 'port' | 'service' | 'serviceVersion'>, ttlMs = DEFAULT_TICKET_TTL_MS): NfcTicket {
    this.sweep();
    const ticket: NfcTicket = {
      ...t,
      sessionId: `52${randomBytes(15).toString('hex')}`,
      port: 902,
      service: 'vpxa-nfc',
      serviceVersion: '1.1',
      expiresAt: Date.now() + ttlMs,
    };
    this.tickets.set(ticket.sessionId, { ...ticket, used: false });
    return ticket;
  }

  /** Validates and consumes a ticket presented to `host`. */
  redeem(sessionId: string, host: string): NfcTicket {
    const t = this.tickets.get(sessionId);
    if (!t) throw new TicketError('unknown', `unknown NFC ticket ${sessionId.slice(0, 8)}...`);
    if (t.used) throw new TicketError('used', 'NFC ticket was already used');
    if (Date.now() > t.expiresAt) throw new TicketError('expired', 'NFC ticket has expired');
    if (t.host !== host) throw new TicketError('wrong-host', `NFC ticket is for ${t.host}, not ${host}`);
    t.used = true;
    const { used: _used, ...ticket } = t;
    return ticket;
  }

  /** Ages a ticket (fault "ticket-expired" and tests). */
  expire(sessionId: string): void {
    const t = this.tickets.get(sessionId);
    if (t) t.expiresAt = 0;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, t] of this.tickets) if (t.expiresAt < now - 60_000) this.tickets.delete(id);
  }
}

declare module '../world.ts' {
  interface LabWorld {
    nfcTickets: NfcTicketStore;
  }
}
