import { randomBytes } from 'node:crypto';
import { ulid } from '@firebreak/shared';
import type { Db } from '../db/open.ts';
import { hashToken, sameSecret } from './crypto.ts';

export interface IngestToken {
  id: string;
  workspaceId: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface Row {
  workspace_id: string;
  id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toToken = (r: Row): IngestToken => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at
});

/** Token layout: `fbi_<id>_<secret>`; the id finds the row, the secret is compared by hash in constant time. */
const TOKEN_RE = /^fbi_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is informational: written at most this often per token. */
const LAST_USED_EVERY_MS = 60_000;

/** Per-workspace bearer tokens for `POST /api/v1/scans`, stored hashed, shown once. */
export class IngestTokenStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO ingest_tokens (workspace_id, id, name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`
      ),
      byId: db.prepare<[string], Row>('SELECT * FROM ingest_tokens WHERE id = ?'),
      list: db.prepare<[string], Row>(
        'SELECT * FROM ingest_tokens WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY created_at DESC'
      ),
      used: db.prepare('UPDATE ingest_tokens SET last_used_at = ? WHERE id = ?'),
      revoke: db.prepare(
        'UPDATE ingest_tokens SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL'
      ),
      count: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM ingest_tokens WHERE workspace_id = ? AND revoked_at IS NULL'
      )
    };
  }

  create(
    workspaceId: string,
    name: string,
    createdBy: string | null = null,
    now = new Date()
  ): {
    token: string;
    record: IngestToken;
  } {
    const id = ulid(now.getTime());
    const secret = randomBytes(32).toString('base64url');
    const token = `fbi_${id}_${secret}`;
    this.s.insert.run(workspaceId, id, name.trim() || 'Ingest token', hashToken(secret), createdBy, now.toISOString());
    return { token, record: toToken(this.s.byId.get(id)!) };
  }

  /** The token's workspace, or null for an unknown, revoked or malformed token. */
  verify(token: string, now = new Date()): IngestToken | null {
    const m = TOKEN_RE.exec(token);
    if (!m) return null;
    const row = this.s.byId.get(m[1]!);
    if (!row || row.revoked_at) return null;
    if (!sameSecret(hashToken(m[2]!), row.token_hash)) return null;
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_EVERY_MS)
      this.s.used.run(now.toISOString(), row.id);
    return toToken(row);
  }

  list(workspaceId: string): IngestToken[] {
    return this.s.list.all(workspaceId).map(toToken);
  }

  revoke(workspaceId: string, id: string, now = new Date()): boolean {
    return this.s.revoke.run(now.toISOString(), workspaceId, id).changes === 1;
  }

  activeCount(workspaceId: string): number {
    return this.s.count.get(workspaceId)?.n ?? 0;
  }
}
