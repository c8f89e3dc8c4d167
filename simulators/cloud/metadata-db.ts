import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

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
 * dir, or an in-memory database, so both modes run the same code.
 */
export function openMetadataDb(file?: string): Db {
  if (file) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file ?? ':memory:');
  if (file) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  return db;
}

export function nowIso(): string {
  return new Date().toISOString();
}
