import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBpsimUp, type RunningUp } from '../helpers/bpsim-up.ts';

/**
 * The acceptance test of issue 8: a lab in another process (`bpsim up --json`), driven only over
 * its admin API with fetch: set a fault, run a scenario in that lab, watch the proxy's reaction in
 * the SSE trace stream, clear the fault, and see the normal path come back.
 */
let up: RunningUp;
let admin: string;
const auth = { authorization: 'Basic ' + Buffer.from('admin:bpsim').toString('base64') };
const json = { ...auth, 'content-type': 'application/json' };

interface StreamEvent {
  seq: number;
  kind: string;
  from: string;
  to: string;
  summary: string;
}

/** Follows /trace/stream and keeps every event; waitFor() resolves on the first match, with a deadline. */
async function followTrace(query: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${admin}/trace/stream?${query}`, { headers: auth, signal: ctrl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: StreamEvent[] = [];
  const waiters: { match: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }[] = [];
  void (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString('utf8');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const e = JSON.parse(data.slice(6)) as StreamEvent;
          events.push(e);
          for (const w of waiters.filter((w) => w.match(e))) w.resolve(e);
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return {
    events,
    waitFor(match: (e: StreamEvent) => boolean, ms = 15_000): Promise<StreamEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event in the stream within ${ms} ms; got ${events.length} events`)), ms);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    close: () => ctrl.abort(),
  };
}

async function runScenario(body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${admin}/scenarios/run`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  up = await startBpsimUp();
  admin = up.summary.admin.url;
});

afterAll(async () => {
  await up?.stop();
});

const backupToCloud = `
name: backup-while-cache-is-offline
description: one backup of vault01 (8 MiB); the cache is offline, so the data must go to the cloud
steps:
  - id: backup
    type: vm-backup
    vm: vault01
    expect: { target: cloud, log: "CloudCache unreachable" }
`;

describe('bpsim up in another process, driven only through the admin API', () => {
  test('cloudcache-offline set over HTTP: the proxy sends blocks to the cloud (seen in the SSE stream); cleared, they go to the cache again', async () => {
    const stream = await followTrace('from=proxy&kind=request,fault');
    try {
      const set = await fetch(`${admin}/faults`, { method: 'POST', headers: json, body: JSON.stringify({ id: 'cache-off', target: 'cloudcache', type: 'cloudcache-offline' }) });
      expect(set.status).toBe(201);

      const offline = await runScenario({ yaml: backupToCloud });
      expect(offline.status).toBe(200);
      expect(offline.body, JSON.stringify(offline.body.steps, null, 2)).toMatchObject({ name: 'backup-while-cache-is-offline', passed: true, failures: 0 });
      expect(offline.body.steps[0]).toMatchObject({ type: 'vm-backup', status: 'succeeded', result: { target: 'cloud' }, job: { state: 'succeeded' } });

      const refused = await stream.waitFor((e) => e.kind === 'fault' && e.to === 'cloudcache');
      const put = await stream.waitFor((e) => e.kind === 'request' && e.to === 'cloud' && /^PUT \/api\/v1\/blocks\//.test(e.summary));
      expect(put.seq).toBeGreaterThan(refused.seq);
      expect(stream.events.filter((e) => e.kind === 'request' && e.to === 'cloudcache' && /^PUT/.test(e.summary))).toEqual([]);

      const cleared = await fetch(`${admin}/faults/cache-off`, { method: 'DELETE', headers: auth });
      expect(cleared.status).toBe(204);
      expect((await (await fetch(`${admin}/faults`, { headers: auth })).json()).faults).toEqual([]);

      const mark = stream.events.at(-1)!.seq;
      const online = await runScenario({ scenario: 'vm-backup-incremental' });
      expect(online.status).toBe(200);
      expect(online.body, JSON.stringify(online.body.steps, null, 2)).toMatchObject({ name: 'vm-backup-incremental', passed: true });
      const cachePut = await stream.waitFor((e) => e.seq > mark && e.kind === 'request' && e.to === 'cloudcache' && /^PUT \/api\/v1\/blocks\//.test(e.summary));
      expect(cachePut.from).toBe('proxy');
    } finally {
      stream.close();
    }
  });

  test('a failing expectation is reported, not thrown; unknown and invalid scenarios get 404 and 400 naming the line', async () => {
    const wrong = await runScenario({ scenario: { name: 'wrong', description: 'expects a failure that does not happen', steps: [{ type: 'vm-backup', vm: 'app01', expect: { errorClass: 'quota' } }] } });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ passed: false, failures: 2 });
    expect(wrong.body.steps[0].expectations[0]).toMatchObject({ what: 'outcome', passed: false, expected: 'failed', actual: 'succeeded' });

    const unknown = await runScenario({ scenario: 'no-such-scenario' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'unknown_scenario' } });

    const invalid = await runScenario({ yaml: 'name: bad\ndescription: d\nsteps:\n  - type: vm-backup\n    vmm: web01\n' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('invalid_scenario');
    expect(invalid.body.message).toContain('<request body yaml>:4: steps[0]: missing required field "vm"');
    expect(invalid.body.message).toContain('<request body yaml>:5: steps[0].vmm: unknown field "vmm" (did you mean "vm"?)');
  });
});
