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

/** The whole chain, in the order an operator would run it. */
export const DEMO_PLAN: DemoStep[] = [
  { kind: 'job', title: 'Full backup of sql01 (VADP: CBT, quiesced snapshot, NFC on 902)', type: 'vm-backup', params: { vm: 'sql01' } },
  {
    kind: 'world',
    title: 'The guest changes 5% of sql01\'s disks',
    run: (lab) => {
      const bytes = lab.world.disks.forVm(vmMoid(lab, 'sql01')).reduce((n, d) => n + d.guestWrite({ percent: 5, extents: 6, seed: 'demo' }).bytes, 0);
      return `${(bytes / 2 ** 20).toFixed(1)} MiB written in the guest`;
    },
  },
  { kind: 'job', title: 'Incremental backup of sql01 (only changed blocks)', type: 'vm-backup', params: { vm: 'sql01' } },
  { kind: 'job', title: 'Full backup of web01 through a proxy registered to standalone ESXi', type: 'vm-backup', params: { vm: 'web01' }, proxy: 'standalone' },
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
  { kind: 'job', title: 'DR restore of sql01 as a new VM, then an RDP probe', type: 'dr-restore', params: { vm: 'sql01', newName: 'sql01-dr' } },
  { kind: 'job', title: 'DR restore of web01 as a new VM, then an SSH probe', type: 'dr-restore', params: { vm: 'web01', newName: 'web01-dr' } },
];
