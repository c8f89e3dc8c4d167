import { describe, expect, test } from 'vitest';
import { decodeStream, encodeStream, type BackupSetHeader } from '../../simulators/core/codecs/sql-backup-stream.ts';
import { buildExecutable, checkExecutable } from '../../simulators/core/codecs/guest-bundle.ts';
import { SqlCatalog } from '../../simulators/cloud/sql-catalog.ts';
import { openMetadataDb } from '../../simulators/cloud/metadata-db.ts';
import { SqlServerModel } from '../../simulators/guest/sql/server.ts';
import { captureBackup } from '../../simulators/guest/sql/backup.ts';
import { restoreStream } from '../../simulators/guest/sql/restore.ts';
import { sqlNumbers } from '../guest/sql-numbers.ts';
import { goldenImage, goldenStream, HEADER, sealed, sha256, streamHead } from './sql-stream-bytes.ts';

/*
 * Golden bytes for the SQL backup stream and the injected executable, written from their documented
 * layouts (sql-backup-stream.ts / docs/guest.md), hashed with node:crypto here, never with the
 * product's sha256Hex; and SQL Server's chain rules (differential base, 4326) on hand-built inputs.
 */
describe('SQL backup stream golden bytes', () => {
  test('the encoder writes exactly the documented layout', () => {
    const golden = goldenStream();
    const enc = encodeStream(HEADER, [{ pageId: 7, image: goldenImage() }], [{ op: 2, lsn: 34000000012300002n, timeMs: 1700000000000, xact: 9, pageId: 7, offset: 0x60, data: Buffer.from('abc') }]);
    const bytes = Buffer.concat(enc.chunks);
    expect(bytes.equals(golden)).toBe(true);
    expect(enc.bytes).toBe(golden.length);
    expect(enc.sha256).toBe(sha256(golden).toString('hex'));
  });

  test('the decoder reads every field back and checks the trailer', () => {
    const golden = goldenStream();
    const d = decodeStream(golden);
    expect(d.header).toEqual(HEADER);
    expect(d.pages).toHaveLength(1);
    expect(d.pages[0]!.pageId).toBe(7);
    expect(d.pages[0]!.image[8191]).toBe((8191 * 31) & 0xff);
    expect(d.log).toEqual([{ op: 2, lsn: 34000000012300002n, timeMs: 1700000000000, xact: 9, pageId: 7, offset: 0x60, data: Buffer.from('abc') }]);
    expect(d.sha256).toBe(sha256(golden).toString('hex'));
    // A flipped byte anywhere before the trailer (also past the first 4 KiB) is a checksum error.
    for (const at of [20, 5000, golden.length - 40]) {
      const bad = Buffer.from(golden);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => decodeStream(bad)).toThrow();
    }
  });
});

describe('injected executable golden bytes (docs/guest.md)', () => {
  test('"BPSIM-EXE/1\\n", one JSON header line, a payload of SHA-256 blocks of "program:version:os:n"', () => {
    const payload = Buffer.concat([0, 1].map((n) => sha256(`guestossvc:4.2.0:linux:${n}`)));
    const header = `{"program":"guestossvc","version":"4.2.0","os":"linux","payloadBytes":64,"payloadSha256":"${sha256(payload).toString('hex')}"}`;
    const golden = Buffer.concat([Buffer.from('BPSIM-EXE/1\n' + header + '\n'), payload]);
    expect(buildExecutable('guestossvc', 'linux', '4.2.0', 64).equals(golden)).toBe(true);
    expect(checkExecutable(golden, 'guestossvc')).toMatchObject({ ok: true, header: { payloadBytes: 64 } });
  });

  test('the default 32 KiB image states the SHA-256 of its whole payload; a change past 4 KiB is caught', () => {
    const exe = buildExecutable('PhoenixSQLGuestPlugin', 'windows');
    const nl = exe.indexOf(0x0a, 12);
    const header = JSON.parse(exe.subarray(12, nl).toString('utf8'));
    const body = exe.subarray(nl + 1);
    expect(body.length).toBe(32 * 1024);
    expect(header.payloadSha256).toBe(sha256(body).toString('hex'));
    const bad = Buffer.from(exe);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    expect(checkExecutable(bad, 'PhoenixSQLGuestPlugin')).toEqual({ ok: false, reason: 'image checksum mismatch' });
  });
});

