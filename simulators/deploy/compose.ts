import { stringify } from 'yaml';
import { addressOf, type DeployPlan, type PlanUnit } from './plan.ts';
import { LAB_FILE } from './certs.ts';

export const DEFAULT_NETWORK = '172.28.0';
export const IMAGE = 'bpsim:local';
export const CERTS_MOUNT = '/certs';
export const NETWORK_NAME = 'lab';
/** Relative to the image's working directory (/app), as in the Dockerfile. */
export const ENTRYPOINT = ['node', 'bin/bpsim.js'];
/**
 * What the proxy service runs: `bpsim proxy` jobs against the deployment, by hostname on real ports
 * (scenarios need the lab in their own process, so they are not the proxy service's job).
 */
export const PROXY_JOBS = ['vm-backup:web01', 'sql-backup:sql01:full', 'sql-restore:sql01:SalesDB:SalesDB_copy', 'dr-restore:web01:web01-dr'];

const HEADER = `# Generated from the lab topology by \`npx tsx simulators/deploy/generate.ts\`; do not edit.
# One service per component on its own hostname and address, real ports inside the containers.
# vCenter, ESXi hosts and guests share state: the vcenter service runs them all, and each
# esxi/guest service relays its real ports to it (cloudcache likewise to cloud). See docs/deploy.md.
`;

function serveCommand(plan: DeployPlan, u: PlanUnit): string[] {
  return ['serve', '--component', u.component, '--certs', CERTS_MOUNT, '--seed', plan.lab.seed];
}

export function certsCommand(plan: DeployPlan): string[] {
  const extra = [...(plan.lab.vms ? ['--vms', String(plan.lab.vms)] : []), ...(plan.lab.hosts ? ['--hosts', String(plan.lab.hosts)] : [])];
  return ['certs', '--out', CERTS_MOUNT, '--network', plan.network, '--seed', plan.lab.seed, ...extra];
}

/** A TCP connect to the unit's first TCP listener: healthy once its process listens (a relay listens on dynamic ports too). */
function healthcheck(plan: DeployPlan, u: PlanUnit): object | undefined {
  const l = u.listeners.find((x) => x.transport === 'tcp' && (u.home !== u.component || !x.dynamic));
  if (!l) return undefined;
  const probe = `require('net').connect(${l.realPort},'${addressOf(plan, u.component)}').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`;
  return { test: ['CMD', 'node', '-e', probe], interval: '2s', timeout: '2s', retries: 30 };
}

/** The compose document for a plan, as plain data (the test compares it with the committed file). */
export function composeDocument(plan: DeployPlan): Record<string, unknown> {
  const base = { image: IMAGE, entrypoint: ENTRYPOINT, volumes: [`certs:${CERTS_MOUNT}:ro`] };
  const services: Record<string, unknown> = {
    certs: {
      build: '.',
      image: IMAGE,
      entrypoint: ENTRYPOINT,
      command: certsCommand(plan),
      volumes: [`certs:${CERTS_MOUNT}`],
      network_mode: 'none',
    },
  };
  for (const u of plan.units) {
    const check = healthcheck(plan, u);
    services[u.component] = {
      ...base,
      hostname: u.hostname,
      command: serveCommand(plan, u),
      labels: { 'bpsim.component': u.component, 'bpsim.kind': u.kind, 'bpsim.home': u.home },
      expose: u.listeners.map((l) => `${l.realPort}/${l.transport}`),
      networks: { [NETWORK_NAME]: { ipv4_address: addressOf(plan, u.component), aliases: [u.hostname] } },
      depends_on: {
        certs: { condition: 'service_completed_successfully' },
        ...(u.home !== u.component ? { [u.home]: { condition: 'service_healthy' } } : {}),
      },
      ...(check ? { healthcheck: check } : {}),
    };
  }
  services.proxy = {
    ...base,
    hostname: plan.proxy.hostname,
    command: ['proxy', '--lab', `${CERTS_MOUNT}/${LAB_FILE}`, '--name', 'proxy-compose', ...PROXY_JOBS],
    networks: { [NETWORK_NAME]: { ipv4_address: addressOf(plan, 'proxy'), aliases: [plan.proxy.hostname] } },
    depends_on: Object.fromEntries(
      plan.units.map((u) => [u.component, { condition: healthcheck(plan, u) ? 'service_healthy' : 'service_started' }]),
    ),
  };
  return {
    name: 'bpsim',
    services,
    networks: { [NETWORK_NAME]: { driver: 'bridge', internal: true, ipam: { config: [{ subnet: `${plan.network}.0/24` }] } } },
    volumes: { certs: {} },
  };
}

export function composeYaml(plan: DeployPlan): string {
  return HEADER + stringify(composeDocument(plan), { lineWidth: 0, aliasDuplicateObjects: false, flowCollectionPadding: false });
}
