import { describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sharedVcLab } from './helpers.ts';

const run = promisify(execFile);
const lab = sharedVcLab();

const vmSpec = (name: string) => lab().lab.world.inventory.vms.find((v) => v.name === name)!;
const hostOf = (name: string) => lab().lab.world.inventory.hosts.find((h) => h.moid === vmSpec(name).host)!;
function endpoint(component: string) {
  const e = lab().lab.endpoints().find((x) => x.component === component && x.listener === 'https')!;
  return `https://${e.bindAddress}:${e.port}`;
}
const vcAuth = () => `${lab().lab.credentials.vcenter!.user}:${lab().lab.credentials.vcenter!.password}`;
const esxAuth = () => `${lab().lab.credentials.esxi!.user}:${lab().lab.credentials.esxi!.password}`;
const q = (dc: string, ds: string) => `?dcPath=${encodeURIComponent(dc)}&dsName=${encodeURIComponent(ds)}`;

/** curl, the independent HTTP client: status, headers and body file. */
async function curl(url: string, opts: { auth?: string; method?: string; upload?: string; range?: string; head?: boolean; pathAsIs?: boolean } = {}) {
  const out = join(lab().lab.tempDir, `curl-${Math.random().toString(36).slice(2)}`);
  const args = ['-s', '--cacert', lab().lab.caFile, '-o', out, '-D', '-', '-w', '\n%{http_code}'];
  if (opts.auth) args.push('-u', opts.auth);
  if (opts.method) args.push('-X', opts.method);
  if (opts.upload) args.push('-T', opts.upload);
  if (opts.range) args.push('-r', opts.range);
  if (opts.head) args.push('-I');
  if (opts.pathAsIs) args.push('--path-as-is');
  const { stdout } = await run('curl', [...args, url], { maxBuffer: 1 << 20 });
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const headers = Object.fromEntries(lines.filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const body = opts.head ? Buffer.alloc(0) : await readFile(out).catch(() => Buffer.alloc(0));
  return { status, headers, body };
}

/** The .vmx parsed as ESXi writes it: `key = "value"` lines. */
function parseVmx(text: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([^=]+?)\s*=\s*"(.*)"\s*$/.exec(line);
    if (m) kv[m[1]!] = m[2]!;
  }
  return kv;
}

