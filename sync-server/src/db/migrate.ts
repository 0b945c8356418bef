import type { Db } from './types.ts';

/** What a migration may need to know about the deployment it upgrades. */
export interface MigrationContext {
  /** The workspace an older single-workspace data folder belongs to (FIREBREAK_WORKSPACE). */
  defaultWorkspaceId: string;
  now: () => Date;
}

export interface Migration {
  /** 1, 2, 3…: applied in this order, each exactly once per database. */
  version: number;
  name: string;
  up(db: Db, ctx: MigrationContext): void;
}

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: string;
}

/**
 * Applies the migrations a database has not had yet, each in its own transaction together with
 * its row in `schema_migrations`, so a crash mid-way leaves the database at the last complete
 * version. `BEGIN IMMEDIATE` takes the write lock before reading the version: two processes
 * starting on one data folder apply each migration once.
 */
export function migrate(db: Db, migrations: readonly Migration[], ctx: MigrationContext): AppliedMigration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration versions must be 1, 2, 3… without gaps (got ${m.version})`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL
  )`);
  const current = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: AppliedMigration[] = [];
  for (const m of ordered) {
    const run = db.transaction(() => {
      if ((current.get()?.v ?? 0) >= m.version) return false;
      m.up(db, ctx);
      record.run(m.version, m.name, ctx.now().toISOString());
      return true;
    });
    if (run.immediate()) applied.push({ version: m.version, name: m.name, appliedAt: ctx.now().toISOString() });
  }
  const newest = current.get()?.v ?? 0;
  if (newest > ordered.length)
    throw new Error(
      `This data folder was written by a newer Firebreak (schema ${newest}, this one knows ${ordered.length}); upgrade Firebreak`
    );
  return applied;
}

export function appliedMigrations(db: Db): AppliedMigration[] {
  return db
    .prepare<[], { version: number; name: string; applied_at: string }>(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version'
    )
    .all()
    .map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
}
