import { createServer, connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority } from '../../simulators/core/pki/ca.ts';

/**
 * The data-path baseline: a raw single-stream node:tls pipe on loopback carrying `totalBytes` from
 * server to client, with the same certificate type and TLS settings as the lab. Returns MB/s
 * (MB = 2^20 bytes) of wall time, and per CPU second of this process (both ends are in it).
 */
export async function tlsPipeMBps(ca: CertificateAuthority, totalBytes: number, chunkBytes = 256 * 1024): Promise<{ wall: number; cpu: number }> {
  const leaf = ca.issue({ commonName: 'pipe.lab.test', dnsNames: ['pipe.lab.test'], ipAddresses: ['127.0.0.1'] });
  const chunk = Buffer.alloc(chunkBytes, 0x5a);
  const server = createServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.2' }, (socket) => {
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        const n = Math.min(chunkBytes, totalBytes - sent);
        sent += n;
        if (!socket.write(n === chunkBytes ? chunk : chunk.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    let got = 0;
    const c = connect({ host: '127.0.0.1', port, servername: 'pipe.lab.test', ca: ca.cert }, () => {});
    c.on('data', (d: Buffer) => (got += d.length));
    c.once('end', () => (got === totalBytes ? resolve() : reject(new Error(`pipe got ${got} of ${totalBytes}`))));
    c.once('error', reject);
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise<void>((r) => server.close(() => r()));
  return { wall: totalBytes / 2 ** 20 / seconds, cpu: totalBytes / 2 ** 20 / ((cpu.user + cpu.system) / 1e6) };
}
