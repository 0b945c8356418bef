import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { incidentsMap, listIncidents, membersMap, numbersMap } from '@firebreak/shared';
import Database from 'better-sqlite3';
import { tempDir, startTestServer, signIn, connectWorkspace, until, apiCall, postScan } from '../test/harness.ts';
import { appliedMigrations, migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { DB_FILE, openDatabase } from './open.ts';
import { SqliteDocStore } from '../store/sqlite-doc-store.ts';

/** A data folder written by main e9ec49c (before migrations): demo data, two scans, five incidents, a log. */
const MAIN_DB = path.resolve(import.meta.dirname, 'fixtures/main-e9ec49c.sqlite');

function copyOfMain(): string {
  const dir = tempDir();
  fs.copyFileSync(MAIN_DB, path.join(dir, DB_FILE));
  return dir;
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

async function loadDoc(store: SqliteDocStore, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const { state } = await store.load(room);
  if (state) Y.applyUpdate(doc, state);
  return doc;
}

describe('migrations', () => {
  it('[M1] a database written by main e9ec49c upgrades with nothing lost', async () => {
    const dir = copyOfMain();
    const before = new Database(path.join(dir, DB_FILE), { readonly: true });
    const counts = Object.fromEntries(
      ['doc_updates', 'doc_snapshots', 'members', 'scans', 'checks', 'results'].map((t) => [t, count(before, t)])
    );
    const legacyStore = {
      load: (room: string) => {
        const parts = [
          ...before.prepare('SELECT data FROM doc_snapshots WHERE room = ?').all(room),
          ...before.prepare('SELECT data FROM doc_updates WHERE room = ? ORDER BY id').all(room)
        ].map((r) => new Uint8Array((r as { data: Buffer }).data));
        const doc = new Y.Doc();
        for (const p of parts) Y.applyUpdate(doc, p);
        return doc;
      }
    };
    const oldWorkspace = legacyStore.load('default');
    const oldSystem = legacyStore.load('default.system');
    const oldChecks = before.prepare('SELECT * FROM checks ORDER BY id').all() as Array<Record<string, unknown>>;
    const oldResults = before.prepare('SELECT id, check_id, raw FROM results ORDER BY id').all();
    before.close();
    expect(counts.doc_updates).toBeGreaterThan(0); // the fixture has a log as well as snapshots

    const db = openDatabase(dir);
    expect(appliedMigrations(db).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    for (const [table, n] of Object.entries(counts)) expect(count(db, table), table).toBe(n);
    expect(db.prepare('SELECT id FROM workspaces').all()).toEqual([{ id: 'default' }]);
    for (const table of ['doc_updates', 'doc_snapshots', 'members', 'scans', 'checks', 'results', 'catalog_meta'])
      expect(count(db, `${table} WHERE workspace_id <> 'default'`), table).toBe(0);
    const store = new SqliteDocStore(db);
    const ws = await loadDoc(store, 'default');
    const sys = await loadDoc(store, 'default.system');
    expect(listIncidents(ws)).toEqual(listIncidents(oldWorkspace));
    expect(incidentsMap(ws).size).toBe(5);
    expect([...numbersMap(sys).entries()].sort()).toEqual([...numbersMap(oldSystem).entries()].sort());
    expect([...membersMap(sys).keys()].sort()).toEqual([...membersMap(oldSystem).keys()].sort());
    const newChecks = db.prepare('SELECT * FROM checks ORDER BY id').all() as Array<Record<string, unknown>>;
    expect(newChecks.map(({ workspace_id: _, source: __, ...rest }) => rest)).toEqual(oldChecks);
    expect(new Set(newChecks.map((c) => c.source))).toEqual(new Set(['soda']));
    expect(db.prepare('SELECT id, check_id, raw FROM results ORDER BY id').all()).toEqual(oldResults);
    // New log entries continue above every sequence number handed out before.
    const maxSeq = (db.prepare('SELECT max(seq) AS s FROM doc_updates').get() as { s: number }).s;
    expect(store.append('default', 'default', Y.encodeStateAsUpdate(new Y.Doc()))).toBeGreaterThan(maxSeq);
    db.close();
  });

  it('[M2] the upgraded folder serves its incidents, numbers and checks; its members keep their names', async () => {
    const dataDir = copyOfMain();
    const { server } = await startTestServer({ dataDir });
    try {
      // Nobody in the old folder is an admin: the server offers the first-admin link again.
      expect(server.bootstrapUrl).toMatch(/\/join\/fbj_/);
      const me = await signIn(server, { role: 'admin', name: 'New admin' });
      const c = connectWorkspace(server, me);
      await c.synced();
      await until(() => incidentsMap(c.doc).size === 5 && numbersMap(c.sys).size === 5, 5000, 'migrated documents');
      expect(membersMap(c.sys).get('m-carol')?.name).toBe('Carol Danvers');
      const checks = await apiCall(server, me, 'GET', '/api/v1/w/default/checks');
      expect(checks.body.checks).toHaveLength(41);
      c.destroy();
    } finally {
      await server.close();
    }
  });

  it('[M3] migrating twice changes nothing; a new database and a migrated one have the same schema', () => {
    const schema = (db: Database.Database) =>
      (
        db
          .prepare("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
          .all() as Array<{ type: string; name: string }>
      ).map((r) => `${r.type} ${r.name}`);
    const fresh = openDatabase(':memory:');
    const migratedDir = copyOfMain();
    const migrated = openDatabase(migratedDir);
    expect(schema(migrated)).toEqual(schema(fresh));
    const again = migrate(migrated, MIGRATIONS, { defaultWorkspaceId: 'default', now: () => new Date() });
    expect(again).toEqual([]);
    migrated.close();
  });

  it('[M4] a data folder from a newer Firebreak is refused with a clear message', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS, { defaultWorkspaceId: 'default', now: () => new Date() });
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(MIGRATIONS.length + 1, 'future', 'x');
    expect(() => migrate(db, MIGRATIONS, { defaultWorkspaceId: 'default', now: () => new Date() })).toThrow(
      /newer Firebreak/
    );
  });

  it('[M5] a failing migration leaves the database at the last complete version', () => {
    const db = new Database(':memory:');
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'half-done',
        up(d: Database.Database) {
          d.exec('CREATE TABLE half (x)');
          throw new Error('boom');
        }
      }
    ];
    expect(() => migrate(db, broken, { defaultWorkspaceId: 'default', now: () => new Date() })).toThrow('boom');
    expect(appliedMigrations(db).length).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
  });

  it('[M6] ingest still works on an upgraded folder with its old token file', async () => {
    const dataDir = copyOfMain();
    fs.writeFileSync(path.join(dataDir, 'ingest-token'), 'legacy-token-from-main\n');
    const { server } = await startTestServer({ dataDir, ingestToken: null });
    try {
      const res = await postScan(
        server,
        JSON.parse(
          fs.readFileSync(
            path.resolve(import.meta.dirname, '../../../shared/src/soda/fixtures/soda-scan-orders.json'),
            'utf8'
          )
        ),
        'legacy-token-from-main'
      );
      expect(res.status).toBe(201);
      expect(res.body.workspaceId).toBe('default');
    } finally {
      await server.close();
    }
  });
});
