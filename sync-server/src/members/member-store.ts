import type { Member } from '@firebreak/shared';
import type { Db } from '../db.ts';

/** The members directory of record (the system document mirrors it for browsers). */
export class MemberStore {
  private readonly s;

  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS members (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, joined_at TEXT NOT NULL
    )`);
    this.s = {
      upsert: db.prepare(
        `INSERT INTO members VALUES (@id, @name, @email, @role, @joinedAt)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email`
      ),
      get: db.prepare<[string], { id: string; name: string; email: string; role: Member['role']; joined_at: string }>(
        'SELECT * FROM members WHERE id = ?'
      ),
      all: db.prepare<[], { id: string; name: string; email: string; role: Member['role']; joined_at: string }>(
        'SELECT * FROM members ORDER BY joined_at'
      )
    };
  }

  upsert(m: Member): Member {
    this.s.upsert.run(m);
    return this.get(m.id)!;
  }

  get(id: string): Member | null {
    const r = this.s.get.get(id);
    return r ? { id: r.id, name: r.name, email: r.email, role: r.role, joinedAt: r.joined_at } : null;
  }

  list(): Member[] {
    return this.s.all
      .all()
      .map((r) => ({ id: r.id, name: r.name, email: r.email, role: r.role, joinedAt: r.joined_at }));
  }
}
