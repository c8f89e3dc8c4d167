import { NfcConnection, NfcClientError } from '../clients/nfc/index.ts';
import type { VsphereClient } from '../clients/vsphere/index.ts';
import type { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import type { FlowContext } from './context.ts';

/**
 * An NFC connection on 902 the way VDDK gets one: a ticket from vCenter's NFC ticket service, the
 * host certificate checked against the ticket's thumbprint, then authd and NFC. A rejected or
 * expired ticket is retried once with a fresh ticket (tickets are single-use and expire).
 */
export async function openNfc(ctx: FlowContext, vs: VsphereClient, vm: MoRef, mode: 'read' | 'readwrite', diskKey?: number): Promise<NfcConnection> {
  for (let attempt = 1; ; attempt++) {
    const ticket = await vs.nfcTicket(vm, mode, diskKey);
    try {
      const conn = await NfcConnection.open(
        ctx.net,
        { host: ticket.host, port: ticket.port, sslThumbprint: ticket.sslThumbprint, sessionId: ticket.sessionId },
        { ssl: ctx.config.transport === 'nbdssl' },
      );
      ctx.log(`NFC session on ${ticket.host}:${ticket.port} (${ctx.config.transport.toUpperCase()}, ${mode})`);
      return conn;
    } catch (err) {
      const retry = attempt === 1 && err instanceof NfcClientError && err.kind === 'AUTHD';
      if (!retry) throw err;
      ctx.log(`902 refused the ticket (${err.message}); asking vCenter for a new one`, 'warn');
    }
  }
}
