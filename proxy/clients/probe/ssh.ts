import type { ProxyNet } from '../../net/proxy-net.ts';
import { printable, probeTcp, type ProbeOptions, type ProbeResult } from './tcp-probe.ts';

/** RFC 4253 4.2: servers may send other lines before the identification; bound how much we read. */
const MAX_PREAMBLE = 4096;

/** Reads the server's RFC 4253 identification line ("SSH-2.0-software comments") and reports it. */
export function probeSsh(net: ProxyNet, host: string, opts: ProbeOptions & { port?: number } = {}): Promise<ProbeResult & { banner?: string }> {
  let banner: string | undefined;
  return probeTcp(
    net,
    host,
    opts.port ?? 22,
    {
      read: {
        limit: MAX_PREAMBLE,
        frameLength: (buf) => {
          // The identification line is the first line that starts with "SSH-"; earlier lines are skipped.
          let start = 0;
          for (;;) {
            const nl = buf.indexOf(0x0a, start);
            if (nl < 0) return undefined;
            if (buf.subarray(start, start + 4).toString('latin1') === 'SSH-') return nl + 1;
            start = nl + 1;
          }
        },
      },
      judge: (frame) => {
        const lines = frame.toString('latin1').split('\n');
        const ident = lines[lines.length - 2]!.replace(/\r$/, '');
        if (ident.length + 2 > 255) return { recognized: false, detail: `identification line of ${ident.length + 2} bytes exceeds 255` };
        const m = /^SSH-([^-\s]+)-(\S+)(?: (.*))?$/.exec(ident);
        if (!m) return { recognized: false, detail: `malformed identification ${printable(Buffer.from(ident))}` };
        banner = ident;
        const ok = m[1] === '2.0' || m[1] === '1.99';
        return { recognized: ok, detail: `SSH: protocol ${m[1]}, software ${m[2]}${m[3] ? `, comments "${m[3]}"` : ''}${ok ? '' : ' (not SSH 2)'}` };
      },
      describeGarbage: printable,
    },
    opts,
  ).then((r) => ({ ...r, banner }));
}
