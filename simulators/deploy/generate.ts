// Writes (or with --check, verifies) docker-compose.yml from the embedded lab's topology.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeLab } from './describe.ts';
import { composeYaml, DEFAULT_NETWORK } from './compose.ts';

const target = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));

export async function expectedCompose(): Promise<string> {
  return composeYaml(await describeLab({ network: DEFAULT_NETWORK }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await expectedCompose();
  if (process.argv.includes('--check')) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${target} is out of date: run npx tsx simulators/deploy/generate.ts\n`);
      process.exitCode = 1;
    } else process.stdout.write(`${target} matches the topology\n`);
  } else {
    await writeFile(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
}
