import { readFile } from 'node:fs/promises';
import { describe, expect, it, beforeAll } from 'vitest';
import { parse } from 'yaml';
import { describeLab } from '../../simulators/deploy/describe.ts';
import { composeYaml, DEFAULT_NETWORK } from '../../simulators/deploy/compose.ts';
import { checkCompose } from '../../simulators/deploy/check.ts';
import { addressOf, type DeployPlan } from '../../simulators/deploy/plan.ts';
import { startLab } from '../../simulators/lab.ts';

const COMPOSE = new URL('../../docker-compose.yml', import.meta.url);

describe('docker-compose.yml against the lab topology', () => {
  let plan: DeployPlan;
  let committed: string;
  let doc: Record<string, any>;

  beforeAll(async () => {
    plan = await describeLab({ network: DEFAULT_NETWORK });
    committed = await readFile(COMPOSE, 'utf8');
    doc = parse(committed);
  });

  it('is exactly what the generator makes from the current topology', () => {
    // On failure: npx tsx simulators/deploy/generate.ts
    expect(committed).toBe(composeYaml(plan));
  });

  it('has every component with its hostname, address and real ports, the certificate one-shot and the proxy', () => {
    expect(checkCompose(doc, plan)).toEqual([]);
  });

  it('covers every listener of a freshly started embedded lab', async () => {
    const lab = await startLab({ singleHost: true });
    try {
      for (const e of lab.endpoints()) {
        const service = doc.services[e.component];
        expect(service, e.component).toBeDefined();
        expect(service.hostname).toBe(e.hostname);
        expect(service.expose).toContain(`${e.realPort}/${e.transport}`);
      }
    } finally {
      await lab.stop();
    }
  });

  it('gives every host its own address and the vSphere side and CloudCache a home that runs them', () => {
    const addresses = plan.units.map((u) => addressOf(plan, u.component));
    expect(new Set([...addresses, addressOf(plan, 'proxy')]).size).toBe(plan.units.length + 1);
    const kindOf = (c: string) => plan.units.find((u) => u.component === c)!.kind;
    for (const u of plan.units) {
      if (['esxi', 'guest'].includes(u.kind)) expect(u.home).toBe('vcenter');
      if (u.kind === 'cloudcache') expect(u.home).toBe('cloud');
      if (u.home !== u.component) {
        expect(doc.services[u.component].depends_on[u.home].condition).toBe('service_healthy');
        expect(kindOf(u.home)).not.toBe(u.kind);
      }
    }
    // Backend ports on one home never collide.
    for (const home of new Set(plan.units.map((u) => u.home))) {
      const ports = plan.units.filter((u) => u.home === home && u.component !== home).flatMap((u) => u.listeners.map((l) => l.backendPort));
      expect(new Set(ports).size).toBe(ports.length);
    }
  });

  it('reports what is missing from a compose file that does not fit', () => {
    const broken = structuredClone(doc);
    delete broken.services['esxi-02'];
    broken.services['esxi-01'].expose = ['443/tcp'];
    broken.services.vcenter.hostname = 'vc.example.com';
    broken.services.proxy.networks.lab.ipv4_address = '10.0.0.1';
    const problems = checkCompose(broken, plan);
    expect(problems).toContain('esxi-02: no service');
    expect(problems).toContain('esxi-01: port 902/tcp (authd) not exposed');
    expect(problems).toContain('vcenter: hostname is vc.example.com, expected vcenter.lab.test');
    expect(problems).toContain(`proxy: address is 10.0.0.1, expected ${addressOf(plan, 'proxy')}`);
  });
});
