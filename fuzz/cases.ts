import { encodeConnectionRequest } from '../simulators/core/codecs/x224.ts';
import type { SlowKind } from './slow-clients.ts';

/** What kind of peer a listener is, which decides the inputs it gets. */
export type ListenerKind = 'soap' | 'rest' | 'admin' | 'authd' | 'rdp' | 'ssh' | 'ntp';

export type FuzzCase =
  /** Raw bytes on a fresh connection (TLS or not as written: random, ClientHello mutations, protocol frames). */
  | { type: 'bytes'; name: string; data: Buffer; tls: boolean }
  /** One HTTP request over the listener's transport: must get a status line. */
  | { type: 'http'; name: string; head: string; body?: Buffer | { size: number; chunked?: boolean } }
  | { type: 'slow'; name: string; kind: SlowKind }
  /** Connections opened and left idle, all at once. */
  | { type: 'flood'; name: string; count: number }
  | { type: 'datagram'; name: string; data: Buffer };

export type Rand = () => number;

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

export function randomBytes(r: Rand, max: number): Buffer {
  const b = Buffer.alloc(1 + int(r, max));
  for (let i = 0; i < b.length; i++) b[i] = int(r, 256);
  return b;
}

/** Byte-level mutations a fuzzer makes: flips, random runs, cuts, repeats, truncation. */
export function mutate(r: Rand, input: Buffer): Buffer {
  let b = Buffer.from(input);
  for (let n = 1 + int(r, 4); n > 0 && b.length > 0; n--) {
    const at = int(r, b.length);
    switch (int(r, 5)) {
      case 0:
        b[at] = b[at]! ^ (1 << int(r, 8));
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), randomBytes(r, 32), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 16))]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + int(r, 64)), b.subarray(at)]);
        break;
      default:
        b = b.subarray(0, at);
    }
  }
  return b;
}

const SOAP_OPEN = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>';
const SOAP_CLOSE = '</soapenv:Body></soapenv:Envelope>';
const RSC = `${SOAP_OPEN}<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>${SOAP_CLOSE}`;
const LOL = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "lollollollollollollol">' + Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('') + ']>';

function soapBodies(r: Rand): string {
  switch (int(r, 4)) {
    case 0:
      return `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${RSC.replace('ServiceInstance</_this>', '&e;</_this>')}`;
    case 1:
      return `${LOL}${RSC.replace('ServiceInstance</_this>', '&j;</_this>')}`;
    case 2: {
      const depth = 1_000 + int(r, 100_000);
      return `${SOAP_OPEN}${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}${SOAP_CLOSE}`;
    }
    default:
      return mutate(r, Buffer.from(RSC)).toString('latin1');
  }
}

