import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// yaml is required when the list is first read (the web page asks for it), not when `bpsim up` starts.
const requireYaml = () => createRequire(import.meta.url)('yaml') as typeof import('yaml');

/** Where the bundled scenarios live (scenarios/bundled/*.yaml). */
export const BUNDLED_DIR = fileURLToPath(new URL('./bundled/', import.meta.url));

export interface BundledScenario {
  name: string;
  description: string;
  file: string;
}

/** The bundled scenarios, by file name, with the description each declares. */
export function bundledScenarios(): BundledScenario[] {
  return bundledFiles().map(({ name, file }) => {
    const doc = requireYaml().parse(readFileSync(file, 'utf8')) as { name?: string; description?: string } | null;
    return { name, description: String(doc?.description ?? '').trim(), file };
  });
}

/** The file of a bundled scenario by name (with or without .yaml), or undefined. */
export function bundledScenarioPath(name: string): string | undefined {
  // By file name alone: reading every file's description cost more than the run's own scenario parse.
  return bundledFiles().find((s) => s.name === name.replace(/\.yaml$/, ''))?.file;
}

function bundledFiles(): { name: string; file: string }[] {
  return readdirSync(BUNDLED_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), file: join(BUNDLED_DIR, f) }));
}
