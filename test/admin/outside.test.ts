import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { startBpsimUp, type RunningUp } from '../helpers/bpsim-up.ts';
import { run } from '../helpers/run.ts';
import { DOC_PATH, outputProblems, parseDocExamples, runExample } from './doc-examples.ts';

/** A lab in another process (`bpsim up --json`): this file reaches it only through its admin API and its listeners. */
let up: RunningUp;
let adminUrl: string;
// --max-time only stops a hung curl: a loaded machine may take seconds to answer.
const CURL_AUTH = ['-s', '-u', 'admin:bpsim', '--max-time', '120'];

beforeAll(async () => {
  up = await startBpsimUp();
  adminUrl = up.summary.admin.url;
});

afterAll(async () => {
  await up?.stop();
});

describe('a lab in another process, driven only through the admin API', () => {
  test('bpsim up names its web view, and the page and its job runner answer there', async () => {
    expect(up.summary.admin).toMatchObject({ web: `${adminUrl}/` });
    const page = await run('curl', [...CURL_AUTH, '-w', '%{http_code} %{content_type}', '-o', '/dev/null', `${adminUrl}/`]);
    expect(page.stdout).toBe('200 text/html; charset=utf-8');
    const jobs = await run('curl', [...CURL_AUTH, '-X', 'POST', '-H', 'content-type: application/json', '-d', '{"jobs":[{"type":"bogus"}]}', `${adminUrl}/jobs`]);
    expect(JSON.parse(jobs.stdout).message).toMatch(/jobs\[0\]\.type must be one of/);
  });

  test('every curl example of docs/admin-api.md runs and answers in the documented shape', async () => {
    const examples = parseDocExamples(await readFile(DOC_PATH, 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(15);
    for (const ex of examples) {
      const r = await runExample(ex.command, adminUrl);
      // 28 is curl's "--max-time reached": how the documented event-stream example ends.
      expect(r.code, `${ex.command}\n${r.stderr}`).toBe(ex.command.includes('--max-time') ? 28 : 0);
      expect(outputProblems(ex.expected, r.stdout), ex.command).toEqual([]);
    }
  });

  test('curl sets a fault, the curl event stream shows it firing on a client connection, curl clears it', async () => {
    const topo = JSON.parse((await run('curl', [...CURL_AUTH, `${adminUrl}/topology`])).stdout);
    const target = topo.endpoints.find((e: { transport: string }) => e.transport === 'tcp');
    expect(target).toBeDefined();
    const stream = spawn('curl', ['-sN', '-u', 'admin:bpsim', '--max-time', '300', `${adminUrl}/trace/stream?kind=fault&to=${target.component}`]);
    try {
      let seen = '';
      const sawFault = new Promise<string>((resolve) => {
        stream.stdout.on('data', (d) => {
          seen += d;
          const line = seen.split('\n').find((l) => l.startsWith('data: ') && l.includes('connection fault refuse'));
          if (line) resolve(line);
        });
      });
      await new Promise<void>((resolve) => stream.stdout.once('data', () => resolve()));
      const set = await run('curl', [...CURL_AUTH, '-H', 'content-type: application/json', '-d', JSON.stringify({ id: 'outside', target: `${target.component}:${target.listener}`, type: 'refuse' }), `${adminUrl}/faults`]);
      expect(JSON.parse(set.stdout)).toMatchObject({ id: 'outside', type: 'refuse' });
      const health = await (await fetch(`${adminUrl}/health`)).json();
      const probed = health.components.find((c: { component: string }) => c.component === target.component).listeners.find((l: { listener: string }) => l.listener === target.listener);
      expect(probed).toMatchObject({ state: 'faulted', fault: { id: 'outside' } });

      const reset = await new Promise<string>((resolve) => {
        const s = connect({ host: target.bindAddress, port: target.port });
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        s.once('close', () => resolve('closed'));
      });
      expect(['ECONNRESET', 'closed']).toContain(reset);
      const event = JSON.parse((await sawFault).slice('data: '.length));
      expect(event).toMatchObject({ kind: 'fault', to: target.component, data: { fault: { id: 'outside', type: 'refuse' } } });

      const del = await run('curl', [...CURL_AUTH, '-X', 'DELETE', '-w', '%{http_code}', `${adminUrl}/faults/outside`]);
      expect(del.stdout).toBe('204');
      const after = await (await fetch(`${adminUrl}/health`)).json();
      expect(after.status).toBe('ok');
    } finally {
      stream.kill();
    }
  });
});
