import { TraceBus, type TraceListener } from '../../simulators/core/trace/bus.ts';

export const ADMIN_AUTH = { authorization: 'Basic ' + Buffer.from('admin:bpsim').toString('base64') };

/** A trace bus that counts its live subscribers, to see event streams let go of it. */
export class CountingBus extends TraceBus {
  active = 0;
  override subscribe(listener: TraceListener): () => void {
    const off = super.subscribe(listener);
    this.active++;
    let done = false;
    return () => {
      if (!done) this.active--;
      done = true;
      return off();
    };
  }
}

/** Reads an SSE body until `until` matches one event's data (parsed JSON), or the deadline passes. */
export async function readSseUntil(
  body: ReadableStream<Uint8Array>,
  until: (event: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<{ event?: Record<string, unknown>; text: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { text };
      text += decoder.decode(value, { stream: true });
      for (const block of text.split('\n\n')) {
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as Record<string, unknown>;
        if (until(event)) return { event, text };
      }
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
