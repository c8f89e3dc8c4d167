import { expect } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';

/** What an outside client needs to reach one lab endpoint: address, lab CA, login, a VM with Tools and its guest login. */
export interface ClientTarget {
  target: 'vcenter' | 'esxi';
  host: string;
  port: number;
  url: string;
  ca: string;
  user: string;
  password: string;
  vm: string;
  guestUser: string;
  guestPassword: string;
  guestPath: string;
  datacenter: string;
  expect: { hosts: number; vms: number; datastores: number };
}

/** vCenter, or the standalone host agent of the host that runs `vm` (a Windows VM with Tools, sql01 by default). */
export function clientTarget(lab: Lab, target: 'vcenter' | 'esxi', vmName = 'sql01'): ClientTarget {
  const inv = lab.world.inventory;
  const vm = inv.vms.find((v) => v.name === vmName);
  if (!vm) throw new Error(`no VM ${vmName} in the lab`);
  const host = inv.hosts.find((h) => h.moid === vm.host)!;
  const component = target === 'vcenter' ? 'vcenter' : host.component;
  const ep = lab.endpoints().find((e) => e.component === component && e.listener === 'https');
  if (!ep) throw new Error(`no https endpoint for ${component}`);
  const login = target === 'vcenter' ? lab.credentials.vcenter! : lab.credentials.esxi!;
  const guest = lab.credentials['guest-windows']!;
  return {
    target,
    host: ep.bindAddress,
    port: ep.port,
    url: `https://${ep.bindAddress}:${ep.port}/sdk`,
    ca: lab.caFile,
    user: login.user,
    password: login.password,
    vm: vm.name,
    guestUser: guest.user,
    guestPassword: guest.password,
    guestPath: 'C:\\bpsim\\outside-client.bin',
    datacenter: target === 'vcenter' ? inv.datacenter.name : 'ha-datacenter',
    expect:
      target === 'vcenter'
        ? { hosts: inv.hosts.length, vms: inv.vms.length, datastores: inv.datastores.length }
        : { hosts: 1, vms: inv.vms.filter((v) => v.host === host.moid).length, datastores: host.datastores.length },
  };
}

/** One line per check, as the Go and Ruby programs print them. */
export interface CheckResult {
  check: string;
  ok: boolean;
  skip?: boolean;
  error?: string;
  detail?: string;
}

export function parseChecks(stdout: string): Map<string, CheckResult> {
  const out = new Map<string, CheckResult>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as CheckResult;
    out.set(r.check, r);
  }
  return out;
}

/**
 * Every check in `all` must have run and passed, except those in `pending` (checks waiting on
 * another room, each with its reason): their outcome is logged, and one that passes says so.
 */
export function judgeChecks(results: Map<string, CheckResult>, all: readonly string[], pending: Record<string, string>, label: string): void {
  const failures: string[] = [];
  for (const name of all) {
    const r = results.get(name);
    if (!r) failures.push(`${name}: did not run`);
    else if (!r.ok && !(name in pending)) failures.push(`${name}: ${r.error}`);
    else if (!r.ok) console.log(`[pending ${label}] ${name} (${pending[name]}): ${(r.error ?? '').split('\n')[0]}`);
    else if (name in pending) console.log(`[pending ${label}] ${name} now passes: remove it from the pending list`);
  }
  expect(failures, failures.join('\n')).toEqual([]);
}
