import type Database from 'better-sqlite3';

/** The embedded database handle every SQLite store takes. */
export type Db = Database.Database;
