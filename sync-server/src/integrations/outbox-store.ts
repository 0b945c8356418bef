import type { IncidentEvent } from '@firebreak/shared';
import type { Db } from '../db/types.ts';

/** What an outbox row stores: the event as the watcher (or ingest) saw it, enriched at delivery. */
export type OutboxEvent =
  | { type: 'incident'; change: IncidentEvent; at: string }
  | { type: 'checkEvaluation'; resultIds: string[]; at: string };

export type OutboxState = 'pending' | 'inflight' | 'delivered' | 'dead';

export interface OutboxRow {
  id: number;
  workspaceId: string;
  integrationId: string;
  /** The incident id, or '' for check evaluations. */
  subject: string;
  event: OutboxEvent;
  key: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  createdAt: string;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
}

interface Raw {
  id: number;
  workspace_id: string;
  integration_id: string;
  subject: string;
  event: string;
  idempotency_key: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  created_at: string;
  first_attempt_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
}

const toRow = (r: Raw): OutboxRow => ({
  id: r.id,
  workspaceId: r.workspace_id,
  integrationId: r.integration_id,
  subject: r.subject,
  event: JSON.parse(r.event) as OutboxEvent,
  key: r.idempotency_key,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  firstAttemptAt: r.first_attempt_at,
  lastAttemptAt: r.last_attempt_at,
  lastError: r.last_error,
  deliveredAt: r.delivered_at
});

/**
 * The durable outbox (table `outbox`). Rows are written inside the transaction that records what
 * caused them (the watcher's onStore, an ingest); the worker claims the head of each
 * (integration, subject) queue, so deliveries of one incident to one integration go in order.
 */
