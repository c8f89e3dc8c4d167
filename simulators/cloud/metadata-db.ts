import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { explainDirError } from '../core/dir-errors.ts';

/** The part of a prepared statement the stores use (better-sqlite3's API, which the in-memory engine mirrors). */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** The metadata database as the stores see it: SQLite, in a file (better-sqlite3) or in memory (sql.js). */
export interface Db {
  prepare(sql: string): Statement;
  transaction<T>(fn: () => T): () => T;
  exec(sql: string): unknown;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS principals (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, last_heartbeat TEXT, status TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS principals_proxy_name ON principals(name) WHERE role = 'proxy';
CREATE TABLE IF NOT EXISTS activation_tokens (token TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
  target_proxy TEXT, proxy_id TEXT, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS manifests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, vm_id TEXT NOT NULL,
  created_at TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS manifests_vm ON manifests(vm_id, created_at);
CREATE TABLE IF NOT EXISTS sql_backups (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, database_name TEXT NOT NULL,
  instance TEXT NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sql_backups_db ON sql_backups(database_name, instance, time);
`;

/**
 * The cloud's metadata (proxies, jobs, manifests, SQL catalog) in SQLite: a file under the state
 * dir, or an in-memory database. better-sqlite3 (a native addon, an optional dependency) is
 * required for a file and preferred in memory; without it an in-memory database runs on sql.js
 * (SQLite compiled to WebAssembly), so a lab without --state-dir needs no compiled addon. Both run the same SQL.
 */
export async function openMetadataDb(file?: string): Promise<Db> {
  const db = file ? await openFile(file) : await openMemory();
  db.exec(SCHEMA);
  return db;
}

type BetterSqlite3 = typeof import('better-sqlite3');
let native: Promise<BetterSqlite3> | undefined;

/** better-sqlite3, loaded once; rejects when it is not installed or its addon was not built. */
function betterSqlite3(): Promise<BetterSqlite3> {
  return (native ??= import('better-sqlite3').then((m) => {
    new m.default(':memory:').close(); // the native addon loads on first use, not on import
    return m.default;
  }));
}

async function openFile(file: string): Promise<Db> {
  const stateDir = dirname(dirname(file));
  let Database: BetterSqlite3;
  try {
    Database = await betterSqlite3();
  } catch (err) {
    throw new Error(`--state-dir needs the optional package better-sqlite3, which could not be loaded (${(err as Error).message.split('\n')[0]}); install it with \`npm install better-sqlite3\`, or run without --state-dir (state in memory)`, { cause: err });
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return db;
  } catch (err) {
    throw explainDirError(err, stateDir, 'state directory', '--state-dir <dir> (library: stateDir)');
  }
}

interface SqlJsStatement {
  bind(values: unknown): boolean;
  step(): boolean;
  getAsObject(): Record<string, unknown>;
  free(): void;
}
interface SqlJsDatabase {
  run(sql: string, params?: unknown): void;
  exec(sql: string): unknown;
  prepare(sql: string): SqlJsStatement;
  getRowsModified(): number;
  close(): void;
}

// One WebAssembly instance per process: loading it costs tens of milliseconds, a database on it nothing.
let sqlJs: Promise<{ Database: new () => SqlJsDatabase }> | undefined;

async function openMemory(): Promise<Db> {
  const Database = await betterSqlite3().catch(() => undefined);
  if (Database) return new Database(':memory:');
  sqlJs ??= import('sql.js').then(async (m) => (await m.default()) as { Database: new () => SqlJsDatabase });
  return new MemoryDb(new (await sqlJs).Database());
}

/** better-sqlite3 binds `{ id }` to `@id`; sql.js wants the prefix in the key. */
function bindable(params: unknown[]): unknown {
  const [first] = params;
  if (params.length === 1 && first !== null && typeof first === 'object' && !Array.isArray(first)) {
    return Object.fromEntries(Object.entries(first).map(([k, v]) => [`@${k}`, v ?? null]));
  }
  return params.map((p) => p ?? null);
}

class MemoryDb implements Db {
  constructor(private readonly db: SqlJsDatabase) {}

  prepare(sql: string): Statement {
    return {
      run: (...params) => {
        this.db.run(sql, bindable(params));
        return { changes: this.db.getRowsModified() };
      },
      get: (...params) => this.rows(sql, params, 1)[0],
      all: (...params) => this.rows(sql, params),
    };
  }

  private rows(sql: string, params: unknown[], limit = Infinity): Record<string, unknown>[] {
    const st = this.db.prepare(sql);
    try {
      st.bind(bindable(params));
      const out: Record<string, unknown>[] = [];
      while (out.length < limit && st.step()) out.push(st.getAsObject());
      return out;
    } finally {
      st.free();
    }
  }

  transaction<T>(fn: () => T): () => T {
    return () => {
      this.db.run('BEGIN');
      try {
        const result = fn();
        this.db.run('COMMIT');
        return result;
      } catch (err) {
        this.db.run('ROLLBACK');
        throw err;
      }
    };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  close(): void {
    this.db.close();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
