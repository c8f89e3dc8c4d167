/**
 * One benchmark figure next to its baseline measured in the same run. Machines are noisy, so the
 * ratio is the figure that matters; absolute values are context.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same quantity for the baseline (raw TLS pipe, static handler, ...), in the same unit. */
  baseline: number | null;
  baselineName?: string;
  /** value / baseline (or the figure's own ratio when it compares two parts of bpsim). */
  ratio: number | null;
  /** The goal, as text: ">= 0.7", "<= 0.1" (on the ratio), or "<= 500 ms" (on the value, in its unit). */
  aim: string | null;
  /** Whether the aim holds (null when there is no aim). */
  met?: boolean | null;
  note?: string;
}

export interface BenchOptions {
  quick: boolean;
}

export function figure(f: Omit<Figure, 'ratio' | 'met'> & { ratio?: number | null }): Figure {
  const ratio = f.ratio !== undefined ? f.ratio : f.baseline ? f.value / f.baseline : null;
  return { ...f, ratio: ratio === null ? null : round(ratio, 3), value: round(f.value, 3), baseline: f.baseline === null ? null : round(f.baseline, 3), met: meets(ratio, f.value, f.unit, f.aim) };
}

function meets(ratio: number | null, value: number, unit: string, aim: string | null): boolean | null {
  const m = aim && /^(>=|<=)\s*([\d.]+)\s*(\S+)?$/.exec(aim.trim());
  if (!m) return null;
  const measured = m[3] === unit ? value : ratio;
  if (measured === null) return null;
  return m[1] === '>=' ? measured >= Number(m[2]) : measured <= Number(m[2]);
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** 4294967296 -> "4GiB", 536870912 -> "512MiB": figure names carry the size they measured. */
export function sizeName(bytes: number): string {
  const GiB = 2 ** 30;
  return bytes >= GiB && bytes % GiB === 0 ? `${bytes / GiB}GiB` : `${Math.round(bytes / 2 ** 20)}MiB`;
}
