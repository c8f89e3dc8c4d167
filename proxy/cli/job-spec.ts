/**
 * Jobs on a command line: `vm-backup:web01`, `vm-backup:web01:incremental`, `sql-backup:sql01:log:SalesDB`,
 * `sql-restore:sql01:SalesDB:SalesDB_copy`, `dr-restore:web01:web01-dr`. Parsing is strict so a typo
 * is an error that says what is expected, not a job that does something else.
 */
export type JobSpec =
  | { type: 'vm-backup'; params: { vm: string; mode?: 'full' | 'incremental' } }
  | { type: 'sql-backup'; params: { vm: string; type: 'full' | 'diff' | 'log' | 'copy-only'; databases?: string[] } }
  | { type: 'sql-restore'; params: { vm: string; database: string; targetDatabase?: string } }
  | { type: 'dr-restore'; params: { vm: string; newName?: string } };

export const JOB_SPEC_HELP = `vm-backup:<vm>[:full|incremental]
  sql-backup:<vm>:<full|diff|log|copy-only>[:<db>+<db>...]
  sql-restore:<vm>:<database>[:<target database>]
  dr-restore:<vm>[:<new vm name>]`;

export function parseJobSpec(text: string): JobSpec {
  const [type, vm, a, b, ...rest] = text.split(':');
  const bad = (why: string) => new Error(`job "${text}": ${why}; expected one of\n  ${JOB_SPEC_HELP}`);
  if (!vm) throw bad('no VM named');
  switch (type) {
    case 'vm-backup':
      if (a !== undefined && a !== 'full' && a !== 'incremental') throw bad(`mode must be full or incremental, not "${a}"`);
      if (b !== undefined) throw bad('too many parts');
      return { type, params: { vm, ...(a ? { mode: a } : {}) } };
    case 'sql-backup':
      if (a !== 'full' && a !== 'diff' && a !== 'log' && a !== 'copy-only') throw bad(`backup type must be full, diff, log or copy-only, not "${a ?? ''}"`);
      if (rest.length) throw bad('too many parts');
      return { type, params: { vm, type: a, ...(b ? { databases: b.split('+') } : {}) } };
    case 'sql-restore':
      if (!a) throw bad('no database named');
      if (rest.length) throw bad('too many parts');
      return { type, params: { vm, database: a, ...(b ? { targetDatabase: b } : {}) } };
    case 'dr-restore':
      if (b !== undefined) throw bad('too many parts');
      return { type, params: { vm, ...(a ? { newName: a } : {}) } };
    default:
      throw bad(`unknown job type "${type}"`);
  }
}
