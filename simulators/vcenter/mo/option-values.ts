import type { XValue } from '../../core/codecs/vim25/index.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** A list of OptionValue (extraConfig) as key/value pairs; a value that is not a scalar is InvalidArgument. */
export function readOptions(list: XValue[]): [string, string][] {
  return list.map((raw) => {
    const o = Args.of(raw, 'extraConfig');
    const key = o.str('key');
    const value = o.raw.value ?? '';
    if (!key) throw Faults.invalidArgument('spec.extraConfig.key');
    if (typeof value !== 'string') throw Faults.invalidArgument(`spec.extraConfig["${key}"].value`);
    return [key, value];
  });
}

/** Stores OptionValues into a VM's settings: a value of "" removes the key, as on vCenter. */
export function applyOptions(target: Map<string, string>, options: [string, string][]): void {
  for (const [k, v] of options) {
    if (v === '') target.delete(k);
    else target.set(k, v);
  }
}
