export * from './constants.ts';
export * from './classic.ts';
export * from './aio.ts';
export * from './authd.ts';
export { ByteReader, StreamEndedError, ReadTimeoutError, LineTooLongError } from './byte-reader.ts';
export { RawPipe } from './raw-pipe.ts';
