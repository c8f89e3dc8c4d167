export * from '../../../simulators/core/codecs/nfc/index.ts';
export interface Extent {
  start: number;
  length: number;
}
