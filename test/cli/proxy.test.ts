import { describe, test, expect } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJobSpec } from '../../proxy/cli/job-spec.ts';
import { readLabFile } from '../../proxy/cli/lab-file.ts';
import { run } from '../helpers/run.ts';
import { startTestLab } from '../helpers/lab.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';

const BPSIM = await bpsimArgv();

describe('bpsim proxy', () => {
  test('job specs parse strictly', () => {
    expect(parseJobSpec('vm-backup:web01')).toEqual({ type: 'vm-backup', params: { vm: 'web01' } });
    expect(parseJobSpec('vm-backup:web01:incremental')).toEqual({ type: 'vm-backup', params: { vm: 'web01', mode: 'incremental' } });
    expect(parseJobSpec('sql-backup:sql01:log:SalesDB+HRDB')).toEqual({ type: 'sql-backup', params: { vm: 'sql01', type: 'log', databases: ['SalesDB', 'HRDB'] } });
    expect(parseJobSpec('sql-restore:sql01:SalesDB:Copy')).toEqual({ type: 'sql-restore', params: { vm: 'sql01', database: 'SalesDB', targetDatabase: 'Copy' } });
    expect(parseJobSpec('dr-restore:web01')).toEqual({ type: 'dr-restore', params: { vm: 'web01' } });
    expect(() => parseJobSpec('vm-backup:web01:weekly')).toThrow('mode must be full or incremental, not "weekly"');
    expect(() => parseJobSpec('sql-backup:sql01')).toThrow('backup type must be full, diff, log or copy-only');
    expect(() => parseJobSpec('backup:web01')).toThrow('unknown job type "backup"');
  });

  test('reads the CA from caFile when the description has no caPem (bpsim up --json)', async () => {
    const lab = await startTestLab();
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-labfile-'));
    try {
      const file = join(dir, 'lab.json');
      await writeFile(file, JSON.stringify({ caFile: lab.ca.certFile, credentials: lab.credentials, endpoints: lab.endpoints() }));
      const read = await readLabFile(file);
      expect(read.caPem).toBe(lab.ca.cert);
      expect(read.endpoints).toHaveLength(lab.endpoints().length);
      await writeFile(file, JSON.stringify({ endpoints: [] }));
      await expect(readLabFile(file)).rejects.toThrow('is not a lab description: it has no credentials');
    } finally {
      await rm(dir, { recursive: true, force: true });
      await lab.stop();
    }
  });

  test('a bad job or a missing lab file is a clear error with exit code 1', async () => {
    const bad = await run(process.execPath, [...BPSIM, 'proxy', '--lab', '/nonexistent/lab.json', 'vm-backup']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('job "vm-backup": no VM named');
    const missing = await run(process.execPath, [...BPSIM, 'proxy', '--lab', '/nonexistent/lab.json', 'vm-backup:web01']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the lab description /nonexistent/lab.json');
  });
});
