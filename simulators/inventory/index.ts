import type { Inventory } from './types.ts';

export * from './types.ts';
export { buildInventory, type InventoryOptions, type ExtraVmOptions } from './build.ts';

declare module '../world.ts' {
  interface LabWorld {
    /** What vCenter and the hosts report; rooms read it, the vCenter room changes it (CreateVM_Task...). */
    inventory: Inventory;
  }
}
