import type { Duplex } from 'node:stream';
import type { ComponentContext } from '../../core/component.ts';
import type { ConnContext, Listener } from '../../core/net/listen.ts';
import type { LabWorld } from '../../world.ts';
import { runAuthd } from '../authd/authd-session.ts';
import { serveNfc } from './nfc-session.ts';

/**
 * Port 902 of an ESXi host: vmware-authd, then NFC disk access. Called from the ESXi component's
 * start(); faults: `ticket-rejected` (authd answers 530), `nfc-read-error` {offset} (a read covering
 * that offset fails with VIX_E_DISK_NOIO).
 */
export function startNfcServer(ctx: ComponentContext<LabWorld>): Promise<Listener> {
  return ctx.listenTcp({ listener: 'authd', realPort: 902, protocol: 'authd/nfc' }, (stream, conn, socket) => {
    // Small replies right after big fragments must not wait for a delayed ACK (Nagle).
    socket.setNoDelay(true);
    void serveConnection(ctx, stream, conn);
  });
}

async function serveConnection(ctx: ComponentContext<LabWorld>, raw: Duplex, conn: ConnContext): Promise<void> {
  try {
    const authd = await runAuthd(ctx, raw, conn);
    if (!authd) return;
    await serveNfc(authd.stream, authd.access, {
      world: ctx.world,
      faults: ctx.faults,
      component: ctx.name,
      conn,
      ssl: authd.service === 'ha-nfcssl',
      timeouts: ctx.timeouts,
    });
  } catch (err) {
    conn.trace('error', `902: ${(err as Error).message}`);
    raw.destroy();
  }
}
