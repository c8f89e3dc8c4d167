import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { CoreLab } from '../core/lab.ts';
import type { Endpoint } from '../core/types.ts';
import { CONNECTION_FAULTS, DATAGRAM_FAULTS } from '../core/net/conn-faults.ts';
import { TLS_FAULTS } from '../core/net/tls-faults.ts';

export type ListenerState = 'up' | 'down' | 'faulted';

export interface ListenerHealth {
  listener: string;
  protocol: string;
  transport: 'tcp' | 'udp';
  address: string;
  port: number;
  state: ListenerState;
  /** connect: a TCP connect (plus TLS handshake on TLS listeners); bound: UDP, no generic probe exists. */
  probe: 'connect' | 'tls' | 'bound' | 'skipped';
  ms?: number;
  error?: string;
  /** The active fault that made the probe stand aside (probing would consume or trip it). */
  fault?: { id: string; type: string };
}

export interface ComponentHealth {
  component: string;
  kind: string;
  state: ListenerState;
  listeners: ListenerHealth[];
}

export interface LabHealth {
  status: 'ok' | 'faulted' | 'down';
  components: ComponentHealth[];
}

const worst = (states: ListenerState[]): ListenerState => (states.includes('down') ? 'down' : states.includes('faulted') ? 'faulted' : 'up');

/**
 * Probes every listener the way a client would reach it, in parallel, each within `timeoutMs`. A
 * listener with an active connection or TLS fault is reported as faulted without a probe, so that a
 * health check never uses up a fault's `remaining` count or shows up as the fault's victim.
 */
export async function labHealth(lab: CoreLab<unknown>, opts: { timeoutMs: number; localAddress?: string }): Promise<LabHealth> {
  const endpoints = lab.endpoints();
  const results = await Promise.all(endpoints.map((e) => listenerHealth(lab, e, opts)));
  const byComponent = new Map<string, ComponentHealth>();
  endpoints.forEach((e, i) => {
    let c = byComponent.get(e.component);
    if (!c) byComponent.set(e.component, (c = { component: e.component, kind: e.kind, state: 'up', listeners: [] }));
    c.listeners.push(results[i]!);
  });
  const components = [...byComponent.values()];
  for (const c of components) c.state = worst(c.listeners.map((l) => l.state));
  const overall = worst(components.map((c) => c.state));
  return { status: overall === 'up' ? 'ok' : overall, components };
}

async function listenerHealth(lab: CoreLab<unknown>, e: Endpoint, opts: { timeoutMs: number; localAddress?: string }): Promise<ListenerHealth> {
  const base = { listener: e.listener, protocol: e.protocol, transport: e.transport, address: e.bindAddress, port: e.port };
  const types = e.transport === 'udp' ? [...DATAGRAM_FAULTS] : [...CONNECTION_FAULTS, ...TLS_FAULTS];
  const fault = lab.faults.peek(e.component, types, e.listener);
  if (fault) return { ...base, state: 'faulted', probe: 'skipped', fault: { id: fault.id, type: fault.type } };
  if (e.transport === 'udp') return { ...base, state: 'up', probe: 'bound' };
  const useTls = !!e.sha1;
  const start = performance.now();
  const error = await probe(e, useTls, opts);
  const ms = Math.round((performance.now() - start) * 10) / 10;
  return error ? { ...base, state: 'down', probe: useTls ? 'tls' : 'connect', ms, error } : { ...base, state: 'up', probe: useTls ? 'tls' : 'connect', ms };
}

/** Resolves with undefined when the listener answered, else with why not. TLS listeners get a full handshake (no verification: liveness only). */
function probe(e: Endpoint, useTls: boolean, opts: { timeoutMs: number; localAddress?: string }): Promise<string | undefined> {
  return new Promise((resolve) => {
    const target = { host: e.bindAddress, port: e.port, localAddress: opts.localAddress };
    const socket: Socket = useTls
      ? tlsConnect({ ...target, servername: e.hostname, rejectUnauthorized: false })
      : tcpConnect(target);
    const done = (error?: string) => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      if (error) socket.destroy();
      else {
        socket.end();
        // A server that ignores the FIN must not keep the probe's socket alive.
        setTimeout(() => socket.destroy(), 2_000).unref();
      }
      resolve(error);
    };
    const timer = setTimeout(() => done(`no answer within ${opts.timeoutMs} ms`), opts.timeoutMs);
    socket.once(useTls ? 'secureConnect' : 'connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
