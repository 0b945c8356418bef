import { ulid, type Member, type MemberRole } from '@firebreak/shared';
import type { Db } from '../db/open.ts';

interface Row {
  workspace_id: string;
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  joined_at: string;
  removed_at: string | null;
}

const toMember = (r: Row): Member => ({
  id: r.id,
  name: r.name,
  email: r.email,
  role: r.role,
  joinedAt: r.joined_at,
  removedAt: r.removed_at
});

/** Roles in increasing power; `atLeast(role, 'editor')` is how routes and the relay check access. */
const RANK: Record<MemberRole, number> = { viewer: 0, editor: 1, admin: 2 };
export function atLeast(role: MemberRole, needed: MemberRole): boolean {
  return RANK[role] >= RANK[needed];
}

/**
 * The members directory of record, per workspace (the system document mirrors it for browsers).
 * Ids are made here, never by a browser. A removed member keeps their row (their name still
 * labels the history they wrote) but has no access.
 */
export class MemberStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO members (workspace_id, id, name, email, role, joined_at) VALUES (?, ?, ?, ?, ?, ?)`
      ),
      get: db.prepare<[string, string], Row>('SELECT * FROM members WHERE workspace_id = ? AND id = ?'),
      byEmail: db.prepare<[string, string], Row>(
        `SELECT * FROM members WHERE workspace_id = ? AND email = ? COLLATE NOCASE
         ORDER BY removed_at IS NOT NULL, joined_at DESC LIMIT 1`
      ),
      all: db.prepare<[string], Row>('SELECT * FROM members WHERE workspace_id = ? ORDER BY joined_at, id'),
      profile: db.prepare('UPDATE members SET name = ?, email = ? WHERE workspace_id = ? AND id = ?'),
      role: db.prepare('UPDATE members SET role = ? WHERE workspace_id = ? AND id = ?'),
      remove: db.prepare('UPDATE members SET removed_at = ? WHERE workspace_id = ? AND id = ? AND removed_at IS NULL'),
      restore: db.prepare('UPDATE members SET removed_at = NULL, role = ? WHERE workspace_id = ? AND id = ?'),
      admins: db.prepare<[string], { n: number }>(
        `SELECT count(*) AS n FROM members WHERE workspace_id = ? AND role = 'admin' AND removed_at IS NULL`
      )
    };
  }

  add(
    workspaceId: string,
    m: { name: string; email: string; role: MemberRole; id?: string },
    now = new Date()
  ): Member {
    const id = m.id ?? ulid(now.getTime());
    this.s.insert.run(workspaceId, id, m.name, m.email, m.role, now.toISOString());
    return this.get(workspaceId, id)!;
  }

  get(workspaceId: string, id: string): Member | null {
    const r = this.s.get.get(workspaceId, id);
    return r ? toMember(r) : null;
  }

  /** An active member with this email, else a removed one (most recent first), else null. */
  findByEmail(workspaceId: string, email: string): Member | null {
    const r = this.s.byEmail.get(workspaceId, email);
    return r ? toMember(r) : null;
  }

  /** Active members and, with `removed`, former ones too. */
  list(workspaceId: string, opts: { removed?: boolean } = {}): Member[] {
    return this.s.all
      .all(workspaceId)
      .map(toMember)
      .filter((m) => opts.removed || !m.removedAt);
  }

  updateProfile(workspaceId: string, id: string, p: { name: string; email: string }): Member | null {
    this.s.profile.run(p.name, p.email, workspaceId, id);
    return this.get(workspaceId, id);
  }

  setRole(workspaceId: string, id: string, role: MemberRole): Member | null {
    this.s.role.run(role, workspaceId, id);
    return this.get(workspaceId, id);
  }

  remove(workspaceId: string, id: string, now = new Date()): boolean {
    return this.s.remove.run(now.toISOString(), workspaceId, id).changes === 1;
  }

  restore(workspaceId: string, id: string, role: MemberRole): Member | null {
    this.s.restore.run(role, workspaceId, id);
    return this.get(workspaceId, id);
  }

  adminCount(workspaceId: string): number {
    return this.s.admins.get(workspaceId)?.n ?? 0;
  }
}
