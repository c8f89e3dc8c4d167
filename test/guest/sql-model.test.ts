import { describe, expect, test } from 'vitest';
import { SqlServerModel } from '../../simulators/guest/sql/server.ts';
import { captureBackup } from '../../simulators/guest/sql/backup.ts';
import { restoreStream } from '../../simulators/guest/sql/restore.ts';
import { PluginService } from '../../simulators/guest/plugin/service.ts';
import { guestWriters } from '../../simulators/guest/plugin/vss.ts';
import { ApiError } from '../../simulators/guest/api-error.ts';
import { sqlNumbers } from './sql-numbers.ts';
import { sealed, streamHead } from '../golden/sql-stream-bytes.ts';

const spec = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 4 }] }] };
const model = (seed = 's') => new SqlServerModel('vm', 'vm.lab.test', spec, seed);

describe('SQL Server model', () => {
  test('the same seed and calls give the same LSNs and checksums; another seed does not', () => {
    const [a, b, c] = [model(), model(), model('other')];
    for (const m of [a, b, c]) m.runTransactions('MSSQLSERVER', 'Db', 25);
    const [da, db, dc] = [a, b, c].map((m) => m.database('MSSQLSERVER', 'Db')!);
    expect(da!.checksum()).toBe(db!.checksum());
    expect(da!.log.map((r) => r.lsn)).toEqual(db!.log.map((r) => r.lsn));
    expect(dc!.checksum()).not.toBe(da!.checksum());
  });

  test('a damaged stream is refused with 3189, a wrong differential base with 3136', () => {
    const m = model();
    const inst = m.instance('MSSQLSERVER')!;
    const db = inst.database('Db')!;
    const f1 = captureBackup(inst, db, 'full', 'vss');
    f1.commit();
    const f2 = captureBackup(inst, db, 'full', 'vss');
    f2.commit();
    db.runTransactions(3);
    const d2 = captureBackup(inst, db, 'diff', 'vss');
    const bad = Buffer.concat(f1.chunks);
    bad[500] = bad[500]! ^ 0xff;
    expect(sqlNumbers(() => restoreStream(inst, 'X', bad, { recovery: false }))).toEqual([3189, 3013]);
    restoreStream(inst, 'X', Buffer.concat(f1.chunks), { recovery: false });
    expect(sqlNumbers(() => restoreStream(inst, 'X', Buffer.concat(d2.chunks), { recovery: true }))).toEqual([3136, 3013]);
    restoreStream(inst, 'Y', Buffer.concat(f2.chunks), { recovery: false });
    restoreStream(inst, 'Y', Buffer.concat(d2.chunks), { recovery: true });
    expect(inst.database('Y')!.checksum()).toBe(db.checksum());
  });

  test('a well-framed stream whose header is JSON null is malformed media (3241), not a crash', () => {
    const inst = model().instance('MSSQLSERVER')!;
    expect(sqlNumbers(() => restoreStream(inst, 'Z', sealed(streamHead('null')), { recovery: false }))).toEqual([3241, 3013]);
  });

  test('SqlServerWriter refuses log backups (those go through native BACKUP LOG)', () => {
    const svc = new PluginService({ sql: model(), writers: guestWriters(true, true), fault: () => undefined });
    expect(() => svc.createSession('MSSQLSERVER', ['Db'], 'log')).toThrow(expect.objectContaining({ body: expect.objectContaining({ code: 'vss-log-unsupported' }) }));
    expect(() => svc.createSession('MSSQLSERVER', ['Db'], 'log')).toThrow(ApiError);
  });
});
