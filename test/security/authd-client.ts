import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as tcpConnect } from 'node:net';
import type { Endpoint } from '../../simulators/core/types.ts';

/**
 * A minimal vmware-authd client written from the wire description (banner line in clear, TLS on the
 * same socket, CRLF command lines, "NNN text" replies), independent of bpsim's NFC client.
 */
export class RawAuthd {
  private buffered = '';
  private waiting: (() => void) | undefined;
  closed = false;

  private constructor(readonly tls: TLSSocket) {
    tls.setEncoding('utf8');
    tls.on('data', (d: string) => {
      this.buffered += d;
      this.waiting?.();
    });
    tls.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    tls.on('error', () => {});
  }

  static async open(ep: Endpoint): Promise<RawAuthd> {
    const raw = tcpConnect({ host: ep.bindAddress, port: ep.port });
    await new Promise<void>((resolve, reject) => {
      let banner = '';
      raw.on('data', function onData(d: Buffer) {
        banner += d.toString('latin1');
        if (!banner.includes('\r\n')) return;
        raw.off('data', onData);
        raw.pause();
        resolve();
      });
      raw.once('error', reject);
    });
    const tls = tlsConnect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
    return new RawAuthd(tls);
  }

  /** Sends one command and returns the next reply line, or undefined when the server closed. */
  async command(line: string): Promise<string | undefined> {
    this.tls.write(`${line}\r\n`);
    for (;;) {
      const at = this.buffered.indexOf('\r\n');
      if (at >= 0) {
        const reply = this.buffered.slice(0, at);
        this.buffered = this.buffered.slice(at + 2);
        return reply;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  /** Resolves once the server has closed the connection. */
  async ended(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => (this.waiting = resolve));
  }

  close(): void {
    this.tls.destroy();
  }

  async login(user: string, password: string): Promise<string | undefined> {
    await this.command(`USER ${user}`);
    return this.command(`PASS ${password}`);
  }
}
