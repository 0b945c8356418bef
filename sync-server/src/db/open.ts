import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, type MigrationContext } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';

export type { Db } from './types.ts';
import type { Db } from './types.ts';

export const DB_FILE = 'firebreak.sqlite';

/**
 * Opens (creating if needed) the embedded SQLite database in the data folder and brings its
 * schema up to date. WAL with synchronous=NORMAL: a committed transaction survives the process
 * being killed at any moment (it is in the WAL, handed to the OS); only an OS crash or power cut
 * can lose the last few, and those edits are still in the browsers' IndexedDB and travel again
 * on reconnect.
 */
export function openDatabase(dataDir: string | ':memory:', opts: Partial<MigrationContext> = {}): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, DB_FILE);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, MIGRATIONS, {
    defaultWorkspaceId: opts.defaultWorkspaceId ?? 'default',
    now: opts.now ?? (() => new Date())
  });
  return db;
}
