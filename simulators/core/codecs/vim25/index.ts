export * from './values.ts';
export * from './xml-write.ts';
export * from './xml-read.ts';
export * from './type-table.ts';
