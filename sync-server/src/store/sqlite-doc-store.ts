import * as Y from 'yjs';
import type { Db } from '../db.ts';
import type { DocStore } from './doc-store.ts';

export class SqliteDocStore implements DocStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS doc_updates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS doc_updates_room ON doc_updates(room, id);
      CREATE TABLE IF NOT EXISTS doc_snapshots (
        room TEXT PRIMARY KEY,
        data BLOB NOT NULL,
        compacted_at TEXT NOT NULL
      );
    `);
    this.stmts = {
      append: db.prepare('INSERT INTO doc_updates (room, data) VALUES (?, ?)'),
      snapshot: db.prepare<[string], { data: Buffer }>('SELECT data FROM doc_snapshots WHERE room = ?'),
      updates: db.prepare<[string], { id: number; data: Buffer }>(
        'SELECT id, data FROM doc_updates WHERE room = ? ORDER BY id'
      ),
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM doc_updates WHERE room = ?'),
      maxId: db.prepare<[string], { id: number | null }>('SELECT max(id) AS id FROM doc_updates WHERE room = ?'),
      putSnapshot: db.prepare(
        `INSERT INTO doc_snapshots (room, data, compacted_at) VALUES (?, ?, ?)
         ON CONFLICT(room) DO UPDATE SET data = excluded.data, compacted_at = excluded.compacted_at`
      ),
      deleteUpTo: db.prepare('DELETE FROM doc_updates WHERE room = ? AND id <= ?')
    };
  }

  async load(room: string): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    const snap = this.stmts.snapshot.get(room);
    if (snap) parts.push(new Uint8Array(snap.data));
    for (const row of this.stmts.updates.iterate(room)) parts.push(new Uint8Array(row.data));
    if (!parts.length) return null;
    return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
  }

  async append(room: string, update: Uint8Array): Promise<void> {
    this.stmts.append.run(room, Buffer.from(update.buffer, update.byteOffset, update.byteLength));
  }

  async compact(room: string, snapshot: Uint8Array): Promise<void> {
    // The snapshot already holds every update appended so far (the caller encodes the live doc,
    // and updates are applied before they are appended), so the log up to now can go.
    this.db.transaction(() => {
      const maxId = this.stmts.maxId.get(room)?.id ?? 0;
      this.stmts.putSnapshot.run(room, Buffer.from(snapshot), new Date().toISOString());
      this.stmts.deleteUpTo.run(room, maxId);
    })();
  }

  async pendingCount(room: string): Promise<number> {
    return this.stmts.count.get(room)?.n ?? 0;
  }

  async close(): Promise<void> {}
}
