import { createHmac } from 'node:crypto';
import {
  incidentLinks,
  integrationsList,
  linksMap,
  SERVER,
  setIntegrationsList,
  systemRoomName,
  type IntegrationLink
} from '@firebreak/shared';
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import { deriveKey, hashToken } from '../access/crypto.ts';
import type { Db } from '../db/types.ts';
import type { Relay } from '../relay/relay.ts';
import type { Integration, IntegrationStore } from './integration-store.ts';
import type { Outbox, OutboxRow } from './outbox-store.ts';
import { notifierOf } from './registry.ts';
import { DeliveryError, type DeliveryResult, type NotifierContext, type NotifyEvent, type SafeFetch } from './types.ts';
import type { ViewBuilder } from './views.ts';

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

type LinkPatch = Partial<IntegrationLink> & Pick<IntegrationLink, 'state'>;

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
  /** Tile changes waiting to be written: workspace → incident → integration id → patch. */
  private tiles = new Map<string, Map<string, Map<string, { integration: Integration; patch: LinkPatch }>>>();
  private tilesQueued = false;
  private tilesWritten: Promise<void> = Promise.resolve();
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
    await this.flushTiles();
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
    await this.flushTiles();
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
      if (incident) this.tile(row.workspaceId, incident, integration, { state: 'pending', deliveryId: row.id }, true);
      const ctx = this.context(row, integration);
      const result: DeliveryResult = await notifier.deliver(event, ctx);
      this.attempts++;
      this.deps.outbox.markDelivered(row.id);
      if (incident) {
        this.tile(row.workspaceId, incident, integration, {
          state: 'delivered',
          error: null,
          nextAttemptAt: null,
          attempts: row.attempts,
          deliveryId: row.id,
          ...(result.link ? { name: result.link.name, url: result.link.url } : {})
        });
        for (const extra of result.extraLinks ?? []) this.extraLink(row.workspaceId, incident, integration, extra);
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
        this.tile(row.workspaceId, row.subject, integration, {
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
      this.tile(row.workspaceId, row.subject, integration, {
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

  // ---- the Integrations tile (system document) -------------------------------------------------

  /** Queues a tile change; `onlyIfNew` applies it only when the incident has no entry for it yet. */
  private tile(workspaceId: string, incidentId: string, integration: Integration, patch: LinkPatch, onlyIfNew = false) {
    let byIncident = this.tiles.get(workspaceId);
    if (!byIncident) this.tiles.set(workspaceId, (byIncident = new Map()));
    let byIntegration = byIncident.get(incidentId);
    if (!byIntegration) byIncident.set(incidentId, (byIntegration = new Map()));
    const prev = byIntegration.get(integration.id);
    if (onlyIfNew) {
      if (prev) return;
      byIntegration.set(integration.id, { integration, patch: { ...patch, onlyIfNew: true } as LinkPatch });
    } else
      byIntegration.set(integration.id, {
        integration,
        patch: { ...prev?.patch, ...patch, onlyIfNew: false } as LinkPatch
      });
    this.queueTiles();
  }

  private extraLink(
    workspaceId: string,
    incidentId: string,
    integration: Integration,
    link: { name: string; url: string }
  ) {
    void this.addExtraLink(workspaceId, incidentId, integration, link);
  }

  /** A link a receiver added (webhook reply or callback), shown beside the integration's entry. */
  async addExtraLink(
    workspaceId: string,
    incidentId: string,
    integration: Integration,
    link: { name: string; url: string }
  ) {
    const sys = await this.deps.relay.getRoom(systemRoomName(workspaceId));
    const at = new Date(this.clock()).toISOString();
    const map = linksMap(sys.doc);
    const list = incidentLinks(sys.doc, incidentId);
    const entry: IntegrationLink = {
      integration: integration.kind,
      integrationId: integration.id,
      name: link.name,
      url: link.url,
      state: 'delivered',
      extra: true,
      updatedAt: at
    };
    const i = list.findIndex((l) => l.extra && l.integrationId === integration.id && l.url === link.url);
    if (i >= 0 && list[i]!.name === link.name) return;
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    sys.doc.transact(() => map.set(incidentId, list), SERVER);
  }

  private queueTiles() {
    if (this.tilesQueued) return;
    this.tilesQueued = true;
    setImmediate(() => {
      this.tilesQueued = false;
      this.tilesWritten = this.tilesWritten
        .then(() => this.writeTiles())
        .catch((err) => {
          this.deps.log.error({ err }, 'outbox: could not update the Integrations tiles');
        });
    });
  }

  private async flushTiles(): Promise<void> {
    if (this.tilesQueued || this.tiles.size) {
      this.tilesQueued = false;
      this.tilesWritten = this.tilesWritten.then(() => this.writeTiles());
    }
    await this.tilesWritten;
  }

  private async writeTiles(): Promise<void> {
    const pending = this.tiles;
    this.tiles = new Map();
    for (const [workspaceId, byIncident] of pending) {
      const sys = await this.deps.relay.getRoom(systemRoomName(workspaceId));
      const at = new Date(this.clock()).toISOString();
      sys.doc.transact(() => {
        for (const [incidentId, byIntegration] of byIncident) writeIncidentTile(sys.doc, incidentId, byIntegration, at);
      }, SERVER);
    }
  }

  /** Mirrors a workspace's integrations (names and pause state, no configuration) into its system document. */
  async publishIntegrations(workspaceId: string): Promise<void> {
    const sys = await this.deps.relay.getRoom(systemRoomName(workspaceId));
    const list = this.deps.integrations
      .list(workspaceId)
      .map((i) => ({ id: i.id, integration: i.kind, name: i.name, paused: i.paused }));
    if (JSON.stringify(integrationsList(sys.doc)) !== JSON.stringify(list)) setIntegrationsList(sys.doc, list);
  }
}

function writeIncidentTile(
  sys: Y.Doc,
  incidentId: string,
  changes: Map<string, { integration: Integration; patch: LinkPatch }>,
  at: string
) {
  const list = incidentLinks(sys, incidentId);
  let changed = false;
  for (const [integrationId, { integration, patch }] of changes) {
    const { onlyIfNew, ...fields } = patch as LinkPatch & { onlyIfNew?: boolean };
    const i = list.findIndex((l) => !l.extra && (l.integrationId ?? l.integration) === integrationId);
    if (i >= 0 && onlyIfNew) continue;
    const prev: IntegrationLink =
      i >= 0
        ? list[i]!
        : {
            integration: integration.kind,
            integrationId,
            name: integration.name,
            url: null,
            state: 'pending',
            updatedAt: at
          };
    const next: IntegrationLink = { ...prev, ...fields, integration: integration.kind, integrationId, updatedAt: at };
    if (i >= 0) list[i] = next;
    else list.push(next);
    changed = true;
  }
  if (changed) linksMap(sys).set(incidentId, list);
}
