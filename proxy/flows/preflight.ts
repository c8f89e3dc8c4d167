import { sntpQuery } from '../clients/ntp/sntp-client.ts';
import { ProxyError } from '../errors.ts';
import type { FlowContext } from './context.ts';

export interface ClockCheck {
  offsetMs: number;
  delayMs: number;
  stratum: number;
  status: 'ok' | 'warn';
}

/**
 * The start of every job: the proxy's clock against the lab's NTP server. Skew above maxSkewMs
 * fails the job (tickets, tokens and point-in-time restores all depend on time); above warnSkewMs
 * it warns. An NTP server that answers Kiss-o'-Death, is unsynchronized or silent fails the check.
 */
export async function checkClock(ctx: Pick<FlowContext, 'config' | 'net' | 'log'>): Promise<ClockCheck | null> {
  const ntp = ctx.config.ntp;
  if (!ntp) return null;
  let r;
  try {
    r = await sntpQuery(ctx.net, ntp.host, { timeoutMs: ntp.timeoutMs ?? 3_000 });
  } catch (err) {
    throw new ProxyError('ntp-unavailable', `clock check against ${ntp.host} failed: ${(err as Error).message}`, {}, { cause: err });
  }
  if (!r.usable) {
    // The problem already names a Kiss-o'-Death and its code: the message says it once.
    throw new ProxyError('ntp-unavailable', `clock check against ${ntp.host}: ${r.problem ?? 'reply not usable'}`, { kod: r.kod, leap: r.leap });
  }
  const skew = Math.abs(r.offsetMs);
  if (skew > ntp.maxSkewMs) {
    throw new ProxyError('clock-skew', `the proxy clock is ${Math.round(r.offsetMs)} ms off ${ntp.host} (more than the ${ntp.maxSkewMs} ms allowed): fix the time before backing up`, { offsetMs: r.offsetMs });
  }
  const status = skew > ntp.warnSkewMs ? 'warn' : 'ok';
  ctx.log(`clock ${status === 'ok' ? 'in sync' : 'skewed'}: offset ${r.offsetMs.toFixed(1)} ms, delay ${r.delayMs.toFixed(1)} ms, stratum ${r.stratum} (${ntp.host})`, status === 'ok' ? 'info' : 'warn');
  return { offsetMs: r.offsetMs, delayMs: r.delayMs, stratum: r.stratum, status };
}
