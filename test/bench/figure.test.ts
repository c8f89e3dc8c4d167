import { describe, expect, it } from 'vitest';
import { figure, percentile, sizeName } from '../../bench/figure.ts';

describe('bench figures', () => {
  it('computes the ratio to the baseline and whether the aim holds', () => {
    const f = figure({ name: 'x', value: 30, unit: 'MiB/s', baseline: 100, aim: '>= 0.6' });
    expect([f.ratio, f.met]).toEqual([0.3, false]);
    expect(figure({ name: 'y', value: 4, unit: 's', baseline: 50, aim: '<= 0.1' }).met).toBe(true);
    expect(figure({ name: 'z', value: 4, unit: 's', baseline: null, aim: null })).toMatchObject({ ratio: null, met: null });
  });

  it('names sizes the way figure names carry them', () => {
    expect([sizeName(4 * 2 ** 30), sizeName(512 * 2 ** 20), sizeName(601882624)]).toEqual(['4GiB', '512MiB', '574MiB']);
  });

  it('takes percentiles of sorted samples', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(s, 50), percentile(s, 99), percentile([7], 99)]).toEqual([50, 99, 7]);
  });
});
