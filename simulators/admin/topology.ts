import type { CoreLab } from '../core/lab.ts';

/** The lab as `bpsim up --json` describes it: addressing, credentials and every endpoint. */
export function topologyOf(lab: CoreLab<unknown>) {
  return {
    addressBlock: lab.addresses.block,
    portMode: lab.options.singleHost ? 'single-host' : lab.portMode,
    singleHost: !!lab.options.singleHost,
    caFile: lab.ca.certFile ?? lab.caFile,
    credentials: lab.credentials,
    endpoints: lab.endpoints(),
  };
}
