import type { RawXml, XObject } from '../../core/codecs/vim25/index.ts';
import { diskGeneration } from '../../disk/index.ts';
import type { SoapEngine } from '../engine.ts';
import type { ManagedObject } from '../managed-object.ts';
import { vsphereOf } from '../state.ts';

/**
 * Inventory objects whose every property is a function of the vSphere state and the disk model
 * alone: no clock (CurrentTime, task progress, lease timeouts), no session (currentSession,
 * PropertyCollector.filter). A result made only of these is valid as long as that state is.
 */
const CACHEABLE = new Set([
  'VirtualMachine', 'VirtualMachineSnapshot', 'HostSystem', 'Datastore', 'Folder', 'Datacenter',
  'ClusterComputeResource', 'ComputeResource', 'ResourcePool', 'Network',
]);

/** Distinct request specs kept per endpoint (a client's few listings; oldest dropped first). */
const MAX_ENTRIES = 32;

interface Entry {
  version: number;
  disks: number;
  result: RawXml[];
}

/**
 * RetrievePropertiesEx results by request spec, valid at one state version: a repeated listing of
 * 1,000 VMs costs a lookup instead of a traversal and a read of every property. Every SOAP operation
 * but the reads, every task step and every disk change bumps the version (engine.changing,
 * engine.changed, diskGeneration); while any operation is under way nothing is stored or served,
 * so a result is never one that a half-done operation made.
 */
export class ResultCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly engine: SoapEngine) {}

  /** The spec's key, or undefined when the state is changing (no cache use at all). */
  key(specs: XObject[]): string | undefined {
    if (vsphereOf(this.engine.world).busy > 0) return undefined;
    // Parsed specs are plain data (MoRef has only type and value): their JSON names the request.
    return JSON.stringify(specs);
  }

  get(key: string): RawXml[] | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.version === vsphereOf(this.engine.world).version && e.disks === diskGeneration()) return e.result;
    this.entries.delete(key);
    return undefined;
  }

  /** The version to store under, taken before computing (a change during the computation then makes the entry stale at once). */
  stamp(): { version: number; disks: number } {
    return { version: vsphereOf(this.engine.world).version, disks: diskGeneration() };
  }

  put(key: string, at: { version: number; disks: number }, objects: readonly ManagedObject[], result: RawXml[]): void {
    if (!objects.every((mo) => CACHEABLE.has(mo.type))) return;
    const now = this.stamp();
    if (now.version !== at.version || now.disks !== at.disks || vsphereOf(this.engine.world).busy > 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ...at, result });
  }
}
