import { probeRdp } from '../clients/probe/rdp.ts';
import { probeSsh } from '../clients/probe/ssh.ts';
import type { FlowContext } from './context.ts';

export interface GuestProbe {
  kind: 'rdp' | 'ssh';
  host: string;
  port: number;
  state: 'open' | 'closed' | 'filtered' | 'skipped';
  detail: string;
}

/**
 * The guest family to probe for: VMware Tools report `guest.guestFamily` only while they run, so a
 * Windows VM without Tools (or one just restored and booting) is known by its configured guestId.
 */
export function guestFamilyOf(guestFamily: string | undefined, guestId: string | undefined): string {
  return guestFamily ?? (/^win/i.test(guestId ?? '') ? 'windowsGuest' : 'linuxGuest');
}

/** RDP for Windows guests, SSH for the rest: what a DR test checks later. */
export async function probeGuest(ctx: FlowContext, family: string | undefined, ip: string | undefined): Promise<GuestProbe> {
  const kind = family === 'windowsGuest' ? 'rdp' : 'ssh';
  const port = kind === 'rdp' ? 3389 : 22;
  if (!ip) return { kind, host: '', port, state: 'skipped', detail: 'the VM reports no IP address (powered off or no VMware Tools)' };
  const r = kind === 'rdp' ? await probeRdp(ctx.net, ip, { timeoutMs: ctx.config.timeouts.probe }) : await probeSsh(ctx.net, ip, { timeoutMs: ctx.config.timeouts.probe });
  return { kind, host: ip, port, state: r.state, detail: r.detail };
}
