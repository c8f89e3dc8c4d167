import { data, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** DiagnosticManager: the product's log files, each a few generated lines (BrowseDiagnosticLog pages them). */
export class DiagnosticManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'DiagnosticManager', id);
  }

  private logs(): { key: string; fileName: string; creator: string }[] {
    return this.engine.flavor === 'vcenter'
      ? [
          { key: 'vpxd:vpxd.log', fileName: '/var/log/vmware/vpxd/vpxd.log', creator: 'vpxd' },
          { key: 'vpxd-profiler:vpxd-profiler.log', fileName: '/var/log/vmware/vpxd/vpxd-profiler.log', creator: 'vpxd' },
        ]
      : [
          { key: 'hostd', fileName: '/var/log/hostd.log', creator: 'hostd' },
          { key: 'vmkernel', fileName: '/var/log/vmkernel.log', creator: 'vmkernel' },
          { key: 'vpxa', fileName: '/var/log/vpxa.log', creator: 'vpxa' },
        ];
  }

  private host(args: Args): void {
    const h = args.optRef('host', 'HostSystem');
    if (h) this.engine.require(h);
  }

  QueryDescriptions(args: Args): DataObject[] {
    this.host(args);
    return this.logs().map((l) =>
      data('DiagnosticManagerLogDescriptor', { ...l, format: 'plain', mimeType: 'text/plain', info: data('Description', { label: l.creator, summary: `${l.creator} log` }) }),
    );
  }

  BrowseDiagnosticLog(args: Args): DataObject {
    this.host(args);
    const key = args.str('key');
    const log = this.logs().find((l) => l.key === key);
    if (!log) throw Faults.invalidArgument('key', `no log ${key}`);
    const all = Array.from({ length: 50 }, (_, i) => `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z info ${log.creator}[1000] [Originator@6876 sub=Default] bpsim log line ${i + 1}`);
    const start = args.optInt('start') ?? 1;
    const lines = args.optInt('lines') ?? all.length;
    if (start < 1 || lines < 0) throw Faults.invalidArgument(start < 1 ? 'start' : 'lines');
    const text = all.slice(start - 1, start - 1 + lines);
    return data('DiagnosticManagerLogHeader', { lineStart: start, lineEnd: start + text.length - 1, lineText: text });
  }
}
