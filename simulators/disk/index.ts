export * from './contract.ts';
export { SimDiskStore, createDiskStore, type CreateDiskOptions } from './store.ts';
export { SimVirtualDisk, ReadOnlyViewError, deltaFileName, diskGeneration, CBT_PAGE_SPAN, CBT_PAGE_MAX_AREAS } from './virtual-disk.ts';
export { ExtentSet } from './extent-set.ts';
export { SECTOR } from './layout.ts';
