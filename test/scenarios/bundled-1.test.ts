import { testBundledHalf } from './bundled.ts';

testBundledHalf(0);
