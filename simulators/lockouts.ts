import { AccountLockout, lockoutOn, type LockoutPolicy } from './core/lockout.ts';
import type { LabWorld } from './world.ts';

declare module './world.ts' {
  interface LabWorld {
    /** Failed-login state per component; one per ESXi host, shared by its SOAP login and authd on 902. */
    lockouts?: Map<string, AccountLockout>;
  }
}

/** The lockout of one component under the lab's lockout mode (an "off" lab gets one that never locks). */
export function lockoutFor(world: LabWorld, component: string, policy: LockoutPolicy): AccountLockout {
  world.lockouts ??= new Map();
  let l = world.lockouts.get(component);
  if (!l) {
    l = new AccountLockout(lockoutOn(world.options?.lockout) ? policy : undefined, world.options?.clock ?? Date.now);
    world.lockouts.set(component, l);
  }
  return l;
}
