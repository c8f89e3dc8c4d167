import { readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** What a hosts-file line needs of an endpoint. */
export interface NamedAddress {
  hostname: string;
  bindAddress: string;
}

/** One "address<TAB>name" line per host name the lab hands out, in endpoint order. */
export function hostsLines(endpoints: readonly NamedAddress[]): string[] {
  const seen = new Map<string, string>();
  // A lab started with --host-names ip names some hosts by address: nothing to map for those.
  for (const e of endpoints) if (!seen.has(e.hostname) && !isIP(e.hostname)) seen.set(e.hostname, e.bindAddress);
  return [...seen].map(([name, address]) => `${address}\t${name}`);
}

const begin = (id: string) => `# bpsim ${id} begin`;
const end = (id: string) => `# bpsim ${id} end`;

/** The text with the block marked `id` taken out (if it is there). */
function withoutBlock(text: string, id: string): string {
  const lines = text.split('\n');
  const from = lines.indexOf(begin(id));
  const to = lines.indexOf(end(id), from);
  if (from < 0 || to < 0) return text;
  lines.splice(from, to - from + 1);
  return lines.join('\n');
}

/**
 * Adds `lines` to a hosts file between "# bpsim <id> begin" and "# bpsim <id> end" (replacing an
 * older block of that id). Written in place, not renamed over: /etc/hosts is often a bind mount.
 */
export function addHostsBlock(file: string, id: string, lines: readonly string[]): void {
  const text = withoutBlock(readFileSync(file, 'utf8'), id);
  writeFileSync(file, `${text}${text.endsWith('\n') || !text ? '' : '\n'}${begin(id)}\n${lines.join('\n')}\n${end(id)}\n`);
}

/** Takes the block marked `id` out of a hosts file; nothing happens when it is not there. Synchronous, so it can run in an exit handler. */
export function removeHostsBlock(file: string, id: string): void {
  const text = readFileSync(file, 'utf8');
  const left = withoutBlock(text, id);
  if (left !== text) writeFileSync(file, left);
}
