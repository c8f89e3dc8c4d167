import type { Fault, FaultRegistry } from '../core/faults/registry.ts';
import { defaultRefId, isKissCode, type NtpBehaviour, type NtpServerOptions } from './options.ts';

export interface ResolvedBehaviour {
  behaviour: NtpBehaviour;
  /** Faults that shaped this reply, with a note for the trace. */
  applied: { fault: Fault; note: string }[];
  /** Fault parameters that were unusable (traced as errors, then ignored or defaulted). */
  problems: string[];
}

/**
 * Combines the lab options with the faults active right now. Faults are taken (one use each) only
 * when they change this reply: a silent fault wins over everything, a kiss over the time fields.
 */
export function resolveBehaviour(faults: FaultRegistry, component: string, listener: string, options: NtpServerOptions): ResolvedBehaviour {
  const stratum = options.stratum ?? 2;
  const behaviour: NtpBehaviour = {
    offsetMs: options.offsetMs ?? 0,
    stratum,
    unsynchronized: options.unsynchronized ?? false,
    kod: options.kod,
    silent: options.silent ?? false,
    refId: options.refId ?? defaultRefId(stratum),
  };
  const applied: ResolvedBehaviour['applied'] = [];
  const problems: string[] = [];
  const take = (type: string) => faults.take(component, type, listener);

  const silent = take('ntp-silent');
  if (silent) {
    applied.push({ fault: silent, note: 'ntp-silent: request dropped' });
    return { behaviour: { ...behaviour, silent: true }, applied, problems };
  }
  if (behaviour.silent) return { behaviour, applied, problems };

  const kod = take('ntp-kod');
  if (kod) {
    const code = kod.params.code ?? 'RATE';
    if (!isKissCode(code)) problems.push(`ntp-kod fault: code must be four upper-case letters (RATE, DENY...), got ${JSON.stringify(code)}; sending RATE`);
    behaviour.kod = isKissCode(code) ? code : 'RATE';
    applied.push({ fault: kod, note: `ntp-kod: Kiss-o'-Death ${behaviour.kod}` });
    return { behaviour, applied, problems };
  }
  if (behaviour.kod) return { behaviour, applied, problems };

  const unsync = take('ntp-unsynchronized');
  if (unsync) {
    behaviour.unsynchronized = true;
    applied.push({ fault: unsync, note: 'ntp-unsynchronized: LI=3' });
  }
  const skew = take('ntp-skew');
  if (skew) {
    const offset = Number(skew.params.offsetMs);
    if (Number.isFinite(offset)) {
      behaviour.offsetMs = offset;
      applied.push({ fault: skew, note: `ntp-skew: clock offset ${signed(offset)} ms` });
    } else problems.push(`ntp-skew fault: offsetMs must be a number, got ${JSON.stringify(skew.params.offsetMs)}; ignored`);
  }
  return { behaviour, applied, problems };
}

export function signed(n: number): string {
  return n >= 0 ? `+${n}` : `${n}`;
}
