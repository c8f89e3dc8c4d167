export { NfcConnection, type NfcConnectOptions } from './connection.ts';
export { BufferPool } from './buffer-pool.ts';
export { NfcDisk, type DiskChunk, type ReadStreamOptions } from './disk.ts';
export { connectAuthd, type NfcTarget, type AuthdOptions } from './authd-client.ts';
export { NfcClientError, type NfcErrorKind } from './errors.ts';
export type { Extent } from './codec.ts';
