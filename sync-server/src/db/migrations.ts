import type { Migration } from './migrate.ts';
import type { Db } from './types.ts';

/**
 * Every schema change, in order. Never edit a migration that has shipped: add the next one.
 * `migrations.test.ts` upgrades a database written by main e9ec49c (before migrations existed)
 * and checks nothing is lost.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'baseline: the single-workspace schema of main e9ec49c',
    up(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS doc_updates (
          id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, data BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS doc_updates_room ON doc_updates(room, id);
        CREATE TABLE IF NOT EXISTS doc_snapshots (
          room TEXT PRIMARY KEY, data BLOB NOT NULL, compacted_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS members (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, joined_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS catalog_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS scans (
          id TEXT PRIMARY KEY, definition_name TEXT NOT NULL, data_timestamp TEXT NOT NULL,
          scan_start TEXT, scan_end TEXT, has_errors INTEGER NOT NULL, has_warnings INTEGER NOT NULL,
          has_failures INTEGER NOT NULL, received_at TEXT NOT NULL, check_count INTEGER NOT NULL, raw TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS checks (
          id TEXT PRIMARY KEY, identity TEXT NOT NULL, data_source TEXT NOT NULL, table_name TEXT,
          column_name TEXT, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT, attributes TEXT NOT NULL,
          outcome TEXT, value REAL, evaluated_at TEXT NOT NULL, last_result_id TEXT NOT NULL,
          result_count INTEGER NOT NULL, seq INTEGER NOT NULL, value_text TEXT
        );
        CREATE INDEX IF NOT EXISTS checks_seq ON checks(seq);
        CREATE TABLE IF NOT EXISTS results (
          id TEXT PRIMARY KEY, check_id TEXT NOT NULL REFERENCES checks(id), scan_id TEXT NOT NULL REFERENCES scans(id),
          outcome TEXT, value REAL, data_timestamp TEXT NOT NULL, raw TEXT NOT NULL, seq INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS results_check ON results(check_id, data_timestamp);
      `);
      // Data folders written before main had value_text: the one column main added on open.
      if (!columns(db, 'checks').includes('value_text')) db.exec('ALTER TABLE checks ADD COLUMN value_text TEXT');
    }
  },
  {
    version: 2,
    name: 'workspaces: workspace_id in every table, sessions, invites, ingest tokens, client ids',
    up(db, ctx) {
      const legacy = legacyWorkspace(db, ctx.defaultWorkspaceId);
      const now = ctx.now().toISOString();
      db.exec(`
        CREATE TABLE workspaces (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, settings TEXT NOT NULL DEFAULT '{}'
        );

        ALTER TABLE doc_updates RENAME TO doc_updates_v1;
        CREATE TABLE doc_updates (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          room TEXT NOT NULL,
          data BLOB NOT NULL
        );
        ALTER TABLE doc_snapshots RENAME TO doc_snapshots_v1;
        CREATE TABLE doc_snapshots (
          room TEXT PRIMARY KEY,
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          data BLOB NOT NULL,
          -- the log entries up to this sequence number are merged into data
          up_to_seq INTEGER NOT NULL,
          compacted_at TEXT NOT NULL
        );

        ALTER TABLE members RENAME TO members_v1;
        CREATE TABLE members (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT NOT NULL,
          name TEXT NOT NULL,
          email TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
          joined_at TEXT NOT NULL,
          removed_at TEXT,
          PRIMARY KEY (workspace_id, id)
        );
        CREATE INDEX members_email ON members(workspace_id, email COLLATE NOCASE);

        CREATE TABLE sessions (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          token_hash TEXT NOT NULL,
          member_id TEXT NOT NULL,
          created_at TEXT NOT NULL,
          last_seen_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          PRIMARY KEY (token_hash, workspace_id),
          FOREIGN KEY (workspace_id, member_id) REFERENCES members(workspace_id, id)
        );
        CREATE INDEX sessions_member ON sessions(workspace_id, member_id);

        CREATE TABLE invites (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE,
          role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
          -- the first start's admin invite also makes its redeemer admin of ownerless workspaces (the demo)
          bootstrap INTEGER NOT NULL DEFAULT 0,
          -- a sign-in link for an existing member (another device) rather than for a new one
          member_id TEXT,
          created_by TEXT,
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          used_at TEXT,
          used_by TEXT,
          revoked_at TEXT,
          PRIMARY KEY (workspace_id, id)
        );

        CREATE TABLE ingest_tokens (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT NOT NULL,
          name TEXT NOT NULL,
          token_hash TEXT NOT NULL,
          created_by TEXT,
          created_at TEXT NOT NULL,
          last_used_at TEXT,
          revoked_at TEXT,
          PRIMARY KEY (workspace_id, id)
        );

        -- Which member introduced each Yjs client id of a room: only they may write under it.
        CREATE TABLE client_owners (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          room TEXT NOT NULL,
          client_id INTEGER NOT NULL,
          member_id TEXT NOT NULL,
          claimed_at TEXT NOT NULL,
          PRIMARY KEY (room, client_id)
        );

        ALTER TABLE catalog_meta RENAME TO catalog_meta_v1;
        CREATE TABLE catalog_meta (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          key TEXT NOT NULL,
          value INTEGER NOT NULL,
          PRIMARY KEY (workspace_id, key)
        );

        ALTER TABLE scans RENAME TO scans_v1;
        CREATE TABLE scans (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT PRIMARY KEY, definition_name TEXT NOT NULL, data_timestamp TEXT NOT NULL,
          scan_start TEXT, scan_end TEXT, has_errors INTEGER NOT NULL, has_warnings INTEGER NOT NULL,
          has_failures INTEGER NOT NULL, received_at TEXT NOT NULL, check_count INTEGER NOT NULL, raw TEXT NOT NULL
        );

        ALTER TABLE checks RENAME TO checks_v1;
        CREATE TABLE checks (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT NOT NULL, identity TEXT NOT NULL, data_source TEXT NOT NULL, table_name TEXT,
          column_name TEXT, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT, attributes TEXT NOT NULL,
          outcome TEXT, value REAL, value_text TEXT, evaluated_at TEXT NOT NULL, last_result_id TEXT NOT NULL,
          result_count INTEGER NOT NULL, seq INTEGER NOT NULL,
          PRIMARY KEY (workspace_id, id)
        );

        ALTER TABLE results RENAME TO results_v1;
        CREATE TABLE results (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT PRIMARY KEY,
          check_id TEXT NOT NULL,
          scan_id TEXT NOT NULL REFERENCES scans(id),
          outcome TEXT, value REAL, data_timestamp TEXT NOT NULL,
          -- the check object as received (diagnostics, outcome reasons and unknown keys inside)
          raw TEXT NOT NULL,
          seq INTEGER NOT NULL,
          FOREIGN KEY (workspace_id, check_id) REFERENCES checks(workspace_id, id)
        );
      `);

      if (legacy) {
        const ws = legacy;
        // The highest log number ever handed out, deleted entries included (AUTOINCREMENT keeps it).
        const lastSeq =
          db.prepare<[], { seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = 'doc_updates_v1'`).get()?.seq ??
          0;
        db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(ws, titleCase(ws), now);
        db.prepare(
          `INSERT INTO doc_updates (seq, workspace_id, room, data) SELECT id, ?, room, data FROM doc_updates_v1 ORDER BY id`
        ).run(ws);
        // A snapshot merged everything logged before it; the log left holds only later entries.
        db.prepare(
          `INSERT INTO doc_snapshots (room, workspace_id, data, up_to_seq, compacted_at)
           SELECT s.room, ?, s.data,
                  coalesce((SELECT min(u.id) - 1 FROM doc_updates_v1 u WHERE u.room = s.room), ?),
                  s.compacted_at
           FROM doc_snapshots_v1 s`
        ).run(ws, lastSeq);
        db.prepare(
          `INSERT INTO members (workspace_id, id, name, email, role, joined_at)
           SELECT ?, id, name, email, CASE WHEN role IN ('admin', 'editor', 'viewer') THEN role ELSE 'editor' END, joined_at
           FROM members_v1`
        ).run(ws);
        db.prepare(`INSERT INTO catalog_meta (workspace_id, key, value) SELECT ?, key, value FROM catalog_meta_v1`).run(
          ws
        );
        db.prepare(`INSERT INTO scans SELECT ?, * FROM scans_v1`).run(ws);
        db.prepare(
          `INSERT INTO checks (workspace_id, id, identity, data_source, table_name, column_name, name, type, definition,
             attributes, outcome, value, value_text, evaluated_at, last_result_id, result_count, seq)
           SELECT ?, id, identity, data_source, table_name, column_name, name, type, definition,
             attributes, outcome, value, value_text, evaluated_at, last_result_id, result_count, seq FROM checks_v1`
        ).run(ws);
        db.prepare(
          `INSERT INTO results (workspace_id, id, check_id, scan_id, outcome, value, data_timestamp, raw, seq)
           SELECT ?, id, check_id, scan_id, outcome, value, data_timestamp, raw, seq FROM results_v1`
        ).run(ws);
        // Keep the log's sequence above every number handed out before (compaction deleted some).
        db.prepare(`DELETE FROM sqlite_sequence WHERE name = 'doc_updates'`).run();
        db.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('doc_updates', ?)`).run(lastSeq);
      }
      db.exec(`
        DROP TABLE results_v1; DROP TABLE checks_v1; DROP TABLE scans_v1; DROP TABLE catalog_meta_v1;
        DROP TABLE members_v1; DROP TABLE doc_snapshots_v1; DROP TABLE doc_updates_v1;
        CREATE INDEX doc_updates_room ON doc_updates(room, seq);
        CREATE INDEX checks_seq ON checks(workspace_id, seq);
        CREATE INDEX results_check ON results(workspace_id, check_id, data_timestamp);
      `);
    }
  },
  {
    version: 3,
    name: "integrations: configurations, the watcher's processed incident states, the outbox, refs and link callbacks",
    up(db) {
      db.exec(`
        -- One configured integration of a workspace. Secret fields are encrypted (AES-256-GCM, key from
        -- the server key) in secrets; config holds only the rest. source: settings | env.
        CREATE TABLE integrations (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          id TEXT NOT NULL,
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          config TEXT NOT NULL,
          secrets BLOB,
          source TEXT NOT NULL DEFAULT 'settings',
          paused INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (workspace_id, id)
        );

        -- The last state of each incident the watcher has turned into events (JSON of the incident),
        -- and how many events it has produced (the idempotency keys count with it).
        CREATE TABLE incident_state (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          incident_id TEXT NOT NULL,
          state TEXT NOT NULL,
          events INTEGER NOT NULL DEFAULT 0,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (workspace_id, incident_id)
        );

        -- Rooms whose existing incidents were recorded as processed without events (first load
        -- after the integrations arrived), so old incidents are not announced as new.
        CREATE TABLE watcher_rooms (
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          room TEXT NOT NULL,
          baseline_at TEXT NOT NULL,
          PRIMARY KEY (workspace_id, room)
        );

        -- One delivery: an event for one integration. subject = incident id, or '' for check
        -- evaluations. Delivered in id order per (integration, subject).
        -- state: pending | inflight | delivered | dead
        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          workspace_id TEXT NOT NULL REFERENCES workspaces(id),
          integration_id TEXT NOT NULL,
          subject TEXT NOT NULL,
          event TEXT NOT NULL,
          idempotency_key TEXT NOT NULL UNIQUE,
          state TEXT NOT NULL DEFAULT 'pending',
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          created_at TEXT NOT NULL,
          first_attempt_at TEXT,
          last_attempt_at TEXT,
          last_error TEXT,
          delivered_at TEXT
        );
        CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
        CREATE INDEX outbox_group ON outbox(workspace_id, integration_id, subject, id);

        -- What earlier deliveries saved per incident and integration (channel id, issue key, sys_id).
        CREATE TABLE integration_refs (
          workspace_id TEXT NOT NULL,
          integration_id TEXT NOT NULL,
          subject TEXT NOT NULL,
          ref TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (workspace_id, integration_id, subject)
        );

        -- Capability URLs a webhook receiver may POST a link to (hashed token).
        CREATE TABLE link_callbacks (
          token_hash TEXT PRIMARY KEY,
          workspace_id TEXT NOT NULL,
          integration_id TEXT NOT NULL,
          incident_id TEXT NOT NULL,
          created_at TEXT NOT NULL,
          UNIQUE (workspace_id, integration_id, incident_id)
        );
      `);
    }
  },
  {
    version: 4,
    name: 'check sources (Soda, dbt, GX), normalized result details, idempotent ingest',
    up(db) {
      db.exec(`
        ALTER TABLE checks ADD COLUMN source TEXT NOT NULL DEFAULT 'soda';
        ALTER TABLE scans ADD COLUMN source TEXT NOT NULL DEFAULT 'soda';
        -- Same scan sent twice: same key (definition, data source, scan end; else the body's hash).
        ALTER TABLE scans ADD COLUMN dedupe_key TEXT;
        CREATE UNIQUE INDEX scans_dedupe ON scans(workspace_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
        -- {diagnostics, outcomeReasons, valueText} as every parser normalizes them (raw keeps the tool's own object).
        ALTER TABLE results ADD COLUMN detail TEXT;
      `);
    }
  }
];

function columns(db: Db, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
    .all()
    .map((c) => c.name);
}

/**
 * The workspace a pre-workspace data folder belongs to: the room its documents were written to
 * (the only non-system room), else the configured default if it holds any data at all.
 */
function legacyWorkspace(db: Db, fallback: string): string | null {
  const rooms = db
    .prepare<[], { room: string }>(`SELECT room FROM doc_updates UNION SELECT room FROM doc_snapshots`)
    .all()
    .map((r) => r.room)
    .filter((r) => !r.endsWith('.system'))
    .sort();
  if (rooms.length > 1) throw new Error(`cannot tell which workspace this data folder is: rooms ${rooms.join(', ')}`);
  if (rooms.length === 1) return rooms[0]!;
  const any = db
    .prepare<[], { n: number }>(
      `SELECT (SELECT count(*) FROM checks) + (SELECT count(*) FROM members) + (SELECT count(*) FROM doc_snapshots) AS n`
    )
    .get();
  return any && any.n > 0 ? fallback : null;
}

function titleCase(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}
