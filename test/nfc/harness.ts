import { CoreLab } from '../../simulators/core/lab.ts';
import { buildInventory } from '../../simulators/inventory/index.ts';
import { createDiskStore, type SimDiskStore } from '../../simulators/disk/index.ts';
import { NfcTicketStore } from '../../simulators/esxi/tickets.ts';
import { startNfcServer } from '../../simulators/esxi/nfc/index.ts';
import { mergeCredentials } from '../../simulators/credentials.ts';
import type { LabWorld } from '../../simulators/world.ts';
import type { VmSpec } from '../../simulators/inventory/types.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { connectAuthd } from '../../proxy/clients/nfc/index.ts';
import type { ServerTimeouts } from '../../simulators/core/net/timeouts.ts';
import { ByteReader, NFC_MSG_SIZE, NfcMsg, classicType, encodeClassic, encodeConnectionData, encodeVersion } from '../../simulators/core/codecs/nfc/index.ts';
import type { Duplex } from 'node:stream';

export interface NfcLab {
  lab: CoreLab<LabWorld>;
  world: LabWorld;
  disks: SimDiskStore;
  tickets: NfcTicketStore;
  net: ProxyNet;
  host: string;
  sha1: string;
  vm(name: string): VmSpec;
  /** A ticket for the host, as vCenter's NfcRandomAccessOpenDisk / NfcGetVmFiles would issue it. */
  ticket(vm: VmSpec, files: string[], mode?: 'read' | 'readwrite', host?: string): ReturnType<NfcTicketStore['issue']>;
}

/** One ESXi-like component serving 902 over the default inventory; tickets issued straight from the store. */
export async function startNfcLab(opts: { seed?: string; ports?: 'offset'; timeouts?: ServerTimeouts } = {}): Promise<NfcLab> {
  const seed = opts.seed ?? 'nfc-test';
  const lab = await CoreLab.create<LabWorld>({ seed, options: {} } as LabWorld, { credentials: mergeCredentials(), timeouts: opts.timeouts });
  const world = lab.world;
  world.inventory = buildInventory({ seed, domain: 'lab.test' }, (n) => lab.addressOf(n));
  const disks = createDiskStore(world.inventory);
  world.disks = disks;
  world.nfcTickets = new NfcTicketStore();
  const host = world.inventory.hosts[0]!;
  await lab.start([{ name: host.component, kind: 'esxi', hostname: host.name, start: async (ctx) => void (await startNfcServer(ctx)) }]);
  const net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
  const sha1 = lab.component(host.component)!.cert.sha1;
  return {
    lab,
    world,
    disks,
    tickets: world.nfcTickets,
    net,
    host: host.name,
    sha1,
    vm: (name) => world.inventory.vms.find((v) => v.name === name)!,
    ticket: (vm, files, mode = 'read', h = host.name) =>
      world.nfcTickets.issue({ host: h, sslThumbprint: sha1, mode, vm: vm.moid, files }),
  };
}

/** An NFC stream right after authd's PROXY (a ticket for web01's first disk), before the classic handshake. */
export async function nfcStream(t: NfcLab): Promise<{ s: Duplex; r: ByteReader }> {
  const vm = t.vm('web01');
  const path = t.disks.get(vm.moid, 2000)!.currentFileName;
  const s = await connectAuthd(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId: t.ticket(vm, [path]).sessionId });
  return { s, r: new ByteReader(s, 1 << 20, 10_000) };
}

/** An NFC stream past the classic handshake, in the asynchronous I/O phase, written by hand (not bpsim's client). */
export async function aioReady(t: NfcLab): Promise<{ s: Duplex; r: ByteReader }> {
  const { s, r } = await nfcStream(t);
  s.write(encodeClassic(NfcMsg.HANDSHAKE, Buffer.from('PlainText')));
  s.write(encodeClassic(NfcMsg.SESSION_PARAMS));
  if (classicType(await r.read(NFC_MSG_SIZE)) !== NfcMsg.SESSION_PARAMS_REPLY) throw new Error('no SESSION_PARAMS_REPLY');
  s.write(encodeVersion(11));
  if ((await r.read(NFC_MSG_SIZE)).readUInt32LE(4) !== 11) throw new Error('version 11 refused');
  s.write(encodeConnectionData(4, 7));
  s.write('vddknbdmode');
  s.write(encodeClassic(NfcMsg.AIO_SESSION_OPEN));
  if (classicType(await r.read(NFC_MSG_SIZE)) !== NfcMsg.AIO_SESSION_OPEN) throw new Error('no AIO_SESSION_OPEN');
  return { s, r };
}
