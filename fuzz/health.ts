import { createSocket } from 'node:dgram';
import { rawConnect, rawExchange, type RawTarget } from './raw-http.ts';
import { NMAP_RDP, sntpRequest, type ListenerKind } from './cases.ts';

const RSC = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent></soapenv:Body></soapenv:Envelope>';

/** First bytes a TCP listener sends after `send` (nothing: just connect), or undefined by the deadline. */
function firstBytes(t: RawTarget, send: Buffer | undefined, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = rawConnect(t);
    const done = (b?: Buffer) => {
      clearTimeout(timer);
      s.destroy();
      resolve(b);
    };
    const timer = setTimeout(() => done(), timeoutMs);
    s.on('error', () => done());
    s.once('data', (d: Buffer) => done(d));
    if (send) s.once('connect', () => s.write(send));
  });
}

function ntpReply(t: RawTarget, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = (b?: Buffer) => {
      clearTimeout(timer);
      s.close();
      resolve(b);
    };
    const timer = setTimeout(() => done(), timeoutMs);
    s.on('message', (m) => done(m));
    s.on('error', () => done());
    s.send(sntpRequest(), t.port, t.host);
  });
}

/** A valid request in the listener's protocol; resolves with what is wrong, or undefined if it was served. */
export async function healthProblem(kind: ListenerKind, t: RawTarget, auth: { guestToken?: string }, timeoutMs: number): Promise<string | undefined> {
  switch (kind) {
    case 'soap': {
      const a = await rawExchange(t, { head: 'POST /sdk HTTP/1.1\r\nhost: lab\r\ncontent-type: text/xml\r\nsoapaction: urn:vim25/8.0.2.0', body: Buffer.from(RSC), timeoutMs });
      return a.status === 200 && a.body.includes('ServiceContent') ? undefined : `RetrieveServiceContent: ${a.status ?? a.outcome}`;
    }
    case 'rest':
    case 'admin': {
      const path = kind === 'admin' ? '/health' : auth.guestToken ? '/api/v1/status' : '/api/v1/storage';
      const a = await rawExchange(t, { head: `GET ${path} HTTP/1.1\r\nhost: lab${auth.guestToken ? `\r\nauthorization: Bearer ${auth.guestToken}` : ''}`, timeoutMs });
      // Unauthenticated cloud requests get 401: an answer in the API's form is what counts.
      return a.status !== undefined && a.status < 500 ? undefined : `GET ${path}: ${a.status ?? a.outcome}`;
    }
    case 'authd': {
      const b = await firstBytes(t, undefined, timeoutMs);
      return b?.toString('latin1').startsWith('220 ') ? undefined : 'no 220 banner';
    }
    case 'ssh': {
      const b = await firstBytes(t, undefined, timeoutMs);
      return b?.toString('latin1').startsWith('SSH-2.0-') ? undefined : 'no SSH identification';
    }
    case 'rdp': {
      const b = await firstBytes(t, NMAP_RDP, timeoutMs);
      return b?.[0] === 3 && b[1] === 0 ? undefined : 'no X.224 Connection Confirm';
    }
    case 'ntp': {
      const b = await ntpReply(t, timeoutMs);
      return b?.length === 48 && (b[0]! & 7) === 4 ? undefined : 'no SNTP reply';
    }
  }
}
