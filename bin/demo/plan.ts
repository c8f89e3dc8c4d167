import type { Lab } from '../../simulators/lab.ts';

/** One demo step: either a job the cloud hands to a proxy, or something that happens in the lab. */
export type DemoStep =
  | { kind: 'job'; title: string; type: string; params: Record<string, unknown>; proxy?: 'standalone' }
  | { kind: 'world'; title: string; run(lab: Lab): string };

function vmMoid(lab: Lab, name: string): string {
  const vm = lab.world.inventory.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`the demo needs VM ${name} in the inventory`);
  return vm.moid;
}

/**
 * The VMs the plan backs up and restores: `windows` (full, incremental, DR with an RDP probe) and
 * `linux` (through the standalone-ESXi proxy, DR with an SSH probe). SQL jobs always use sql01,
 * the lab's SQL Server. The demo uses the lab's own VMs; a test can pass small extra ones.
 */
export interface DemoVms {
  windows: string;
  linux: string;
}

/** The whole chain, in the order an operator would run it. */
export function demoPlan({ windows: w, linux: l }: DemoVms = { windows: 'sql01', linux: 'web01' }): DemoStep[] {
  return [
    { kind: 'job', title: `Full backup of ${w} (VADP: CBT, quiesced snapshot, NFC on 902)`, type: 'vm-backup', params: { vm: w } },
    {
      kind: 'world',
      title: `The guest changes 5% of ${w}'s disks`,
      run: (lab) => {
        const bytes = lab.world.disks.forVm(vmMoid(lab, w)).reduce((n, d) => n + d.guestWrite({ percent: 5, extents: 6, seed: 'demo' }).bytes, 0);
        return `${(bytes / 2 ** 20).toFixed(1)} MiB written in the guest`;
      },
    },
    { kind: 'job', title: `Incremental backup of ${w} (only changed blocks)`, type: 'vm-backup', params: { vm: w } },
    { kind: 'job', title: `Full backup of ${l} through a proxy registered to standalone ESXi`, type: 'vm-backup', params: { vm: l }, proxy: 'standalone' },
    { kind: 'job', title: 'App-aware SQL full backup of sql01 (inject guestossvc, VSS)', type: 'sql-backup', params: { vm: 'sql01', type: 'full' } },
    {
      kind: 'world',
      title: 'SalesDB runs 200 transactions',
      run: (lab) => {
        lab.world.sql.server('sql01')!.runTransactions('MSSQLSERVER', 'SalesDB', 200);
        return '200 transactions committed';
      },
    },
    { kind: 'job', title: 'SQL log backup of SalesDB', type: 'sql-backup', params: { vm: 'sql01', type: 'log', databases: ['SalesDB'] } },
    { kind: 'job', title: 'SQL restore of SalesDB to SalesDB_restored (full + log chain)', type: 'sql-restore', params: { vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesDB_restored' } },
    { kind: 'job', title: `DR restore of ${w} as a new VM, then an RDP probe`, type: 'dr-restore', params: { vm: w, newName: `${w}-dr` } },
    { kind: 'job', title: `DR restore of ${l} as a new VM, then an SSH probe`, type: 'dr-restore', params: { vm: l, newName: `${l}-dr` } },
  ];
}

export const DEMO_PLAN: DemoStep[] = demoPlan();

/** The VM whose ESXi host the standalone proxy registers with: the one its first job backs up. */
export function standaloneVmOf(plan: DemoStep[]): string {
  const step = plan.find((s) => s.kind === 'job' && s.proxy === 'standalone');
  return step?.kind === 'job' ? String(step.params.vm) : 'web01';
}
