import { ulid, type MemberRole } from '@firebreak/shared';
import type { Db } from '../db/open.ts';
import { hashToken, randomToken } from './crypto.ts';

/** `pnpm firebreak invite` without --expires, and invites made in the browser. */
export const DEFAULT_INVITE_TTL_MS = 7 * 86_400_000;

export interface Invite {
  id: string;
  workspaceId: string;
  role: MemberRole;
  bootstrap: boolean;
  /** Set for a sign-in link of an existing member. */
  memberId: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
  revokedAt: string | null;
}

export type InviteState = 'valid' | 'expired' | 'used' | 'revoked';

interface Row {
  workspace_id: string;
  id: string;
  role: MemberRole;
  bootstrap: number;
  member_id: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
  revoked_at: string | null;
}

const toInvite = (r: Row): Invite => ({
  id: r.id,
  workspaceId: r.workspace_id,
  role: r.role,
  bootstrap: r.bootstrap === 1,
  memberId: r.member_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedBy: r.used_by,
  revokedAt: r.revoked_at
});

export function inviteState(i: Invite, now = new Date()): InviteState {
  if (i.revokedAt) return 'revoked';
  if (i.usedAt) return 'used';
  if (Date.parse(i.expiresAt) <= now.getTime()) return 'expired';
  return 'valid';
}

/** One-time join links. Only the token's hash is stored: a link is shown once, when made. */
export class InviteStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO invites (workspace_id, id, token_hash, role, bootstrap, member_id, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
      ),
      byToken: db.prepare<[string], Row>('SELECT * FROM invites WHERE token_hash = ?'),
      get: db.prepare<[string, string], Row>('SELECT * FROM invites WHERE workspace_id = ? AND id = ?'),
      pending: db.prepare<[string, string], Row>(
        `SELECT * FROM invites WHERE workspace_id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
         ORDER BY created_at DESC`
      ),
      use: db.prepare(
        `UPDATE invites SET used_at = ?, used_by = ?
         WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`
      ),
      revoke: db.prepare(
        'UPDATE invites SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND used_at IS NULL AND revoked_at IS NULL'
      )
    };
  }

  create(
    workspaceId: string,
    opts: { role: MemberRole; ttlMs?: number; createdBy?: string | null; bootstrap?: boolean; memberId?: string },
    now = new Date()
  ): { invite: Invite; token: string } {
    const token = randomToken('fbj');
    const id = ulid(now.getTime());
    const expires = new Date(now.getTime() + (opts.ttlMs ?? DEFAULT_INVITE_TTL_MS)).toISOString();
    this.s.insert.run(
      workspaceId,
      id,
      hashToken(token),
      opts.role,
      opts.bootstrap ? 1 : 0,
      opts.memberId ?? null,
      opts.createdBy ?? null,
      now.toISOString(),
      expires
    );
    return { invite: this.get(workspaceId, id)!, token };
  }

  get(workspaceId: string, id: string): Invite | null {
    const r = this.s.get.get(workspaceId, id);
    return r ? toInvite(r) : null;
  }

  find(token: string): Invite | null {
    const r = this.s.byToken.get(hashToken(token));
    return r ? toInvite(r) : null;
  }

  /** Marks the invite used by `memberId`; false when it was used, revoked or expired meanwhile. */
  redeem(token: string, memberId: string, now = new Date()): boolean {
    const at = now.toISOString();
    return this.s.use.run(at, memberId, hashToken(token), at).changes === 1;
  }

  pending(workspaceId: string, now = new Date()): Invite[] {
    return this.s.pending.all(workspaceId, now.toISOString()).map(toInvite);
  }

  revoke(workspaceId: string, id: string, now = new Date()): boolean {
    return this.s.revoke.run(now.toISOString(), workspaceId, id).changes === 1;
  }
}

/** What the join page says about an invite that cannot be used. */
export function inviteRefusal(state: InviteState): string {
  switch (state) {
    case 'expired':
      return 'This invite link has expired. Ask an admin for a new one.';
    case 'used':
      return 'This invite link was already used. Ask an admin for a new one (each link works once).';
    case 'revoked':
      return 'This invite link was revoked. Ask an admin for a new one.';
    default:
      return 'This invite link cannot be used.';
  }
}
