import type { ProxyNet } from '../net/proxy-net.ts';
import type { HttpsClient } from '../net/https-client.ts';
import type { CloudClient } from '../clients/cloud/cloud-client.ts';
import type { VsphereClient } from '../clients/vsphere/index.ts';
import type { ProxyConfig } from '../config.ts';
import type { ProxyEvents } from '../events.ts';
import type { DataTarget } from './data-target.ts';

/** What a flow works with: the wire clients, the configuration, and a way to say what it is doing. */
export interface FlowContext {
  job: string;
  config: ProxyConfig;
  net: ProxyNet;
  http: HttpsClient;
  /** Control plane and metadata: always the cloud. */
  cloud: CloudClient;
  /** Where data blocks go and come from: CloudCache when reachable, else the cloud. */
  data: DataTarget;
  vsphere(): Promise<VsphereClient>;
  events: ProxyEvents;
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  progress(phase: string, bytesDone: number, bytesTotal: number, bytesSent: number): void;
}
