import type { ErrorClass } from '../proxy/errors.ts';

/**
 * Every fault the lab knows, with the proxy's expected reaction and the bundled scenario that shows
 * it (docs/faults.md is the readable form; test/scenarios/fault-catalog.test.ts checks both agree
 * and that each scenario really sets that fault).
 */
export interface CatalogEntry {
  family: 'network' | 'tls' | 'vcenter' | '902' | 'cloud' | 'guest' | 'ntp' | 'probe';
  type: string;
  target: string;
  params: string;
  /** What the proxy does: the job's error class, or "succeeds" when it copes. */
  reaction: ErrorClass | 'succeeds' | 'succeeds after retry';
  /** The bundled scenario (scenarios/bundled/<name>.yaml) that shows the reaction. */
  shownIn: string;
}

const net = (type: string, params: string, reaction: CatalogEntry['reaction'], target = 'any TCP listener'): CatalogEntry => ({ family: 'network', type, target, params, reaction, shownIn: 'network-faults' });
const tls = (type: string): CatalogEntry => ({ family: 'tls', type, target: 'any TLS listener (incl. 902)', params: '-', reaction: 'tls', shownIn: 'tls-faults' });

export const FAULT_CATALOG: readonly CatalogEntry[] = [
  net('refuse', '-', 'network'),
  net('blackhole', '-', 'ntp-unavailable', 'any listener (TCP or UDP)'),
  net('latency', 'ms, jitterMs', 'succeeds'),
  net('bandwidth', 'bytesPerSecond', 'succeeds'),
  net('slice', 'size, delayMs', 'succeeds'),
  // Once: resumed on a new NFC session (nfc-resume); on every connection: nfc after 3 resumes (network-faults).
  { family: 'network', type: 'reset-after', target: 'any TCP listener', params: 'bytes', reaction: 'succeeds', shownIn: 'nfc-resume' },
  tls('tls-expired'),
  tls('tls-wrong-host'),
  tls('tls-unknown-ca'),
  tls('tls-legacy-only'),
  tls('tls-thumbprint-changed'),
  { family: 'vcenter', type: 'invalid-login', target: 'vcenter or esxi-NN', params: '-', reaction: 'auth', shownIn: 'vcenter-faults' },
  { family: 'vcenter', type: 'session-expired', target: 'vcenter or esxi-NN', params: '-', reaction: 'succeeds after retry', shownIn: 'vcenter-faults' },
  { family: 'vcenter', type: 'snapshot-quiesce-failure', target: 'vcenter or esxi-NN', params: '-', reaction: 'succeeds', shownIn: 'quiesce-fallback' },
  { family: 'vcenter', type: 'snapshot-stuck', target: 'vcenter or esxi-NN', params: '-', reaction: 'timeout', shownIn: 'vcenter-faults' },
  { family: 'vcenter', type: 'cbt-reset', target: 'vcenter or esxi-NN', params: 'vm', reaction: 'succeeds', shownIn: 'cbt-reset' },
  { family: 'vcenter', type: 'guest-ops-unavailable', target: 'vcenter or esxi-NN', params: '-', reaction: 'guest', shownIn: 'vcenter-faults' },
  { family: 'vcenter', type: 'invalid-guest-login', target: 'vcenter or esxi-NN', params: '-', reaction: 'guest', shownIn: 'vcenter-faults' },
  { family: 'vcenter', type: 'ticket-rejected', target: 'vcenter', params: '-', reaction: 'auth', shownIn: 'nfc-faults' },
  { family: '902', type: 'ticket-rejected', target: 'esxi-NN or esxi-NN:authd', params: '-', reaction: 'ticket', shownIn: 'nfc-faults' },
  { family: '902', type: 'nfc-read-error', target: 'esxi-NN or esxi-NN:authd', params: 'offset', reaction: 'nfc', shownIn: 'nfc-faults' },
  { family: 'cloud', type: 'cloud-unavailable', target: 'cloud', params: 'retryAfterSeconds', reaction: 'succeeds after retry', shownIn: 'cloud-retry-after' },
  { family: 'cloud', type: 'cloud-quota-exceeded', target: 'cloud', params: '-', reaction: 'quota', shownIn: 'cloud-quota' },
  { family: 'cloud', type: 'cloudcache-offline', target: 'cloudcache', params: '-', reaction: 'succeeds', shownIn: 'cloudcache-offline' },
  { family: 'cloud', type: 'cloudcache-sync-stalled', target: 'cloudcache', params: '-', reaction: 'not-found', shownIn: 'cloudcache-sync-stalled' },
  { family: 'cloud', type: 'block-corrupted', target: 'cloud or cloudcache', params: 'hash', reaction: 'integrity', shownIn: 'corrupted-block' },
  { family: 'guest', type: 'vss-writer-failed', target: 'guest-<vm>', params: 'phase, error', reaction: 'vss', shownIn: 'guest-faults' },
  { family: 'guest', type: 'vss-freeze-timeout', target: 'guest-<vm>', params: 'limitSeconds', reaction: 'vss', shownIn: 'guest-faults' },
  { family: 'guest', type: 'sql-plugin-not-starting', target: 'guest-<vm>', params: 'exitCode, reason', reaction: 'guest', shownIn: 'guest-faults' },
  { family: 'guest', type: 'guestossvc-down', target: 'guest-<vm>', params: 'exitCode', reaction: 'guest', shownIn: 'guest-faults' },
  { family: 'guest', type: 'guest-credentials-rejected', target: 'guest-<vm>', params: 'message', reaction: 'guest', shownIn: 'guest-faults' },
  { family: 'guest', type: 'broken-log-chain', target: 'guest-<vm>', params: 'mode', reaction: 'sql', shownIn: 'broken-log-chain' },
  { family: 'ntp', type: 'ntp-skew', target: 'ntp', params: 'offsetMs', reaction: 'clock-skew', shownIn: 'ntp-faults' },
  { family: 'ntp', type: 'ntp-kod', target: 'ntp', params: 'code', reaction: 'ntp-unavailable', shownIn: 'ntp-faults' },
  { family: 'ntp', type: 'ntp-unsynchronized', target: 'ntp', params: '-', reaction: 'ntp-unavailable', shownIn: 'ntp-faults' },
  { family: 'ntp', type: 'ntp-silent', target: 'ntp', params: '-', reaction: 'ntp-unavailable', shownIn: 'ntp-faults' },
  { family: 'probe', type: 'refuse', target: 'guest-<vm> or guest-<vm>:ssh / :rdp', params: '-', reaction: 'probe', shownIn: 'probe-closed' },
];
