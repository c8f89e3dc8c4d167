/**
 * The modules `npm run mutate` measures, each with the test files that judge it (running the whole
 * suite per mutant would take days on a shared 2-core machine). Order: smallest first. Each
 * module's tests run in the order listed (test/mutation/vitest.config.ts), so fast unit files come
 * first and a mutant they kill never loads the lab-starting files after them.
 */
export const MODULES = {
  // Single files where a wrong result is silent, measured within the time a shared machine allows.
  'disk-cbt': {
    subset: true,
    mutate: ['simulators/disk/change-log.ts', 'simulators/disk/extent-set.ts'],
    tests: ['test/disk/*.test.ts', 'test/golden/cbt-cases.test.ts'],
  },
  'guest-sql-restore': {
    subset: true,
    mutate: ['simulators/guest/sql/restore.ts'],
    tests: ['test/guest/sql-restore-texts.test.ts', 'test/guest/sql-model.test.ts', 'test/guest/sql-restore-rules.test.ts', 'test/golden/sql-and-bundle.test.ts'],
  },
  'cloud-sql-catalog': {
    subset: true,
    mutate: ['simulators/cloud/sql-catalog.ts'],
    tests: ['test/cloud/sql-catalog-rules.test.ts', 'test/golden/sql-and-bundle.test.ts', 'test/cloud/catalog.test.ts'],
  },
  'codecs-nfc-aio': {
    subset: true,
    mutate: ['simulators/core/codecs/nfc/aio.ts', 'simulators/core/codecs/nfc/classic.ts', 'simulators/core/codecs/nfc/constants.ts'],
    tests: ['test/golden/nfc-wire.test.ts'],
  },
  // The 902 plumbing (authd lines, ByteReader, RawPipe) judged by unit files without a lab.
  'codecs-nfc-io': {
    subset: true,
    mutate: ['simulators/core/codecs/nfc/authd.ts', 'simulators/core/codecs/nfc/byte-reader.ts', 'simulators/core/codecs/nfc/raw-pipe.ts', 'simulators/core/codecs/nfc/index.ts'],
    tests: ['test/nfc/byte-reader.test.ts', 'test/nfc/authd-and-pipe.test.ts', 'test/golden/nfc-wire.test.ts'],
  },
  'guest-sql-rest': {
    subset: true,
    mutate: ['simulators/guest/sql/**/*.ts', '!simulators/guest/sql/restore.ts'],
    tests: ['test/guest/sql-parts.test.ts', 'test/guest/sql-restore-texts.test.ts', 'test/guest/sql-model.test.ts', 'test/guest/sql-restore-rules.test.ts', 'test/golden/sql-and-bundle.test.ts'],
  },
  'guest-sql': {
    mutate: ['simulators/guest/sql/**/*.ts'],
    tests: ['test/guest/sql-parts.test.ts', 'test/guest/sql-restore-texts.test.ts', 'test/guest/sql-model.test.ts', 'test/guest/sql-restore-rules.test.ts', 'test/golden/sql-and-bundle.test.ts'],
  },
  disk: {
    mutate: ['simulators/disk/**/*.ts'],
    tests: ['test/disk/*.test.ts', 'test/golden/cbt-cases.test.ts'],
  },
  cloud: {
    mutate: ['simulators/cloud/sql-catalog.ts', 'simulators/cloud/block-store.ts'],
    tests: ['test/cloud/sql-catalog-rules.test.ts', 'test/cloud/block-store-rules.test.ts', 'test/golden/sql-and-bundle.test.ts', 'test/cloud/catalog.test.ts', 'test/cloud/blocks.test.ts'],
  },
  'codecs-nfc': {
    mutate: ['simulators/core/codecs/nfc/**/*.ts'],
    tests: ['test/nfc/byte-reader.test.ts', 'test/nfc/authd-and-pipe.test.ts', 'test/golden/nfc-wire.test.ts', 'test/nfc/*.test.ts'],
  },
  'codecs-streams': {
    mutate: ['simulators/core/codecs/sql-backup-stream.ts', 'simulators/core/codecs/guest-bundle.ts', 'simulators/core/codecs/sha256.ts', 'simulators/core/codecs/ntp.ts', 'simulators/core/codecs/x224.ts'],
    tests: [
      'test/golden/sql-stream-refusals.test.ts', 'test/golden/guest-bundle-rules.test.ts', 'test/probes/x224-codec.test.ts', 'test/ntp/codec.test.ts',
      'test/golden/sql-and-bundle.test.ts', 'test/guest/sql-model.test.ts', 'test/probes/rdp.test.ts',
    ],
  },
  // The vim25 codec judged by its unit tests alone (the lab-based fault tests cost a lab start per survivor).
  'codecs-vim25-unit': {
    subset: true,
    mutate: ['simulators/core/codecs/vim25/**/*.ts'],
    tests: ['test/vcenter/vim25-codec.test.ts'],
  },
  'codecs-vim25': {
    mutate: ['simulators/core/codecs/vim25/**/*.ts'],
    tests: ['test/vcenter/vim25-codec.test.ts', 'test/golden/soap-faults.test.ts', 'test/vcenter/errors.test.ts'],
  },
  // Two files of the backup data path with fast unit tests (the whole of proxy/flows/ needs a lab per run).
  'flows-blocks': {
    subset: true,
    mutate: ['proxy/flows/blocks.ts', 'proxy/flows/resumable-read.ts'],
    tests: ['test/proxy/flow-blocks.test.ts', 'test/proxy/resumable-read.test.ts'],
  },
  // The decisions before and around a job (clock check, VM lookup, guest probe), each judged against a small lab.
  'flows-preflight': {
    subset: true,
    mutate: ['proxy/flows/preflight.ts', 'proxy/flows/find-vm.ts', 'proxy/flows/probe-guest.ts'],
    tests: ['test/proxy/flow-find-vm.test.ts', 'test/proxy/flow-probe-guest.test.ts', 'test/proxy/flow-preflight.test.ts'],
  },
  // The VM backup flow's decisions, CloudCache/cloud choice and the 902 session: one shared lab.
  'flows-vm-backup': {
    subset: true,
    mutate: ['proxy/flows/vm-backup.ts', 'proxy/flows/data-target.ts', 'proxy/flows/nfc-session.ts'],
    tests: ['test/proxy/data-target.test.ts', 'test/proxy/vm-backup-decisions.test.ts', 'test/proxy/vm-backup.test.ts'],
  },
  // The guest session and the SQL backup flow's decisions (instance, databases, error classes, catalog), one shared lab each.
  'flows-sql-backup': {
    subset: true,
    mutate: ['proxy/flows/guest-session.ts', 'proxy/flows/sql-backup.ts'],
    tests: ['test/proxy/flow-sql-backup.test.ts', 'test/proxy/flow-guest-session.test.ts', 'test/proxy/sql-and-dr.test.ts'],
  },
  // The restore flows' decisions (SQL chain, DR restore), each judged against one small lab per file.
  'flows-restore': {
    subset: true,
    mutate: ['proxy/flows/sql-restore.ts', 'proxy/flows/dr-restore.ts'],
    tests: ['test/proxy/flow-sql-restore.test.ts', 'test/proxy/flow-dr-restore.test.ts', 'test/proxy/sql-and-dr.test.ts'],
  },
  flows: {
    mutate: ['proxy/flows/**/*.ts'],
    tests: [
      'test/proxy/data-target.test.ts', 'test/proxy/flow-blocks.test.ts', 'test/proxy/resumable-read.test.ts',
      'test/proxy/flow-find-vm.test.ts', 'test/proxy/flow-probe-guest.test.ts', 'test/proxy/flow-preflight.test.ts',
      'test/proxy/vm-backup-decisions.test.ts', 'test/proxy/vm-backup.test.ts',
      'test/proxy/flow-guest-session.test.ts', 'test/proxy/flow-sql-backup.test.ts', 'test/proxy/flow-sql-restore.test.ts', 'test/proxy/flow-dr-restore.test.ts',
      'test/proxy/sql-and-dr.test.ts', 'test/golden/restore-chains.test.ts',
    ],
  },
};
