import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The page's files ship beside this module (no CDN, nothing fetched at run time). */
const ASSET_DIR = new URL('./assets/', import.meta.url);

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export const ASSET_NAMES = ['index.html', 'app.js', 'chain.js', 'sequence.js', 'svg.js', 'panels.js', 'style.css'] as const;

const cache = new Map<string, Buffer>();

/** One shipped file by name, read once; undefined for any name not in the list (no path is ever joined from input). */
export function webAsset(name: string): { body: Buffer; type: string } | undefined {
  if (!(ASSET_NAMES as readonly string[]).includes(name)) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(fileURLToPath(new URL(name, ASSET_DIR)));
    cache.set(name, body);
  }
  return { body, type: TYPES[name.split('.').pop()!]! };
}
