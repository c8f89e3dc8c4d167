import { addressOf, type DeployPlan } from './plan.ts';
import { CERTS_MOUNT, NETWORK_NAME } from './compose.ts';
import { LAB_FILE } from './certs.ts';

interface ServiceLike {
  hostname?: string;
  command?: string[];
  expose?: string[];
  networks?: Record<string, { ipv4_address?: string; aliases?: string[] }>;
  volumes?: string[];
}

/**
 * What a compose document must hold for a plan, whoever wrote it: a service per component with
 * its hostname, plan address and every real port, serving that component from the certificate
 * volume; the certificate one-shot; a proxy service that runs proxy jobs with the plan's endpoints.
 * Returns the problems found (empty when it fits).
 */
export function checkCompose(doc: unknown, plan: DeployPlan): string[] {
  const problems: string[] = [];
  const services = ((doc as { services?: Record<string, ServiceLike> })?.services ?? {}) as Record<string, ServiceLike>;
  const subnet = (doc as { networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }> })?.networks?.[NETWORK_NAME]?.ipam?.config?.[0]?.subnet;
  if (subnet !== `${plan.network}.0/24`) problems.push(`network ${NETWORK_NAME}: subnet is ${subnet}, the plan uses ${plan.network}.0/24`);
  const onNetwork = (name: string, s: ServiceLike, hostname: string, address: string) => {
    if (s.hostname !== hostname) problems.push(`${name}: hostname is ${s.hostname}, expected ${hostname}`);
    const net = s.networks?.[NETWORK_NAME];
    if (net?.ipv4_address !== address) problems.push(`${name}: address is ${net?.ipv4_address}, expected ${address}`);
    if (!net?.aliases?.includes(hostname)) problems.push(`${name}: ${hostname} is not a network alias`);
    if (!s.volumes?.some((v) => v.startsWith(`certs:${CERTS_MOUNT}`))) problems.push(`${name}: the certificate volume is not mounted at ${CERTS_MOUNT}`);
  };
  const flag = (cmd: string[] | undefined, name: string) => (cmd ? cmd[cmd.indexOf(name) + 1] : undefined);
  for (const u of plan.units) {
    const s = services[u.component];
    if (!s) {
      problems.push(`${u.component}: no service`);
      continue;
    }
    onNetwork(u.component, s, u.hostname, addressOf(plan, u.component));
    if (s.command?.[0] !== 'serve' || flag(s.command, '--component') !== u.component) problems.push(`${u.component}: command does not serve ${u.component}: ${JSON.stringify(s.command)}`);
    if (flag(s.command, '--certs') !== CERTS_MOUNT) problems.push(`${u.component}: command does not read ${CERTS_MOUNT}`);
    for (const l of u.listeners) {
      if (!s.expose?.includes(`${l.realPort}/${l.transport}`)) problems.push(`${u.component}: port ${l.realPort}/${l.transport} (${l.listener}) not exposed`);
    }
  }
  const known = new Set([...plan.units.map((u) => u.component), 'certs', 'proxy']);
  for (const name of Object.keys(services)) if (!known.has(name)) problems.push(`${name}: a service for no component of the plan`);
  const certs = services.certs;
  if (certs?.command?.[0] !== 'certs' || flag(certs.command, '--out') !== CERTS_MOUNT || flag(certs.command, '--network') !== plan.network || flag(certs.command, '--seed') !== plan.lab.seed) {
    problems.push(`certs: expected \`certs --out ${CERTS_MOUNT} --network ${plan.network} --seed ${plan.lab.seed}\`, got ${JSON.stringify(certs?.command)}`);
  }
  const proxy = services.proxy;
  if (!proxy) problems.push('proxy: no service');
  else {
    onNetwork('proxy', proxy, plan.proxy.hostname, addressOf(plan, 'proxy'));
    if (proxy.command?.[0] !== 'proxy' || flag(proxy.command, '--lab') !== `${CERTS_MOUNT}/${LAB_FILE}`) problems.push(`proxy: expected \`proxy --lab ${CERTS_MOUNT}/${LAB_FILE} <jobs...>\`, got ${JSON.stringify(proxy.command)}`);
  }
  return problems;
}
