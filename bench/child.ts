import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Runs one measurement in a fresh Node process, so its peak memory (and its heap, GC state and
 * caches) belongs to that measurement alone. The module at `moduleUrl` calls `childMain` with the
 * function to run; the result comes back as JSON over IPC.
 */
export function runInChild<I, O>(moduleUrl: string, input: I, timeoutMs: number): Promise<O> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(moduleUrl), ['--bench-child', JSON.stringify(input)], {
      execArgv: ['--expose-gc', '--import', import.meta.resolve('tsx'), ...(process.env.BENCH_CHILD_EXEC_ARGV ?? '').split(' ').filter(Boolean)],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answered = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench child ${moduleUrl.split('/').pop()} did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('message', (m: { ok: true; value: O } | { ok: false; error: string }) => {
      answered = true;
      clearTimeout(timer);
      if (m.ok) resolve(m.value);
      else reject(new Error(m.error));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!answered) reject(new Error(`bench child exited with code ${code} before answering`));
    });
  });
}

/** In the child: runs `fn` on the input when this module is the process's entry point with --bench-child. */
export function childMain<I, O>(moduleUrl: string, fn: (input: I) => Promise<O>): void {
  const i = process.argv.indexOf('--bench-child');
  if (i < 0 || !process.argv[1] || pathToFileURL(process.argv[1]).href !== moduleUrl) return;
  fn(JSON.parse(process.argv[i + 1] ?? '{}') as I).then(
    (value) => process.send!({ ok: true, value }, () => process.exit(0)),
    (err: Error) => process.send!({ ok: false, error: err.stack ?? err.message }, () => process.exit(1)),
  );
}
