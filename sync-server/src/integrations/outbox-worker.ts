import { createHmac } from 'node:crypto';
import { systemRoomName } from '@firebreak/shared';
import type { Logger } from 'pino';
import { deriveKey, hashToken } from '../access/crypto.ts';
import type { Db } from '../db/types.ts';
import type { Relay } from '../relay/relay.ts';
import type { Integration, IntegrationStore } from './integration-store.ts';
import type { Outbox, OutboxRow } from './outbox-store.ts';
import { notifierOf } from './registry.ts';
import { DeliveryError, type DeliveryResult, type NotifierContext, type NotifyEvent, type SafeFetch } from './types.ts';
import type { ViewBuilder } from './views.ts';
import { TileWriter } from './tiles.ts';

export interface RetryPolicy {
  /** Deliveries in flight at once (across queues; one per queue). */
  concurrency: number;
  /** First retry after about this long; doubles per attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Dead-lettered after this many attempts… */
  maxAttempts: number;
  /** …or once the row is this old. */
  maxAgeMs: number;
  /** How long a paused integration's rows wait before they are looked at again. */
  pausedDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  concurrency: 64,
  baseDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
  maxAttempts: 12,
  maxAgeMs: 24 * 3_600_000,
  pausedDelayMs: 60_000
};

export interface OutboxWorkerDeps {
  db: Db;
  outbox: Outbox;
  integrations: IntegrationStore;
  views: ViewBuilder;
  relay: Relay;
  fetch: SafeFetch;
  log: Logger;
  serverKey: Buffer;
  publicUrl: () => string;
  retry?: Partial<RetryPolicy>;
  clock?: () => number;
  random?: () => number;
}

/** The delay before attempt `attempts + 1`: exponential, capped, with jitter in [d/2, d]. */
export function backoffMs(
  attempts: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number
): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(d / 2 + (random() * d) / 2);
}

/**
 * Delivers outbox rows: the head of each (integration, incident) queue, at most `concurrency` at
 * once; records each attempt; backs off on retriable failures (honouring Retry-After);
 * dead-letters permanent ones and those past the bound; and publishes each incident's
 * Integrations tile entries into the system document, coalesced per turn.
 */
export class OutboxWorker {
  private readonly policy: RetryPolicy;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private tickQueued = false;
  private stopped = true;
  /** Each incident's Integrations tile in the system document. */
  readonly tiles: TileWriter;
  private readonly callbackKey: Buffer;
  private readonly s;
  /** Deliveries done (any outcome) since start, for the bench and tests. */
  attempts = 0;

  constructor(private readonly deps: OutboxWorkerDeps) {
    this.policy = { ...DEFAULT_RETRY, ...deps.retry };
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.callbackKey = deriveKey(deps.serverKey, 'link-callback');
    this.s = {
      getRef: deps.db.prepare<[string, string, string], { ref: string }>(
        'SELECT ref FROM integration_refs WHERE workspace_id = ? AND integration_id = ? AND subject = ?'
      ),
      putRef: deps.db.prepare(
        `INSERT INTO integration_refs (workspace_id, integration_id, subject, ref, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(workspace_id, integration_id, subject) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`
      ),
      putCallback: deps.db.prepare(
        `INSERT OR IGNORE INTO link_callbacks (token_hash, workspace_id, integration_id, incident_id, created_at)
         VALUES (?, ?, ?, ?, ?)`
      )
    };
    this.tiles = new TileWriter({
      relay: deps.relay,
      integrations: deps.integrations,
      log: deps.log,
      clock: this.clock
    });
    deps.outbox.onEnqueue(() => this.kick());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const recovered = this.deps.outbox.recover();
    if (recovered)
      this.deps.log.info({ recovered }, 'outbox: retrying deliveries that were in flight at the last stop');
    this.kick();
  }

  /** Stops claiming; waits for deliveries in flight (they record their outcome) and tile writes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inflight]);
    await this.tiles.flush();
  }

  /** Look for due rows soon (new rows, a resumed integration, a retry). */
  kick(): void {
    if (this.stopped || this.tickQueued) return;
    this.tickQueued = true;
    setImmediate(() => {
      this.tickQueued = false;
      this.tick();
    });
  }

