import { afterEach, describe, expect, test } from 'vitest';
import { hasCommand, peerSkip } from '../helpers/run.ts';

describe('BPSIM_REQUIRE_PEERS (set by .ci/run)', () => {
  const saved = process.env.BPSIM_REQUIRE_PEERS;
  afterEach(() => {
    if (saved === undefined) delete process.env.BPSIM_REQUIRE_PEERS;
    else process.env.BPSIM_REQUIRE_PEERS = saved;
  });

  test('unset: a missing program is a skip (false), a reason is passed through', () => {
    delete process.env.BPSIM_REQUIRE_PEERS;
    expect(hasCommand('bpsim-no-such-program')).toBe(false);
    expect(peerSkip('no port 123')).toBe('no port 123');
  });

  test('set: a missing program or any skip reason is a failure; no reason, no failure', () => {
    process.env.BPSIM_REQUIRE_PEERS = '1';
    expect(() => hasCommand('bpsim-no-such-program')).toThrow(/bpsim-no-such-program is not on PATH.*BPSIM_REQUIRE_PEERS=1/);
    expect(() => peerSkip('no port 123')).toThrow(/no port 123/);
    expect(peerSkip('')).toBe('');
    expect(hasCommand('node')).toBe(true);
  });
});
