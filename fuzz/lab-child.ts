import { startLab } from '../simulators/lab.ts';
import { startAdmin } from '../simulators/admin/index.ts';
import { buildInjectionBundle, osOfGuestFamily } from '../proxy/clients/guest/bundle.ts';
import type { ServerTimeouts } from '../simulators/core/net/timeouts.ts';

/**
 * The lab under fuzz, in its own process so its memory is measured alone and a crash is seen as
 * an exit: `bpsim up` plus guestossvc started in one guest (as the proxy's injection would), so
 * the in-guest service is fuzzed too. Prints one JSON line when ready; SIGTERM stops it.
 */
const args = JSON.parse(process.argv[2] ?? '{}') as { timeouts?: ServerTimeouts; pkiDir?: string; addressBlock?: string };
const lab = await startLab({ timeouts: args.timeouts, pkiDir: args.pkiDir, addressBlock: args.addressBlock });
const admin = await startAdmin(lab);
const vm = lab.world.inventory.vms.find((v) => v.name === 'sql01')!;
const bundle = buildInjectionBundle(osOfGuestFamily(vm.guestFamily));
const guest = lab.world.guests.get(vm.name)!;
for (const f of bundle.files) guest.putFile(f.path, f.data, true);
await guest.startProgram(bundle.program, bundle.args, 'Administrator');
// guestossvc opens its port once started: wait (bounded) for its endpoint.
for (let i = 0; i < 200 && !lab.endpoints().some((e) => e.listener === 'guestossvc'); i++) await new Promise((r) => setTimeout(r, 50));
// SIGUSR2: a full garbage collection, so the harness measures the memory the lab still holds,
// not garbage V8 has not collected yet (it may wait minutes while the lab is idle). Acknowledged on stdout.
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write('gc\n');
});
process.once('SIGTERM', () => {
  void admin
    .stop()
    .then(() => lab.stop())
    .finally(() => process.exit(0));
});
// Ready only once the handlers above are in place: a parent that stops the lab on this line must not kill it outright.
process.stdout.write(JSON.stringify({ endpoints: lab.endpoints(), admin: { url: admin.url }, credentials: lab.credentials, guestToken: bundle.token }) + '\n');