describe('/folder on vCenter (curl)', () => {
  test('GET <vm>/<vm>.vmx: disks and CBT match the inventory, for a CBT and a non-CBT VM', async () => {
    for (const name of ['web01', 'sql01']) {
      const spec = vmSpec(name);
      const ds = spec.disks[0]!.datastore;
      const r = await curl(`${endpoint('vcenter')}/folder/${name}/${name}.vmx${q('Lab-DC', ds)}`, { auth: vcAuth() });
      expect(r.status).toBe(200);
      const kv = parseVmx(r.body.toString('utf8'));
      expect(kv.displayName).toBe(name);
      expect(kv.ctkEnabled).toBe(spec.cbtEnabled ? 'TRUE' : 'FALSE');
      const scsiFiles = Object.keys(kv).filter((k) => /^scsi\d+:\d+\.fileName$/.test(k));
      expect(scsiFiles).toHaveLength(spec.disks.length);
      for (const d of spec.disks) {
        expect(kv[`scsi0:${d.unitNumber}.present`]).toBe('TRUE');
        expect(d.fileName.endsWith(`/${kv[`scsi0:${d.unitNumber}.fileName`]}`)).toBe(true);
        expect(kv[`scsi0:${d.unitNumber}.ctkEnabled`]).toBe(spec.cbtEnabled ? 'TRUE' : 'FALSE');
      }
    }
  });

  test('the disk descriptor names its flat extent with the disk capacity in sectors; a Range of -flat.vmdk is the disk bytes', async () => {
    const spec = vmSpec('web01');
    const d = spec.disks[0]!;
    const base = `${endpoint('vcenter')}/folder/web01/web01`;
    const desc = await curl(`${base}.vmdk${q('Lab-DC', d.datastore)}`, { auth: vcAuth() });
    expect(desc.body.toString()).toContain(`RW ${d.capacityBytes / 512} VMFS "web01-flat.vmdk"`);
    expect(desc.body.toString()).toContain('changeTrackPath="web01-ctk.vmdk"');
    const head = await curl(`${base}-flat.vmdk${q('Lab-DC', d.datastore)}`, { auth: vcAuth(), head: true });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(d.capacityBytes);
    const disk = lab().lab.world.disks.get(spec.moid, d.key) ?? lab().lab.world.disks.create(spec.moid, d);
    const at = disk.allocatedExtents()[0]!.start;
    const part = await curl(`${base}-flat.vmdk${q('Lab-DC', d.datastore)}`, { auth: vcAuth(), range: `${at}-${at + 65535}` });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes ${at}-${at + 65535}/${d.capacityBytes}`);
    expect(part.body.equals(disk.read({ disk, readOnly: true }, at, 65536))).toBe(true);
    expect((await curl(`${base}-flat.vmdk${q('Lab-DC', d.datastore)}`, { auth: vcAuth(), range: `${d.capacityBytes}-` })).status).toBe(416);
  });

  test('PUT, GET the same bytes, replace, DELETE; VM files cannot be deleted', async () => {
    const ds = vmSpec('web01').disks[0]!.datastore;
    const file = join(lab().lab.tempDir, 'upload.bin');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));
    await writeFile(file, bytes);
    const url = `${endpoint('vcenter')}/folder/restores/web01/notes.bin${q('Lab-DC', ds)}`;
    expect((await curl(url, { auth: vcAuth(), upload: file })).status).toBe(201);
    const back = await curl(url, { auth: vcAuth() });
    expect(createHash('sha256').update(back.body).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((await curl(url, { auth: vcAuth(), upload: file })).status).toBe(200);
    const listing = await curl(`${endpoint('vcenter')}/folder/restores/web01${q('Lab-DC', ds)}`, { auth: vcAuth() });
    expect(listing.headers['content-type']).toMatch(/text\/html/);
    expect(listing.body.toString()).toContain('notes.bin');
    expect((await curl(url, { auth: vcAuth(), method: 'DELETE' })).status).toBe(204);
    expect((await curl(url, { auth: vcAuth() })).status).toBe(404);
    expect((await curl(`${endpoint('vcenter')}/folder/web01/web01.vmx${q('Lab-DC', ds)}`, { auth: vcAuth(), method: 'DELETE' })).status).toBe(403);
    expect((await curl(`${endpoint('vcenter')}/folder/web01/web01-flat.vmdk${q('Lab-DC', ds)}`, { auth: vcAuth(), upload: file })).status).toBe(403);
  });

  test('401 without credentials or with a wrong password; 404 for a missing file, datacenter or datastore; 400 for an escaping path; 405; 413', async () => {
    const ds = vmSpec('web01').disks[0]!.datastore;
    const vmx = `${endpoint('vcenter')}/folder/web01/web01.vmx`;
    const anon = await curl(`${vmx}${q('Lab-DC', ds)}`);
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await curl(`${vmx}${q('Lab-DC', ds)}`, { auth: 'administrator@vsphere.local:wrong' })).status).toBe(401);
    expect((await curl(`${endpoint('vcenter')}/folder/web01/none.vmx${q('Lab-DC', ds)}`, { auth: vcAuth() })).status).toBe(404);
    expect((await curl(`${vmx}${q('Other-DC', ds)}`, { auth: vcAuth() })).status).toBe(404);
    expect((await curl(`${vmx}?dsName=${ds}`, { auth: vcAuth() })).status).toBe(404);
    expect((await curl(`${vmx}${q('Lab-DC', 'nosuchds')}`, { auth: vcAuth() })).status).toBe(404);
    expect((await curl(`${endpoint('vcenter')}/folder/web01%2F..%2F..%2Fetc%2Fpasswd${q('Lab-DC', ds)}`, { auth: vcAuth(), pathAsIs: true })).status).toBe(400);
    expect((await curl(`${vmx}${q('Lab-DC', ds)}`, { auth: vcAuth(), method: 'POST' })).status).toBe(405);
    // A declared size over the limit is refused before any byte is read.
    const e = lab().lab.endpoints().find((x) => x.component === 'vcenter' && x.listener === 'https')!;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: e.bindAddress, port: e.port, ca: lab().lab.ca.cert, servername: 'vcenter.lab.test', method: 'PUT', path: `/folder/big.bin${q('Lab-DC', ds)}`, headers: { 'content-length': String(65 * 1024 * 1024), authorization: `Basic ${Buffer.from(vcAuth()).toString('base64')}` } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024));
    });
    expect(status).toBe(413);
    // The server keeps serving.
    expect((await curl(`${vmx}${q('Lab-DC', ds)}`, { auth: vcAuth() })).status).toBe(200);
  });
});

describe('/folder on the ESXi host agent (curl)', () => {
  test('the host serves the same datastore files under ha-datacenter, only its own datastores', async () => {
    const spec = vmSpec('vault01');
    const host = hostOf('vault01');
    const ds = spec.disks[0]!.datastore;
    const path = `/folder/vault01/vault01.vmx`;
    const fromHost = await curl(`${endpoint(host.component)}${path}${q('ha-datacenter', ds)}`, { auth: esxAuth() });
    const fromVc = await curl(`${endpoint('vcenter')}${path}${q('Lab-DC', ds)}`, { auth: vcAuth() });
    expect(fromHost.status).toBe(200);
    expect(fromHost.body.equals(fromVc.body)).toBe(true);
    expect((await curl(`${endpoint(host.component)}${path}${q('Lab-DC', ds)}`, { auth: esxAuth() })).status).toBe(404);
    const other = lab().lab.world.inventory.datastores.find((d) => !host.datastores.includes(d.moid))!;
    expect((await curl(`${endpoint(host.component)}/folder/x${q('ha-datacenter', other.name)}`, { auth: esxAuth() })).status).toBe(404);
    expect((await curl(`${endpoint(host.component)}${path}${q('ha-datacenter', ds)}`)).status).toBe(401);
  });
});
