import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const generate = promisify(generateKeyPair);

export async function newRsaKey(bits = 2048): Promise<KeyObject> {
  const { privateKey } = await generate('rsa', { modulusLength: bits });
  return privateKey;
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically: parallel labs racing to
 * create the same cache entry all end up reading the one that won.
 */
export async function createOnce(path: string, content: () => Promise<string>, mode: number): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, await content(), { mode });
  await chmod(tmp, mode);
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  return readFile(path, 'utf8');
}

/** A private key cached on disk (mode 0600), generated natively on first use. */
export async function cachedKey(dir: string, name: string): Promise<KeyObject> {
  const pem = await createOnce(
    join(dir, `${name}.key.pem`),
    async () => (await newRsaKey()).export({ type: 'pkcs8', format: 'pem' }) as string,
    0o600,
  );
  return createPrivateKey(pem);
}
