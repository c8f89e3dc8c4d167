import { afterEach, expect, test, vi } from 'vitest';
import { createServer, type Server } from 'node:net';
import { AddressAllocator, RANDOM_THIRD_BELOW } from '../../simulators/core/net/addressing.ts';
import { startTestLab } from '../helpers/lab.ts';

const occupiers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(occupiers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function occupy(host: string, port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve()); // a port this process may not bind: the lab cannot either
    s.listen(port, host, () => {
      occupiers.push(s);
      resolve();
    });
  });
}

test('a lab whose random address block is taken by another takes another block; a chosen block is not changed', async () => {
  const taken: [number, number] = [201, 7];
  // Another "lab" holds every address of the block on the ports a lab binds (real and offset).
  await Promise.all(Array.from({ length: 30 }, (_, i) => [443, 10443].map((port) => occupy(`127.201.7.${i + 1}`, port))).flat());
  const random = vi.spyOn(AddressAllocator, 'random');
  random.mockReturnValueOnce(new AddressAllocator(taken)).mockReturnValueOnce(new AddressAllocator([201, 8]));
  const lab = await startTestLab({ without: ['guests', 'ntp'] });
  try {
    expect(lab.addresses.block).toBe('127.201.8');
    expect(random).toHaveBeenCalledTimes(2);
  } finally {
    await lab.stop();
  }
  await expect(startTestLab({ addressBlock: '127.201.7', without: ['guests', 'ntp'] })).rejects.toMatchObject({ code: 'EADDRINUSE' });
});

test('a random block has room for a 10,000-VM, 100-host lab wherever it starts', () => {
  // The highest third octet a random block may start at still fits 14,000 addresses...
  const highest = new AddressAllocator([16, RANDOM_THIRD_BELOW - 1]);
  for (let i = 0; i < 14_000; i++) highest.allocate(`c${i}`);
  expect(highest.allocate('c13999')).toBe(`127.16.${RANDOM_THIRD_BELOW - 1 + 55}.250`);
  // ...and random blocks never start higher (they used to, up to 249, and a big lab ran out).
  for (let i = 0; i < 1_000; i++) expect(AddressAllocator.random().base[1]).toBeLessThan(RANDOM_THIRD_BELOW);
});
