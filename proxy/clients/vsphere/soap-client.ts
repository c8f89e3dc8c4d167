import { isXObject, MoRef, parseSoap, requestEnvelope, XmlRejected, type XObject, type XValue } from '../../../simulators/core/codecs/vim25/index.ts';
import type { HttpsClient } from '../../net/https-client.ts';

/** A vim fault answered by the server: `faultType` is the vim type ("InvalidLogin", "FileFault"...). */
export class VimFaultError extends Error {
  constructor(
    readonly faultType: string,
    message: string,
    readonly detail: XObject = {},
  ) {
    super(`${faultType}: ${message}`);
  }
}

export interface SoapClientOptions {
  path?: string;
  /** vim25 API version sent in SOAPAction. */
  version?: string;
  timeoutMs?: number;
}

/** vim25 over HTTPS: one envelope per call, the session cookie kept like a browser would. */
export class VimSoapClient {
  private cookie?: string;
  /** Logs in again after the server dropped the session (the proxy sets it); the failed call is retried once. */
  reauth?: () => Promise<void>;

  constructor(
    private readonly http: HttpsClient,
    readonly host: string,
    readonly port = 443,
    private readonly opts: SoapClientOptions = {},
  ) {}

  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  async call(method: string, self: MoRef, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<XValue | undefined> {
    try {
      return await this.callOnce(method, self, args, timeoutMs);
    } catch (err) {
      // An expired session (vCenter restarted, idle timeout) costs one new login, not the job.
      if (!(err instanceof VimFaultError) || err.faultType !== 'NotAuthenticated' || !this.reauth || /^(Login|Logout)$/.test(method)) throw err;
      this.cookie = undefined;
      await this.reauth();
      return this.callOnce(method, self, args, timeoutMs);
    }
  }

  private async callOnce(method: string, self: MoRef, args: Record<string, unknown>, timeoutMs?: number): Promise<XValue | undefined> {
    const body = requestEnvelope(method, self, args);
    const res = await this.http.request({
      host: this.host,
      port: this.port,
      method: 'POST',
      path: this.opts.path ?? '/sdk',
      body,
      timeoutMs: timeoutMs ?? this.opts.timeoutMs ?? 60_000,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: `urn:vim25/${this.opts.version ?? '8.0.2.0'}`,
        ...(this.cookie ? { cookie: `vmware_soap_session="${this.cookie}"` } : {}),
      },
    });
    for (const c of res.headers['set-cookie'] ?? []) {
      const m = /vmware_soap_session="?([^";]+)"?/.exec(c);
      if (m) this.cookie = m[1];
    }
    let msg;
    try {
      msg = parseSoap(res.text());
    } catch (err) {
      const why = err instanceof XmlRejected ? err.message : String(err);
      throw new VimFaultError('TransportError', `HTTP ${res.status} from ${this.host}: ${why}`);
    }
    if (msg.name === 'Fault') {
      const detail = isXObject(msg.body.detail) ? msg.body.detail : {};
      const inner = Object.entries(detail).find(([k]) => k !== '_type');
      const type = inner && isXObject(inner[1]) && inner[1]._type ? inner[1]._type : (inner?.[0].replace(/Fault$/, '') ?? 'SystemError');
      throw new VimFaultError(type, String(msg.body.faultstring ?? ''), inner && isXObject(inner[1]) ? inner[1] : {});
    }
    return msg.body.returnval;
  }

  forget(): void {
    this.cookie = undefined;
  }
}