  /** Resolves when nothing is in flight and nothing due is waiting (tests and the bench). */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.inflight]);
      await new Promise((r) => setImmediate(r));
      const due = this.deps.outbox.nextDue();
      if (!this.inflight.size && (due === null || due > this.clock())) break;
    }
    await this.tiles.flush();
  }

  private tick(): void {
    if (this.stopped) return;
    const room = this.policy.concurrency - this.inflight.size;
    // Refill in batches (when half the slots are free): one claim transaction per batch, not per delivery.
    if (room > 0 && (this.inflight.size === 0 || room >= this.policy.concurrency / 2)) {
      let rows: OutboxRow[] = [];
      try {
        rows = this.deps.outbox.claim(room);
      } catch (err) {
        this.deps.log.error({ err }, 'outbox: could not claim deliveries');
      }
      for (const row of rows) {
        const p = this.deliver(row).finally(() => {
          this.inflight.delete(p);
          this.kick();
        });
        this.inflight.add(p);
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const due = this.deps.outbox.nextDue();
    if (due === null) return;
    const wait = Math.max(0, Math.min(due - this.clock(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, wait);
    this.timer.unref?.();
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const integration = this.deps.integrations.get(row.workspaceId, row.integrationId);
    if (!integration) {
      this.deps.outbox.markDead(row.id, 'The integration was removed');
      return;
    }
    if (integration.paused) {
      this.deps.outbox.postpone(row.id, this.clock() + this.policy.pausedDelayMs);
      return;
    }
    const notifier = notifierOf(integration.kind)!;
    const incident = row.subject;
    try {
      const event = await this.notifyEvent(row);
      if (incident)
        this.tiles.set(row.workspaceId, incident, integration, { state: 'pending', deliveryId: row.id }, true);
      const ctx = this.context(row, integration);
      const result: DeliveryResult = await notifier.deliver(event, ctx);
      this.attempts++;
      this.deps.outbox.markDelivered(row.id);
      if (incident) {
        this.tiles.set(row.workspaceId, incident, integration, {
          state: 'delivered',
          error: null,
          nextAttemptAt: null,
          attempts: row.attempts,
          deliveryId: row.id,
          ...(result.link ? { name: result.link.name, url: result.link.url } : {})
        });
        for (const extra of result.extraLinks ?? [])
          this.tiles
            .addExtraLink(row.workspaceId, incident, integration, extra)
            .catch((err: unknown) => this.deps.log.error({ err }, 'outbox: could not add a receiver link to the tile'));
      }
    } catch (err) {
      this.attempts++;
      this.failed(row, integration, err);
    }
  }

  private failed(row: OutboxRow, integration: Integration, err: unknown): void {
    const e = err instanceof DeliveryError ? err : null;
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const now = this.clock();
    const age = now - Date.parse(row.createdAt);
    const retriable = e ? e.retriable : true;
    const exhausted = row.attempts >= this.policy.maxAttempts || age >= this.policy.maxAgeMs;
    const log = this.deps.log.child({ workspace: row.workspaceId, integration: integration.id, delivery: row.id });
    if (!retriable || exhausted) {
      this.deps.outbox.markDead(row.id, message);
      log.warn({ attempts: row.attempts, error: message }, 'outbox: delivery failed for good');
      if (row.subject)
        this.tiles.set(row.workspaceId, row.subject, integration, {
          state: 'failed',
          error: exhausted && retriable ? `${message} (gave up after ${row.attempts} attempts)` : message,
          nextAttemptAt: null,
          attempts: row.attempts,
          deliveryId: row.id
        });
      return;
    }
    const wait =
      e?.retryAfterMs != null ? Math.max(e.retryAfterMs, 0) : backoffMs(row.attempts, this.policy, this.random);
    const at = now + wait;
    this.deps.outbox.markRetry(row.id, at, message);
    log.info({ attempts: row.attempts, retryInMs: wait, error: message }, 'outbox: delivery failed, will retry');
    if (row.subject)
      this.tiles.set(row.workspaceId, row.subject, integration, {
        state: 'retrying',
        error: message,
        nextAttemptAt: new Date(at).toISOString(),
        attempts: row.attempts,
        deliveryId: row.id
      });
  }

  /** Parsed configurations by integration record (a changed integration is a new record). */
  private readonly configs = new WeakMap<Integration, unknown>();

  private context(row: OutboxRow, integration: Integration): NotifierContext<unknown> {
    const refRow = this.s.getRef.get(row.workspaceId, integration.id, row.subject);
    let config = this.configs.get(integration);
    if (config === undefined) {
      config = notifierOf(integration.kind)!.configSchema.parse(integration.config);
      this.configs.set(integration, config);
    }
    const ctx: NotifierContext<unknown> = {
      config,
      fetch: this.deps.fetch,
      ref: refRow ? (JSON.parse(refRow.ref) as Record<string, unknown>) : null,
      saveRef: (ref) => {
        ctx.ref = ref;
        this.s.putRef.run(
          row.workspaceId,
          integration.id,
          row.subject,
          JSON.stringify(ref),
          new Date(this.clock()).toISOString()
        );
      },
      idempotencyKey: row.key,
      attempt: row.attempts,
      firstAttemptAt: row.firstAttemptAt ?? new Date(this.clock()).toISOString(),
      linkCallbackUrl:
        row.subject && integration.kind === 'webhook'
          ? this.callbackUrl(row.workspaceId, integration.id, row.subject)
          : null,
      publicUrl: this.deps.publicUrl(),
      now: () => new Date(this.clock())
    };
    return ctx;
  }

  private readonly callbacks = new Map<string, string>();

  /** The same capability URL for every delivery of one incident to one webhook; stored hashed. */
  callbackUrl(workspaceId: string, integrationId: string, incidentId: string): string {
    const key = `${workspaceId}\n${integrationId}\n${incidentId}`;
    const known = this.callbacks.get(key);
    if (known) return known;
    const token = createHmac('sha256', this.callbackKey)
      .update(`${workspaceId}\n${integrationId}\n${incidentId}`)
      .digest('base64url');
    this.s.putCallback.run(
      hashToken(token),
      workspaceId,
      integrationId,
      incidentId,
      new Date(this.clock()).toISOString()
    );
    return `${this.deps.publicUrl()}/api/v1/integrations/callback/${token}`;
  }

  private async notifyEvent(row: OutboxRow): Promise<NotifyEvent> {
    const ev = row.event;
    if (ev.type === 'checkEvaluation')
      return {
        type: 'checkEvaluation',
        at: ev.at,
        checkResults: this.deps.views.results(row.workspaceId, ev.resultIds)
      };
    const doc = await this.deps.relay.getRoom(row.workspaceId);
    const sys = await this.deps.relay.getRoom(systemRoomName(row.workspaceId));
    const incident = this.deps.views.incident(row.workspaceId, doc.doc, sys.doc, row.subject);
    if (!incident) throw new DeliveryError(`Incident ${row.subject} cannot be read right now`, { retriable: true });
    return { type: 'incident', change: ev.change, at: ev.at, incident };
  }
}
