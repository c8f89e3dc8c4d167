import { DIRECTIONS, FaultParamsError, type DirectionParam } from './stage.ts';

/** Reads one numeric param: present (unless a default is given), a finite number, within bounds. */
export function numberParam(
  type: string,
  params: Record<string, unknown>,
  field: string,
  opts: { min: number; max?: number; integer?: boolean; default?: number },
): number {
  const v = params[field] ?? opts.default;
  if (v === undefined) throw new FaultParamsError(type, field, 'is required');
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FaultParamsError(type, field, `must be a number, got ${JSON.stringify(v)}`);
  if (opts.integer && !Number.isInteger(v)) throw new FaultParamsError(type, field, `must be a whole number, got ${v}`);
  if (v < opts.min) throw new FaultParamsError(type, field, `must be at least ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new FaultParamsError(type, field, `must be at most ${opts.max}, got ${v}`);
  return v;
}

export function directionParam(type: string, params: Record<string, unknown>): DirectionParam {
  const v = params.direction ?? 'both';
  if (!DIRECTIONS.includes(v as DirectionParam)) {
    throw new FaultParamsError(type, 'direction', `must be one of ${DIRECTIONS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as DirectionParam;
}

/** Rejects fields the fault does not know, so a typo ("bytesPerSec") is an error and not a silent no-op. */
export function onlyFields(type: string, params: Record<string, unknown>, known: string[]): void {
  for (const field of Object.keys(params)) {
    if (!known.includes(field)) throw new FaultParamsError(type, field, `is not a parameter of ${type} (known: ${known.join(', ')})`);
  }
}
