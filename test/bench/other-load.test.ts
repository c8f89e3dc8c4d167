import { expect, test } from 'vitest';
import { machineBusySeconds, otherCores } from '../../bench/other-load.ts';

test('other cores: the machine busy time less the bench own CPU, over the wall time; never below 0', () => {
  // 4 busy seconds on the machine in 2 s of wall, 2 of them the bench's: others kept one core busy.
  expect(otherCores(10, 14, 2, 2)).toBe(1);
  expect(otherCores(10, 13, 2, 4)).toBe(0.25);
  // Tick rounding can make the bench's own CPU exceed the machine's count: that is no other load.
  expect(otherCores(10, 11.9, 2, 2)).toBe(0);
  expect(otherCores(10, 14, 2, 0)).toBe(0);
});

test('busy seconds: user, nice, system and irq time of every core, in ms as os.cpus() gives them; idle is not busy', () => {
  const core = (user: number, nice: number, sys: number, idle: number, irq: number) => ({ times: { user, nice, sys, idle, irq } });
  expect(machineBusySeconds([core(1000, 0, 0, 0, 0)])).toBe(1);
  expect(machineBusySeconds([core(0, 2000, 0, 0, 0)])).toBe(2);
  expect(machineBusySeconds([core(0, 0, 3000, 0, 0)])).toBe(3);
  expect(machineBusySeconds([core(0, 0, 0, 0, 4000)])).toBe(4);
  expect(machineBusySeconds([core(0, 0, 0, 9000, 0)])).toBe(0);
  expect(machineBusySeconds([core(1000, 100, 500, 7000, 50), core(2000, 0, 250, 6000, 0)])).toBe(3.9);
});

test("the machine's busy seconds count this process's own CPU time", () => {
  const own0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const until = performance.now() + 300;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  const ownSeconds = (() => {
    const u = process.cpuUsage(own0);
    return (u.user + u.system) / 1e6;
  })();
  const machine = machineBusySeconds() - busy0;
  expect(x).toBeGreaterThan(0);
  // The kernel counts in clock ticks (10 ms per core); whatever else runs only adds to the machine's count.
  expect(machine).toBeGreaterThanOrEqual(ownSeconds - 0.05);
});
