import { mergeAll } from './merge.ts';
import type { Db } from '../db/open.ts';
import type { DocStore, StoredDoc } from './doc-store.ts';

const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export class SqliteDocStore implements DocStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      append: db.prepare<[string, string, Buffer]>(
        'INSERT INTO doc_updates (workspace_id, room, data) VALUES (?, ?, ?) RETURNING seq'
      ),
      snapshot: db.prepare<[string], { data: Buffer; up_to_seq: number }>(
        'SELECT data, up_to_seq FROM doc_snapshots WHERE room = ?'
      ),
      updates: db.prepare<[string, number], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM doc_updates WHERE room = ? AND seq > ? ORDER BY seq'
      ),
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM doc_updates WHERE room = ?'),
      putSnapshot: db.prepare(
        `INSERT INTO doc_snapshots (room, workspace_id, data, up_to_seq, compacted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(room) DO UPDATE SET data = excluded.data, up_to_seq = excluded.up_to_seq,
           compacted_at = excluded.compacted_at
         WHERE excluded.up_to_seq > doc_snapshots.up_to_seq`
      ),
      deleteUpTo: db.prepare('DELETE FROM doc_updates WHERE room = ? AND seq <= ?')
    };
  }

  parts(room: string): { snapshot: Uint8Array | null; updates: Uint8Array[]; seq: number } {
    const snap = this.s.snapshot.get(room);
    let seq = snap?.up_to_seq ?? 0;
    const updates: Uint8Array[] = [];
    for (const row of this.s.updates.iterate(room, seq)) {
      updates.push(new Uint8Array(row.data));
      seq = row.seq;
    }
    return { snapshot: snap ? new Uint8Array(snap.data) : null, updates, seq };
  }

  async load(room: string): Promise<StoredDoc> {
    // One read transaction: a compaction committing in between cannot make us miss or double entries.
    const { snapshot, updates, seq } = this.db.transaction(() => this.parts(room))();
    return { state: mergeAll(snapshot, updates), seq, pending: updates.length };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  append(workspaceId: string, room: string, update: Uint8Array): number {
    return (this.s.append.get(workspaceId, room, toBuffer(update)) as { seq: number }).seq;
  }

  compact(workspaceId: string, room: string, snapshot: Uint8Array, upToSeq: number): void {
    this.db.transaction(() => {
      // A snapshot older than the stored one (two compactions racing) changes nothing.
      const put = this.s.putSnapshot.run(room, workspaceId, toBuffer(snapshot), upToSeq, new Date().toISOString());
      if (put.changes) this.s.deleteUpTo.run(room, upToSeq);
    })();
  }

  pendingCount(room: string): number {
    return this.s.count.get(room)?.n ?? 0;
  }

  async close(): Promise<void> {}
}
