import type { Db } from '../db/open.ts';
import { hashToken, randomBytesToken, sign, verifySignature } from './crypto.ts';

/** How long a browser stays signed in without coming back. */
export const SESSION_TTL_MS = 30 * 86_400_000;
/** A session used again is extended, at most this often (one write per browser per hour). */
const TOUCH_EVERY_MS = 3_600_000;
export const SESSION_COOKIE = 'firebreak_session';

export interface SessionGrant {
  workspaceId: string;
  memberId: string;
  expiresAt: string;
}

interface Row {
  workspace_id: string;
  member_id: string;
  last_seen_at: string;
  expires_at: string;
}

/**
 * Browser sessions. One cookie per browser holds a random session id, signed with the server key
 * so a forged cookie is refused before any lookup; the database keeps only its hash, with one row
 * per workspace the browser has joined (a person in several workspaces is a member of each).
 */
export class SessionStore {
  private readonly s;

  constructor(
    db: Db,
    private readonly key: Buffer
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO sessions (workspace_id, token_hash, member_id, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (token_hash, workspace_id) DO UPDATE SET member_id = excluded.member_id,
           last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at`
      ),
      grants: db.prepare<[string, string], Row>(
        `SELECT workspace_id, member_id, last_seen_at, expires_at FROM sessions
         WHERE token_hash = ? AND expires_at > ? ORDER BY created_at`
      ),
      touch: db.prepare(
        'UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ? AND workspace_id = ?'
      ),
      deleteOne: db.prepare('DELETE FROM sessions WHERE token_hash = ? AND workspace_id = ?'),
      deleteAll: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      deleteMember: db.prepare('DELETE FROM sessions WHERE workspace_id = ? AND member_id = ?'),
      expired: db.prepare('DELETE FROM sessions WHERE expires_at <= ?')
    };
  }

  /** A new session id and its cookie value (`<id>.<signature>`). */
  newCookie(): { sid: string; cookie: string } {
    const sid = randomBytesToken();
    return { sid, cookie: `${sid}.${sign(this.key, sid)}` };
  }

  /** The session id inside a cookie value, or null when the signature does not match. */
  verifyCookie(cookie: string | undefined): string | null {
    if (!cookie) return null;
    const dot = cookie.lastIndexOf('.');
    if (dot <= 0) return null;
    const sid = cookie.slice(0, dot);
    return verifySignature(this.key, sid, cookie.slice(dot + 1)) ? sid : null;
  }

  grant(sid: string, workspaceId: string, memberId: string, now = new Date()): void {
    const at = now.toISOString();
    this.s.insert.run(
      workspaceId,
      hashToken(sid),
      memberId,
      at,
      at,
      new Date(now.getTime() + SESSION_TTL_MS).toISOString()
    );
  }

  /** The workspaces this session may enter, extending the ones in use. */
  grants(sid: string, now = new Date()): SessionGrant[] {
    const hash = hashToken(sid);
    const rows = this.s.grants.all(hash, now.toISOString());
    for (const r of rows) {
      if (now.getTime() - Date.parse(r.last_seen_at) > TOUCH_EVERY_MS)
        this.s.touch.run(
          now.toISOString(),
          new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
          hash,
          r.workspace_id
        );
    }
    return rows.map((r) => ({ workspaceId: r.workspace_id, memberId: r.member_id, expiresAt: r.expires_at }));
  }

  /** Signs this browser out of one workspace, or of all. */
  revoke(sid: string, workspaceId?: string): void {
    if (workspaceId) this.s.deleteOne.run(hashToken(sid), workspaceId);
    else this.s.deleteAll.run(hashToken(sid));
  }

  revokeMember(workspaceId: string, memberId: string): void {
    this.s.deleteMember.run(workspaceId, memberId);
  }

  purgeExpired(now = new Date()): number {
    return this.s.expired.run(now.toISOString()).changes;
  }
}
