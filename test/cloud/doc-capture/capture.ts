// Regenerates docs/cloud-api.md from cloud-api.template.md with live curl captures: npx tsx test/cloud/doc-capture/capture.ts
import { mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = promisify(execFile);
// A transcript with per-run ids and times: marked so the doc test knows why it is not rerun (test/docs/doc-examples.test.ts).
const FENCE = '```console not-runnable: a transcript captured from a live lab by test/cloud/doc-capture/capture.ts (ids and times change every run)\n';
const curlRun = async (cmd: string, args: string[]) => Buffer.from((await run(cmd, args, { encoding: 'buffer', maxBuffer: 1 << 26 } as never)).stdout as unknown as Buffer);
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { CoreLab } from '../../../simulators/core/lab.ts';
import { mergeCredentials } from '../../../simulators/credentials.ts';
import { cloudComponent } from '../../../simulators/cloud/component.ts';
import { cloudCacheComponent } from '../../../simulators/cloudcache/component.ts';

async function main() {
  mkdirSync('/tmp/cloudcap', { recursive: true });
  const lab = await CoreLab.create({ seed: 'doc', options: {} } as never, { credentials: mergeCredentials() });
  await lab.start([cloudComponent() as never, cloudCacheComponent({ recheckIntervalMs: 100 }) as never]);
  const proxyAddr = lab.addressOf('proxy');
  const resolve = lab.endpoints().flatMap((e) => ['--resolve', `${e.hostname}:443:${e.bindAddress}`]);
  const vars: Record<string, string> = {};
  const out: Record<string, string> = {};
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const curl = async (name: string, shown: string[]) => {
    const args = ['-sS', '-i', '--cacert', lab.caFile, '--interface', proxyAddr, ...resolve, ...shown.map((a) => a.replace(/\$(\w+)/g, (_, v) => vars[v] ?? `$${v}`))];
    const raw = (await curlRun('curl', args)).toString('utf8');
    const [head, ...rest] = raw.split('\r\n\r\n');
    const lines = head!.split('\r\n').filter((l) => !/^(date|connection|keep-alive):/i.test(l));
    let body = rest.join('\r\n\r\n');
    if (body.startsWith('{')) body = JSON.stringify(JSON.parse(body), null, 2);
    const display = shown.map((a) => a.replace(/\$(\w+)/g, (m, v) => (v === 'TOKEN' ? m : vars[v] ?? m)).replace('/tmp/cloudcap/', ''));
    const cmd = 'curl -i ' + display.map((a) => (a.includes('$TOKEN') ? `"${a}"` : /[\s"{}$&?\\]/.test(a) ? `'${a}'` : a)).join(' ');
    out[name] = FENCE + '$ ' + cmd + '\n' + lines.join('\n') + (body ? '\n\n' + body : '') + '\n```';
    return body;
  };
  const C = 'https://cloud.lab.test/api/v1';
  const K = 'https://cloudcache.lab.test/api/v1';
  const auth = ['-H', 'authorization: Bearer $TOKEN'];
  const json = ['-H', 'content-type: application/json'];
  const admin = ['-u', 'admin:bpsim'];
  const block = Buffer.from('hello block\n');
  const hash = createHash('sha256').update(block).digest('hex');
  writeFileSync('/tmp/cloudcap/block.bin', block);
  vars.H = hash;

  const act = await curl('activate', ['-X', 'POST', `${C}/activate`, ...json, '-d', JSON.stringify({ activationToken: 'BPSIM-ACTIVATION-TOKEN-0001', proxyName: 'proxy-01' })]);
  vars.TOKEN = JSON.parse(act).token;
  await curl('activate-again', ['-X', 'POST', `${C}/activate`, ...json, '-d', JSON.stringify({ activationToken: 'BPSIM-ACTIVATION-TOKEN-0001', proxyName: 'proxy-01' })]);
  await curl('me', [`${C}/me`, ...auth]);
  await curl('heartbeat', ['-X', 'POST', `${C}/heartbeat`, ...auth, ...json, '-d', '{"version":"1.0","jobsRunning":0}']);
  await curl('unauthorized', [`${C}/me`]);
  const job = await curl('job-queue', ['-X', 'POST', `${C}/jobs`, ...admin, ...json, '-d', JSON.stringify({ type: 'backup', params: { vm: 'vm-42', transport: 'nbdssl' } })]);
  vars.JOB = JSON.parse(job).id;
  await curl('job-list', [`${C}/jobs?state=queued`, ...admin]);
  await curl('job-claim', ['-X', 'POST', `${C}/jobs/claim`, ...auth]);
  await curl('job-claim-busy', ['-X', 'POST', `${C}/jobs/claim`, ...auth]);
  await curl('job-progress', ['-X', 'POST', `${C}/jobs/$JOB/progress`, ...auth, ...json, '-d', '{"percent":50,"message":"disk 2000: 512 MiB of 1 GiB"}']);
  await curl('job-result', ['-X', 'POST', `${C}/jobs/$JOB/result`, ...auth, ...json, '-d', '{"status":"succeeded","result":{"manifestId":"snap-1","bytesRead":1073741824}}']);
  await curl('job-get', [`${C}/jobs/$JOB`, ...auth]);
  await curl('job-claim-empty', ['-X', 'POST', `${C}/jobs/claim`, ...auth]);
  await curl('blocks-missing', ['-X', 'POST', `${C}/blocks/missing`, ...auth, ...json, '-d', JSON.stringify({ hashes: [hash, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'] })]);
  await curl('block-put', ['-X', 'PUT', `${C}/blocks/$H`, ...auth, '-H', 'content-type: application/octet-stream', '--data-binary', '@block.bin'].map((a) => (a === '@block.bin' ? '@/tmp/cloudcap/block.bin' : a)));
  await curl('block-put-again', ['-X', 'PUT', `${C}/blocks/$H`, ...auth, '-H', 'content-type: application/octet-stream', '--data-binary', '@/tmp/cloudcap/block.bin']);
  await curl('block-put-mismatch', ['-X', 'PUT', `${C}/blocks/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`, ...auth, '-H', 'content-type: application/octet-stream', '--data-binary', '@/tmp/cloudcap/block.bin']);
  await curl('block-put-badhash', ['-X', 'PUT', `${C}/blocks/xyz`, ...auth, '--data-binary', '@/tmp/cloudcap/block.bin']);
  await curl('block-get', [`${C}/blocks/$H`, ...auth]);
  await curl('block-head', ['-I', `${C}/blocks/$H`, ...auth]);
  await curl('block-get-404', [`${C}/blocks/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`, ...auth]);
  await curl('storage', [`${C}/storage`, ...auth]);
  const manifest = { vm: { id: 'vm-42', name: 'sql01', moref: 'vm-42' }, kind: 'full', disks: [{ key: 2000, label: 'Hard disk 1', capacityBytes: 1073741824, changeId: '52 de 2f 8b/12', extents: [{ offset: 0, length: 12, hash }] }], probes: { rdp: { port: 3389, open: true } }, application: { sql: { instances: [{ name: 'MSSQLSERVER', databases: ['Sales'] }] } } };
  const m = await curl('manifest-put', ['-X', 'POST', `${C}/manifests`, ...auth, ...json, '-d', JSON.stringify(manifest)]);
  vars.SNAP = JSON.parse(m).id;
  await curl('manifest-list', [`${C}/manifests?vm=vm-42`, ...auth]);
  await curl('manifest-get', [`${C}/manifests/$SNAP`, ...auth]);
  const entries = [
    { id: 'sales-full-1', type: 'full', time: '2026-11-01T00:00:00Z', firstLsn: '34000000012300037', lastLsn: '34000000015600001', checkpointLsn: '34000000012300037', databaseBackupLsn: '0' },
    { id: 'sales-log-1', type: 'log', time: '2026-11-01T01:00:00Z', firstLsn: '34000000012300037', lastLsn: '34000000020000001' },
    { id: 'sales-diff-1', type: 'diff', time: '2026-11-01T01:30:00Z', firstLsn: '34000000020500001', lastLsn: '34000000021000001', differentialBaseLsn: '34000000012300037', databaseBackupLsn: '34000000012300037' },
    { id: 'sales-log-2', type: 'log', time: '2026-11-01T02:00:00Z', firstLsn: '34000000020000001', lastLsn: '34000000030000001' },
    { id: 'sales-log-3', type: 'log', time: '2026-11-01T03:00:00Z', firstLsn: '34000000030000001', lastLsn: '34000000040000001' },
  ];
  for (const e of entries) {
    const body = JSON.stringify({ database: 'Sales', instance: 'SQL01\\MSSQLSERVER', server: 'vm-42', blocks: [hash], ...e });
    if (e.id === 'sales-full-1') await curl('catalog-add', ['-X', 'POST', `${C}/catalog/sql`, ...auth, ...json, '-d', body]);
    else await curlRun('curl', ['-sS', '--cacert', lab.caFile, ...resolve, '-X', 'POST', `${C}/catalog/sql`, '-H', `authorization: Bearer ${vars.TOKEN}`, ...json, '-d', body]);
  }
  await curl('catalog-query', [`${C}/catalog/sql?database=Sales&type=log`, ...auth]);
  await curl('catalog-get', [`${C}/catalog/sql/sales-diff-1`, ...auth]);
  await curl('restore-chain', [`${C}/catalog/sql/restore-chain?database=Sales&time=2026-11-01T02:30:00Z`, ...auth]);
  await curl('restore-chain-nofull', [`${C}/catalog/sql/restore-chain?database=Sales&time=2026-10-01T00:00:00Z`, ...auth]);
  await curl('catalog-dup', ['-X', 'POST', `${C}/catalog/sql`, ...auth, ...json, '-d', JSON.stringify({ database: 'Sales', instance: 'SQL01\\MSSQLSERVER', blocks: [], ...entries[0] })]);
  // Faults
  lab.faults.set({ target: 'cloud', type: 'cloud-unavailable', params: { retryAfterSeconds: 30 }, remaining: 1 });
  await curl('fault-503', [`${C}/storage`, ...auth]);
  lab.faults.set({ id: 'quota', target: 'cloud', type: 'cloud-quota-exceeded', params: {} });
  writeFileSync('/tmp/cloudcap/new.bin', 'new data\n');
  vars.N = createHash('sha256').update('new data\n').digest('hex');
  await curl('fault-quota', ['-X', 'PUT', `${C}/blocks/$N`, ...auth, '--data-binary', '@/tmp/cloudcap/new.bin']);
  lab.faults.clear('quota');
  lab.faults.set({ target: 'cloud', type: 'block-corrupted', params: { hash }, remaining: 1 });
  await curl('fault-corrupted', [`${C}/blocks/$H`, ...auth]);
  // CloudCache
  writeFileSync('/tmp/cloudcap/cached.bin', 'cached block\n');
  vars.CH = createHash('sha256').update('cached block\n').digest('hex');
  lab.faults.set({ id: 'stall', target: 'cloudcache', type: 'cloudcache-sync-stalled', params: {} });
  await curl('cache-missing', ['-X', 'POST', `${K}/blocks/missing`, ...auth, ...json, '-d', JSON.stringify({ hashes: [vars.CH] })]);
  await curl('cache-put', ['-X', 'PUT', `${K}/blocks/$CH`, ...auth, '--data-binary', '@/tmp/cloudcap/cached.bin']);
  await curl('cache-status-pending', [`${K}/cache/status`, ...auth]);
  lab.faults.clear('stall');
  await sleep(500);
  await curl('cache-status-synced', [`${K}/cache/status`, ...auth]);
  writeFileSync('/tmp/cloudcap/direct.bin', 'only in the cloud\n');
  vars.DH = createHash('sha256').update('only in the cloud\n').digest('hex');
  await curlRun('curl', ['-sS', '--cacert', lab.caFile, ...resolve, '-X', 'PUT', `${C}/blocks/${vars.DH}`, '-H', `authorization: Bearer ${vars.TOKEN}`, '--data-binary', '@/tmp/cloudcap/direct.bin']);
  await curl('cache-read-through', [`${K}/blocks/$DH`, ...auth]);
  await curl('cache-manifest', [`${K}/manifests`, ...auth]);
  lab.faults.set({ id: 'off', target: 'cloudcache', type: 'cloudcache-offline', params: {} });
  try {
    await curl('cache-offline', [`${K}/cache/status`, ...auth]);
  } catch (err) {
    out['cache-offline'] = FENCE + '$ curl -i ' + `${K}/cache/status -H 'authorization: Bearer $TOKEN'` + '\n' + String((err as { stderr: Buffer }).stderr).trim() + '\n```';
  }
  lab.faults.clear('off');
  const trace = lab.recorder.find({ from: 'cloudcache', to: 'cloud' }).slice(0, 6).map((e) => `${e.kind.padEnd(8)} ${e.from} -> ${e.to}:${e.port} ${e.summary}`);
  out['trace'] = '```text\n' + trace.join('\n') + '\n```';
  await lab.stop();
  const tpl = readFileSync(new URL('./cloud-api.template.md', import.meta.url), 'utf8');
  const doc = tpl.replace(/\{\{(\S+?)\}\}/g, (_, k) => out[k] ?? `MISSING CAPTURE ${k}`);
  writeFileSync(new URL('../../../docs/cloud-api.md', import.meta.url), doc);
  const missing = [...doc.matchAll(/MISSING CAPTURE (\S+)/g)].map((m) => m[1]);
  console.log('unused:', Object.keys(out).filter((k) => !tpl.includes(`{{${k}}}`)), 'missing:', missing);
}
main();