function jsonBodies(r: Rand): string {
  switch (int(r, 3)) {
    case 0: {
      const depth = 100 + int(r, 200_000);
      return `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    }
    case 1:
      return JSON.stringify({ activationToken: 'x'.repeat(int(r, 5000)), proxyName: String.fromCharCode(...Array.from({ length: 20 }, () => int(r, 0xffff))) });
    default:
      return mutate(r, Buffer.from('{"activationToken":"ACT-1","proxyName":"p1","status":{"jobs":[1,2,{"x":null}]}}')).toString('latin1');
  }
}

const REST_PATHS = ['/api/v1/activate', '/api/v1/heartbeat', '/api/v1/jobs', '/api/v1/manifests', '/api/v1/catalog/sql', '/api/v1/backups', '/api/v1/status', '/api/v1/blocks/missing', '/faults', '/scenarios', '/health'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'CONNECT'];

function mutatedHead(r: Rand, method: string, path: string): string {
  const head = `${method} ${path} HTTP/1.1\r\nhost: lab\r\ncontent-type: application/json`;
  if (r() < 0.7) return head;
  // Mutate the head but keep it one header block (an HTTP parser must still find its end).
  return mutate(r, Buffer.from(head)).toString('latin1').replace(/\r\n\r\n/g, '\r\n');
}

function httpCase(r: Rand, kind: ListenerKind): FuzzCase {
  const roll = r();
  if (roll < 0.08) return { type: 'http', name: 'oversized (Content-Length 1 GB)', head: `POST ${kind === 'soap' ? '/sdk' : pick(r, REST_PATHS)} HTTP/1.1\r\nhost: lab\r\ncontent-type: application/json\r\ncontent-length: 1000000000`, body: Buffer.alloc(64 * 1024, 0x20) };
  if (roll < 0.1) return { type: 'http', name: 'oversized chunked (20 MB)', head: `POST ${kind === 'soap' ? '/sdk' : pick(r, REST_PATHS)} HTTP/1.1\r\nhost: lab\r\ncontent-type: application/json`, body: { size: 20 * 1024 * 1024, chunked: true } };
  if (kind === 'soap') {
    const path = r() < 0.9 ? '/sdk' : pick(r, ['/', '/sdk/vimService', '/%', '/guestFile?id=1&token=x', '/folder?dcPath=x']);
    return { type: 'http', name: 'SOAP (mutated, XXE, billion laughs, deep)', head: mutatedHead(r, r() < 0.9 ? 'POST' : pick(r, METHODS), path).replace('application/json', 'text/xml'), body: Buffer.from(soapBodies(r), 'latin1') };
  }
  const method = r() < 0.6 ? 'POST' : pick(r, METHODS);
  return { type: 'http', name: 'REST JSON (mutated, deep)', head: mutatedHead(r, method, r() < 0.9 ? pick(r, REST_PATHS) : `/api/v1/jobs/${pick(r, ['%', '%E0%A4%A', '..%2f..', 'x'.repeat(5000)])}`), body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(jsonBodies(r), 'latin1') };
}

/** authd before TLS: command lines (USER/PASS/PROXY...) and NFC-sized frames; all must be refused cleanly. */
function authdCase(r: Rand): FuzzCase {
  const lines = ['SESSION 52 b2 1f', 'BANNER ', 'THUMBPRINT_SHA2 PlainText', 'PROXY vpxa-nfcssl', 'USER root', 'PASS x', 'QUIT'];
  if (r() < 0.5) return { type: 'bytes', name: 'authd lines', data: mutate(r, Buffer.from(Array.from({ length: 1 + int(r, 5) }, () => pick(r, lines)).join('\r\n') + '\r\n')), tls: false };
  const frame = Buffer.alloc(264);
  frame.writeUInt32LE(pick(r, [0, 4, 7, 8, 20, 0xa100da7a]), 0);
  for (let i = 4; i < 264; i++) frame[i] = int(r, 256);
  return { type: 'bytes', name: 'NFC frames', data: Buffer.concat(Array.from({ length: 1 + int(r, 3) }, () => mutate(r, frame))), tls: false };
}

export function sntpRequest(): Buffer {
  const b = Buffer.alloc(48);
  b[0] = (0 << 6) | (4 << 3) | 3;
  b.writeUInt32BE(Math.floor(Date.now() / 1000) + 2_208_988_800, 40);
  return b;
}

export const NMAP_RDP = encodeConnectionRequest({ cookie: 'mstshash=nmap', requestedProtocols: 3 });

/** One case for a listener; every input is bounded in size. `hello` is a real TLS ClientHello. */
export function makeCase(r: Rand, kind: ListenerKind, tls: boolean, hello: Buffer): FuzzCase {
  if (kind === 'ntp') return r() < 0.3 ? { type: 'datagram', name: 'random datagram', data: randomBytes(r, 600) } : { type: 'datagram', name: 'mutated SNTP request', data: mutate(r, sntpRequest()) };
  const roll = r();
  if (roll < 0.12) return { type: 'bytes', name: 'random bytes', data: randomBytes(r, 4096), tls: false };
  if (roll < 0.24 && (tls || kind === 'authd')) return { type: 'bytes', name: r() < 0.5 ? 'truncated ClientHello' : 'mutated ClientHello', data: r() < 0.5 ? hello.subarray(0, int(r, hello.length)) : mutate(r, hello), tls: false };
  if (roll < 0.3) return { type: 'slow', name: 'slow client', kind: tls || kind === 'admin' ? pick(r, ['idle-tcp', 'idle-tls', 'slow-headers', 'slow-body', 'keep-alive-idle'] as const) : 'idle-tcp' };
  if (roll < 0.32) return { type: 'flood', name: 'idle flood', count: 20 + int(r, 30) };
  switch (kind) {
    case 'authd':
      return authdCase(r);
    case 'rdp':
      return { type: 'bytes', name: 'mutated X.224 Connection Request', data: mutate(r, NMAP_RDP), tls: false };
    case 'ssh':
      return { type: 'bytes', name: 'SSH identification lines', data: mutate(r, Buffer.from(`SSH-2.0-${'OpenSSH_9.6'.repeat(1 + int(r, 30))}\r\n`)), tls: false };
    default:
      return httpCase(r, kind);
  }
}