describe('SQL Server chain rules on hand-built inputs', () => {
  const entry = (o: Record<string, unknown>) => ({ database: 'Sales', instance: 'SQL01\\MSSQLSERVER', blocks: [], ...o });

  test('a differential belongs to the full whose checkpoint_lsn is its differential_base_lsn', async () => {
    const cat = new SqlCatalog(await openMetadataDb());
    cat.add(entry({ id: 'F1', type: 'full', firstLsn: '100', lastLsn: '120', checkpointLsn: '110', time: '2026-11-01T01:00:00Z' }));
    cat.add(entry({ id: 'D1', type: 'diff', firstLsn: '150', lastLsn: '170', checkpointLsn: '160', differentialBaseLsn: '110', time: '2026-11-01T02:00:00Z' }));
    cat.add(entry({ id: 'F2', type: 'full', firstLsn: '200', lastLsn: '220', checkpointLsn: '210', time: '2026-11-01T03:00:00Z' }));
    // Taken after F2 but based on F1's checkpoint: never part of F2's chain.
    cat.add(entry({ id: 'D-stale', type: 'diff', firstLsn: '230', lastLsn: '240', checkpointLsn: '235', differentialBaseLsn: '110', time: '2026-11-01T04:00:00Z' }));
    cat.add(entry({ id: 'C1', type: 'copy-only', firstLsn: '250', lastLsn: '260', checkpointLsn: '255', time: '2026-11-01T05:00:00Z' }));
    cat.add(entry({ id: 'D-copy', type: 'diff', firstLsn: '270', lastLsn: '280', checkpointLsn: '275', differentialBaseLsn: '255', time: '2026-11-01T06:00:00Z' }));
    cat.add(entry({ id: 'D2', type: 'diff', firstLsn: '290', lastLsn: '300', checkpointLsn: '295', differentialBaseLsn: '210', time: '2026-11-01T07:00:00Z' }));

    const at = (t: string) => cat.restoreChain('Sales', t);
    expect(at('2026-11-01T02:30:00Z')).toMatchObject({ full: { id: 'F1' }, diff: { id: 'D1' } });
    const c4 = at('2026-11-01T04:30:00Z');
    expect(c4.full.id).toBe('F2');
    expect(c4.diff).toBeUndefined();
    const c6 = at('2026-11-01T06:30:00Z');
    expect(c6.full.id).toBe('F2');
    expect(c6.diff).toBeUndefined();
    expect(at('2026-11-01T08:00:00Z')).toMatchObject({ full: { id: 'F2' }, diff: { id: 'D2' } });
  });

  /** A log backup stream built here from the layout: header only, no records. */
  function logStream(base: BackupSetHeader, firstLsn: bigint, lastLsn: bigint): Buffer {
    const h: BackupSetHeader = { ...base, backupSetId: `log-${lastLsn}`, type: 'log', method: 'native', firstLsn: String(firstLsn), lastLsn: String(lastLsn), pageCount: 0, logRecordCount: 0 };
    return sealed(streamHead(JSON.stringify(h)));
  }

  test('RESTORE LOG: last_lsn equal to the restored point is too early (4326); one past it applies', () => {
    const spec = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 4 }] }] };
    const m = new SqlServerModel('vm', 'vm.lab.test', spec, 'golden-4326');
    const inst = m.instance('MSSQLSERVER')!;
    const db = inst.database('Db')!;
    db.runTransactions(3);
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    const fullBytes = Buffer.concat(full.chunks);
    const h = JSON.parse(fullBytes.subarray(12, 12 + fullBytes.readUInt32LE(8)).toString('utf8')) as BackupSetHeader;
    const restored = BigInt(h.lastLsn);

    restoreStream(inst, 'A', fullBytes, { recovery: false });
    expect(sqlNumbers(() => restoreStream(inst, 'A', logStream(h, restored - 5n, restored), { recovery: false }))).toEqual([4326, 3013]);
    expect(sqlNumbers(() => restoreStream(inst, 'A', logStream(h, restored - 5n, restored - 1n), { recovery: false }))).toEqual([4326, 3013]);
    expect(sqlNumbers(() => restoreStream(inst, 'A', logStream(h, restored + 1n, restored + 9n), { recovery: false }))).toEqual([4305, 3013]);
    expect(sqlNumbers(() => restoreStream(inst, 'A', logStream(h, restored, restored + 1n), { recovery: false }))).toEqual([]);
  });
});
