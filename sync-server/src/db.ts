import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the embedded SQLite database in the data folder.
 * WAL with synchronous=NORMAL: a committed transaction survives the process being killed at any
 * moment (it is in the WAL, handed to the OS); only an OS crash or power cut can lose the last
 * few, and those edits are still in the browsers' IndexedDB and travel again on reconnect.
 */
export function openDatabase(dataDir: string | ':memory:'): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, 'firebreak.sqlite');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
