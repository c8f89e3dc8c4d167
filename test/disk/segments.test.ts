import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { SegmentMap, type Source } from '../../simulators/disk/segments.ts';
import { propertyParams } from '../reference/property-runs.ts';

/*
 * The segment map against a byte-per-byte naive model: every put overwrites a range of a flat
 * array of (byte, kind) cells, and every read of every range of a small disk, whole or in slices,
 * must give the model's bytes; allocated() and nonZero() must be the model's runs. Sources are
 * written data (a buffer whose byte i is known) and written zeros, so each expected byte is plain.
 */
const CAP = 48;

/** Written data: byte at disk offset p is (p * 7 + tag) & 0xff, stored from `at`. */
function bufSource(tag: number, at: number, length: number): Source {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = ((at + i) * 7 + tag) & 0xff;
  return { kind: 'buf', buf, at };
}

class Naive {
  readonly bytes = new Uint8Array(CAP);
  readonly kind: ('none' | 'buf' | 'zero')[] = Array(CAP).fill('none');
  put(start: number, end: number, tag: number | 'zero'): void {
    for (let p = start; p < end; p++) {
      this.kind[p] = tag === 'zero' ? 'zero' : 'buf';
      this.bytes[p] = tag === 'zero' ? 0 : (p * 7 + tag) & 0xff;
    }
  }
  runs(keep: (k: string) => boolean): { start: number; length: number }[] {
    const out: { start: number; length: number }[] = [];
    for (let p = 0; p < CAP; p++) {
      if (!keep(this.kind[p]!)) continue;
      const last = out.at(-1);
      if (last && last.start + last.length === p) last.length++;
      else out.push({ start: p, length: 1 });
    }
    return out;
  }
}

type Put = [start: number, end: number, tag: number | 'zero'];

function apply(puts: Put[]): { map: SegmentMap; ref: Naive } {
  const map = new SegmentMap();
  const ref = new Naive();
  for (const [start, end, tag] of puts) {
    map.put(start, end, tag === 'zero' ? { kind: 'zero' } : bufSource(tag, start, Math.max(0, end - start)));
    ref.put(start, end, tag);
  }
  return { map, ref };
}

function agree(map: SegmentMap, ref: Naive, label: string): void {
  expect(map.allocated(), `${label}: allocated`).toEqual(ref.runs((k) => k !== 'none'));
  expect(map.nonZero(), `${label}: nonZero`).toEqual(ref.runs((k) => k === 'buf'));
  expect(map.allocatedBytes(), `${label}: allocatedBytes`).toBe(ref.kind.filter((k) => k !== 'none').length);
  for (let off = 0; off <= CAP; off++) {
    for (let len = 0; off + len <= CAP; len++) {
      const want = Buffer.from(ref.bytes.subarray(off, off + len));
      const into = Buffer.alloc(len + 4, 0xee);
      map.readInto(off, into, 2, len);
      if (!into.subarray(2, 2 + len).equals(want) || into[0] !== 0xee || into[1] !== 0xee || into[len + 2] !== 0xee || into[len + 3] !== 0xee) {
        expect.fail(`${label}: readInto ${off}+${len} gave ${into.toString('hex')}, want ee ee ${want.toString('hex')} ee ee`);
      }
      const slices = map.readSlices(off, len);
      if (!Buffer.concat(slices).equals(want) || slices.some((s) => s.length === 0)) {
        expect.fail(`${label}: readSlices ${off}+${len} gave ${slices.map((s) => s.toString('hex')).join('|')}, want ${want.toString('hex')}`);
      }
    }
  }
}

describe('SegmentMap against a byte-per-byte model', () => {
  const cases: [string, Put[]][] = [
    ['empty', []],
    ['one run in the middle', [[10, 20, 1]]],
    ['appended runs, touching and apart', [[0, 8, 1], [8, 12, 2], [20, 30, 3]]],
    ['a put inside a run splits it in three', [[4, 40, 1], [10, 20, 2]]],
    ['a put over the head of a run', [[10, 30, 1], [5, 15, 2]]],
    ['a put over the tail of a run', [[10, 30, 1], [25, 35, 2]]],
    ['a put at exactly a run\'s start and end', [[10, 30, 1], [10, 30, 2]]],
    ['a put swallowing several runs and splitting the outer two', [[0, 6, 1], [8, 12, 2], [14, 18, 3], [20, 26, 4], [3, 23, 5]]],
    ['a put before every run', [[20, 30, 1], [30, 40, 2], [2, 6, 3]]],
    ['a put into a gap between runs', [[0, 10, 1], [30, 40, 2], [15, 20, 3]]],
    ['a put filling a gap exactly', [[0, 10, 1], [20, 30, 2], [10, 20, 3]]],
    ['written zeros among data', [[0, 20, 1], [5, 10, 'zero'], [10, 15, 'zero'], [30, 40, 'zero'], [40, 44, 2]]],
    ['empty and backwards puts change nothing', [[10, 20, 1], [15, 15, 2], [30, 25, 3], [0, 0, 4], [48, 48, 5]]],
    ['a put ending where the next run starts', [[10, 20, 1], [30, 40, 2], [25, 30, 3]]],
    ['a put starting where the last run ends', [[10, 20, 1], [20, 24, 2]]],
    ['the whole disk, then a hole punched with zeros', [[0, 48, 1], [47, 48, 'zero'], [0, 1, 'zero']]],
  ];
  for (const [label, puts] of cases) {
    test(label, () => {
      const { map, ref } = apply(puts);
      agree(map, ref, label);
    });
  }

  test('count is the number of segments: a split run is three', () => {
    expect(apply([[4, 40, 1], [10, 20, 2]]).map.count).toBe(3);
    expect(apply([[4, 40, 1], [4, 40, 2]]).map.count).toBe(1);
    expect(apply([[4, 40, 1], [15, 15, 2]]).map.count).toBe(1);
  });

  test('a clone keeps its content when the original is written afterwards', () => {
    const { map, ref } = apply([[0, 20, 1], [30, 40, 2]]);
    const frozen = map.clone();
    map.put(10, 35, { kind: 'zero' });
    map.put(40, 48, bufSource(3, 40, 8));
    agree(frozen, ref, 'clone');
  });

  test('random puts agree with the model', () => {
    const put = fc.tuple(fc.integer({ min: 0, max: CAP }), fc.integer({ min: 0, max: CAP }), fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constant('zero' as const)))
      .map(([a, b, tag]): Put => [Math.min(a, b), Math.max(a, b), tag]);
    fc.assert(fc.property(fc.array(put, { maxLength: 12 }), (puts) => {
      const { map, ref } = apply(puts);
      agree(map, ref, JSON.stringify(puts));
    }), propertyParams(60));
  });
});
