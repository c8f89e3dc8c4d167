import { randomUUID } from 'node:crypto';
import { isBlockHash, type SnapshotManifest } from '../core/codecs/cloud-api.ts';
import { ApiError } from './http-api.ts';
import { nowIso, type Db } from './metadata-db.ts';

export interface ManifestSummary {
  id: string;
  vmId: string;
  vmName?: string;
  kind?: string;
  createdAt: string;
  disks: number;
}

function validate(m: SnapshotManifest): void {
  if (!m.vm || typeof m.vm !== 'object' || typeof m.vm.id !== 'string' || !m.vm.id) throw new ApiError(400, 'invalid_manifest', 'manifest "vm.id" must be a non-empty string');
  if (!Array.isArray(m.disks)) throw new ApiError(400, 'invalid_manifest', 'manifest "disks" must be an array');
  m.disks.forEach((d, i) => {
    if (typeof d?.key !== 'number' || !Array.isArray(d.extents)) throw new ApiError(400, 'invalid_manifest', `disks[${i}] needs a numeric "key" and an "extents" array`);
    d.extents.forEach((e, j) => {
      if (typeof e?.offset !== 'number' || typeof e.length !== 'number' || !isBlockHash(e.hash)) {
        throw new ApiError(400, 'invalid_manifest', `disks[${i}].extents[${j}] needs numeric offset/length and a SHA-256 hex "hash"`);
      }
    });
  });
  if (m.id !== undefined && (typeof m.id !== 'string' || !/^[\w.:-]{1,128}$/.test(m.id))) throw new ApiError(400, 'invalid_manifest', 'manifest "id" must be 1-128 characters of [A-Za-z0-9_.:-]');
}

/**
 * Snapshot manifests: which blocks make up each disk of a VM backup. Block existence is not
 * checked here: with CloudCache the blocks may still be on their way.
 */
export class ManifestStore {
  constructor(private readonly db: Db) {}

  put(input: SnapshotManifest): SnapshotManifest {
    validate(input);
    const m: SnapshotManifest = { ...input, id: input.id ?? `snap-${randomUUID().slice(0, 12)}`, createdAt: input.createdAt ?? nowIso() };
    if (this.get(m.id!)) throw new ApiError(409, 'conflict', `manifest ${m.id} already exists; manifests are immutable`);
    this.db.prepare('INSERT INTO manifests (id, vm_id, created_at, body) VALUES (?, ?, ?, ?)').run(m.id, m.vm.id, m.createdAt, JSON.stringify(m));
    return m;
  }

  get(id: string): SnapshotManifest | undefined {
    const row = this.db.prepare('SELECT body FROM manifests WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as SnapshotManifest) : undefined;
  }

  /** Summaries, oldest first, optionally for one VM. */
  list(vmId?: string): ManifestSummary[] {
    const rows = (vmId
      ? this.db.prepare('SELECT body FROM manifests WHERE vm_id = ? ORDER BY created_at, seq').all(vmId)
      : this.db.prepare('SELECT body FROM manifests ORDER BY created_at, seq').all()) as { body: string }[];
    return rows.map((r) => {
      const m = JSON.parse(r.body) as SnapshotManifest;
      return { id: m.id!, vmId: m.vm.id, ...(m.vm.name ? { vmName: m.vm.name } : {}), ...(m.kind ? { kind: m.kind } : {}), createdAt: m.createdAt!, disks: m.disks.length };
    });
  }
}