export class Outbox {
  private readonly s;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO outbox (workspace_id, integration_id, subject, event, idempotency_key, state,
           next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`
      ),
      // The oldest undelivered row of each queue, when it is due.
      heads: db.prepare<[number, number], Raw>(
        `SELECT o.* FROM outbox o
         WHERE o.state = 'pending' AND o.next_attempt_at <= ?
           AND NOT EXISTS (SELECT 1 FROM outbox p
             WHERE p.workspace_id = o.workspace_id AND p.integration_id = o.integration_id AND p.subject = o.subject
               AND p.id < o.id AND p.state IN ('pending', 'inflight'))
         ORDER BY o.id LIMIT ?`
      ),
      claim: db.prepare(
        `UPDATE outbox SET state = 'inflight', attempts = attempts + 1, last_attempt_at = ?,
           first_attempt_at = coalesce(first_attempt_at, ?)
         WHERE id = ? AND state = 'pending'`
      ),
      delivered: db.prepare(
        `UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ? AND state = 'inflight'`
      ),
      retry: db.prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'inflight'`
      ),
      dead: db.prepare(`UPDATE outbox SET state = 'dead', last_error = ? WHERE id = ? AND state = 'inflight'`),
      recover: db.prepare(`UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE state = 'inflight'`),
      revive: db.prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, attempts = 0, first_attempt_at = NULL
         WHERE workspace_id = ? AND id = ? AND state = 'dead'`
      ),
      get: db.prepare<[number], Raw>('SELECT * FROM outbox WHERE id = ?'),
      nextDue: db.prepare<[], { at: number | null }>(
        `SELECT min(next_attempt_at) AS at FROM outbox WHERE state = 'pending'`
      ),
      recent: db.prepare<[string, string, number], Raw>(
        `SELECT * FROM outbox WHERE workspace_id = ? AND integration_id = ? ORDER BY id DESC LIMIT ?`
      ),
      forIntegration: db.prepare(
        `UPDATE outbox SET next_attempt_at = ? WHERE workspace_id = ? AND integration_id = ? AND state = 'pending'`
      ),
      dropIntegration: db.prepare(
        `UPDATE outbox SET state = 'dead', last_error = 'The integration was removed'
         WHERE workspace_id = ? AND integration_id = ? AND state IN ('pending', 'inflight')`
      ),
      counts: db.prepare<[], { state: OutboxState; n: number }>(
        'SELECT state, count(*) AS n FROM outbox GROUP BY state'
      )
    };
  }

  /** Called once the transaction that enqueued has had the chance to commit (the worker wakes). */
  onEnqueue(fn: () => void): void {
    this.listeners.add(fn);
  }

  /** Adds a row (inside the caller's transaction); a key seen before adds nothing. */
  enqueue(row: {
    workspaceId: string;
    integrationId: string;
    subject: string;
    event: OutboxEvent;
    key: string;
  }): boolean {
    const done = this.s.insert.run(
      row.workspaceId,
      row.integrationId,
      row.subject,
      JSON.stringify(row.event),
      row.key,
      this.clock(),
      new Date(this.clock()).toISOString()
    );
    if (done.changes) setImmediate(() => this.listeners.forEach((fn) => fn()));
    return done.changes > 0;
  }

  /** Marks up to `limit` due queue heads in flight (one attempt more each) and returns them. */
  claim(limit: number, skip: (row: OutboxRow) => boolean = () => false): OutboxRow[] {
    return this.db.transaction(() => {
      const now = this.clock();
      const iso = new Date(now).toISOString();
      const out: OutboxRow[] = [];
      for (const raw of this.s.heads.all(now, limit * 4)) {
        if (out.length >= limit) break;
        const row = toRow(raw);
        if (skip(row)) continue;
        if (!this.s.claim.run(iso, iso, row.id).changes) continue;
        out.push({
          ...row,
          state: 'inflight',
          attempts: row.attempts + 1,
          lastAttemptAt: iso,
          firstAttemptAt: row.firstAttemptAt ?? iso
        });
      }
      return out;
    })();
  }

  markDelivered(id: number): void {
    this.s.delivered.run(new Date(this.clock()).toISOString(), id);
  }

  markRetry(id: number, at: number, error: string): void {
    this.s.retry.run(at, error, id);
  }

  markDead(id: number, error: string): void {
    this.s.dead.run(error, id);
  }

  /** After a crash: rows that were in flight are tried again (receivers dedupe by key). */
  recover(): number {
    return this.s.recover.run(this.clock()).changes;
  }

  /** An admin's retry of a dead-lettered row: pending again, now, with a fresh attempt budget. */
  revive(workspaceId: string, id: number): boolean {
    const done = this.s.revive.run(this.clock(), workspaceId, id).changes > 0;
    if (done) setImmediate(() => this.listeners.forEach((fn) => fn()));
    return done;
  }

  /** Makes a resumed integration's waiting rows due now. */
  resume(workspaceId: string, integrationId: string): void {
    this.s.forIntegration.run(this.clock(), workspaceId, integrationId);
    setImmediate(() => this.listeners.forEach((fn) => fn()));
  }

  /** A removed integration's undelivered rows are dead-lettered (there is nothing to deliver them with). */
  dropIntegration(workspaceId: string, integrationId: string): void {
    this.s.dropIntegration.run(workspaceId, integrationId);
  }

  /** Pushes a row that cannot go now (its integration is paused) back without counting an attempt. */
  postpone(id: number, at: number): void {
    this.db
      .prepare(`UPDATE outbox SET state = 'pending', attempts = attempts - 1, next_attempt_at = ? WHERE id = ?`)
      .run(at, id);
  }

  get(id: number): OutboxRow | null {
    const r = this.s.get.get(id);
    return r ? toRow(r) : null;
  }

  recent(workspaceId: string, integrationId: string, limit: number): OutboxRow[] {
    return this.s.recent.all(workspaceId, integrationId, limit).map(toRow);
  }

  /** When the earliest waiting row is due (ms), or null when none waits. */
  nextDue(): number | null {
    return this.s.nextDue.get()?.at ?? null;
  }

  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, inflight: 0, delivered: 0, dead: 0 };
    for (const r of this.s.counts.all()) out[r.state] = r.n;
    return out;
  }
}
