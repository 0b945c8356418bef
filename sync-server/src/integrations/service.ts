import { incidentsMap, numbersMap, SERVER, setStatus, systemRoomName, type Member } from '@firebreak/shared';
import type { Logger } from 'pino';
import { hashToken } from '../access/crypto.ts';
import type { Db } from '../db/types.ts';
import type { Relay } from '../relay/relay.ts';
import type { Integration, IntegrationStore } from './integration-store.ts';
import type { Outbox } from './outbox-store.ts';
import type { OutboxWorker } from './outbox-worker.ts';
import { notifierOf, wantsCheckEvaluations } from './registry.ts';
import {
  failedReply,
  helpReply,
  notMemberReply,
  parseSlackRequest,
  readOnlyReply,
  respond,
  slackUser,
  statusSetReply,
  unknownIncidentReply,
  verifySlackSignature,
  SIGNATURE_HEADER as SLACK_SIGNATURE,
  TIMESTAMP_HEADER as SLACK_TIMESTAMP,
  type EphemeralReply,
  type SetStatusIntent,
  type SlackConfig
} from './slack/index.ts';
import type { SafeFetch } from './types.ts';

export interface IntegrationServiceDeps {
  db: Db;
  integrations: IntegrationStore;
  outbox: Outbox;
  worker: OutboxWorker;
  relay: Relay;
  members: {
    findByEmail(workspaceId: string, email: string): Member | null;
  };
  fetch: SafeFetch;
  log: Logger;
  publicUrl: () => string;
  now?: () => Date;
}

export interface InboundAnswer {
  status: number;
  body: unknown;
}

/**
 * What the integrations do besides delivering the outbox: Slack's buttons and slash command,
 * webhook link callbacks, check evaluations from ingest, "Send a test".
 */
export class IntegrationService {
  constructor(private readonly deps: IntegrationServiceDeps) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * One outbox row per integration that wants them, for the new warn/fail results of one ingest.
   * Runs inside the ingest's transaction, so the alert is recorded exactly when the results are.
   */
  checkEvaluation(workspaceId: string, scanId: string, resultIds: readonly string[]): void {
    if (!resultIds.length) return;
    for (const i of this.deps.integrations.enabled(workspaceId)) {
      if (!wantsCheckEvaluations(i.kind, i.config)) continue;
      this.deps.outbox.enqueue({
        workspaceId,
        integrationId: i.id,
        subject: '',
        event: { type: 'checkEvaluation', resultIds: [...resultIds], at: this.now().toISOString() },
        key: `${workspaceId}/scan/${scanId}/${i.id}`
      });
    }
  }

  /** "Send a test": the notifier's test call with the stored configuration. */
  async test(integration: Integration): Promise<{ ok: boolean; message: string }> {
    const notifier = notifierOf(integration.kind)!;
    try {
      const out = await notifier.test({
        config: notifier.configSchema.parse(integration.config),
        fetch: this.deps.fetch,
        ref: null,
        saveRef() {},
        idempotencyKey: `test-${integration.id}-${Date.now()}`,
        attempt: 1,
        firstAttemptAt: this.now().toISOString(),
        linkCallbackUrl: null,
        publicUrl: this.deps.publicUrl(),
        now: () => this.now()
      });
      return { ok: true, message: out.message };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** POST /integrations/callback/:token — a webhook receiver adds a link to the incident's tile. */
  async linkCallback(token: string, body: unknown): Promise<InboundAnswer> {
    const row = this.deps.db
      .prepare<[string], { workspace_id: string; integration_id: string; incident_id: string }>(
        'SELECT workspace_id, integration_id, incident_id FROM link_callbacks WHERE token_hash = ?'
      )
      .get(hashToken(token));
    if (!row) return { status: 404, body: err('not_found', 'This callback URL is not valid') };
    const integration = this.deps.integrations.get(row.workspace_id, row.integration_id);
    if (!integration)
      return { status: 410, body: err('gone', 'The integration this callback belonged to was removed') };
    const link = parseLink(body);
    if (!link)
      return {
        status: 400,
        body: err('invalid_link', 'Send {"url": "https://…", "text": "…"} (or {"link": {…}}) with an http(s) url')
      };
    await this.deps.worker.tiles.addExtraLink(row.workspace_id, row.incident_id, integration, link);
    return { status: 200, body: { ok: true } };
  }

  /**
   * POST /integrations/slack/events: the request must verify against the signing secret of one
   * configured Slack integration (which says which workspace it is for).
   */
  async slackEvents(rawBody: string, headers: (name: string) => string | undefined): Promise<InboundAnswer> {
    const candidates = this.deps.integrations
      .allOfKind('slack')
      .filter((i) => !i.paused && typeof (i.config as SlackConfig).signingSecret === 'string');
    if (!candidates.length)
      return { status: 404, body: err('not_configured', 'No Slack integration with a signing secret is configured') };
    let integration: Integration | null = null;
    let reason = 'mismatch';
    for (const c of candidates) {
      const check = verifySlackSignature({
        signingSecret: (c.config as SlackConfig).signingSecret!,
        timestamp: headers(SLACK_TIMESTAMP),
        signature: headers(SLACK_SIGNATURE),
        rawBody,
        now: this.now()
      });
      if (check.ok) {
        integration = c;
        break;
      }
      reason = check.message;
    }
    if (!integration) return { status: 401, body: err('bad_signature', `Slack signature check failed: ${reason}`) };
    const parsed = parseSlackRequest({ contentType: headers('content-type') ?? null, rawBody });
    switch (parsed.kind) {
      case 'url_verification':
        return { status: 200, body: { challenge: parsed.challenge } };
      case 'ignore':
        return { status: 200, body: '' };
      case 'invalid':
        return { status: 400, body: err('invalid', parsed.message) };
      case 'reply':
        return this.replyTo(parsed.responseUrl, parsed.reply, true);
      case 'intent': {
        const reply = await this.applyIntent(integration, parsed.intent).catch((e: unknown) => {
          this.deps.log.error({ err: e }, 'slack: could not apply an action');
          return failedReply('something went wrong on the Firebreak server');
        });
        return this.replyTo(parsed.intent.responseUrl, reply, parsed.intent.source === 'command');
      }
    }
  }

  /** A slash command's reply is the HTTP body; a button's goes to its response_url. */
  private replyTo(responseUrl: string | null, reply: EphemeralReply, inBody: boolean): InboundAnswer {
    if (inBody || !responseUrl) return { status: 200, body: reply };
    respond(this.deps.fetch, responseUrl, reply).catch((e: unknown) =>
      this.deps.log.warn({ err: e }, 'slack: could not post a reply to response_url')
    );
    return { status: 200, body: '' };
  }

  private async applyIntent(integration: Integration, intent: SetStatusIntent): Promise<EphemeralReply> {
    const ws = integration.workspaceId;
    const config = integration.config as SlackConfig;
    const user = await slackUser(
      { apiUrl: config.apiUrl, token: config.botToken, fetch: this.deps.fetch },
      intent.slackUserId
    );
    const email = user && !user.deleted ? user.email : null;
    const member = email ? this.deps.members.findByEmail(ws, email) : null;
    if (!member || member.removedAt) return notMemberReply(email);
    if (member.role === 'viewer') return readOnlyReply();
    const room = await this.deps.relay.getRoom(ws);
    const sys = await this.deps.relay.getRoom(systemRoomName(ws));
    let id: string | null = null;
    if ('id' in intent.incident) id = incidentsMap(room.doc).has(intent.incident.id) ? intent.incident.id : null;
    else {
      const wanted = intent.incident.number;
      for (const [incidentId, n] of numbersMap(sys.doc).entries()) if (n === wanted) id = incidentId;
    }
    if (!id) return unknownIncidentReply(intent.incident);
    const n = numbersMap(sys.doc).get(id);
    const key = typeof n === 'number' ? `INC-${n}` : 'The incident';
    setStatus(room.doc, id, intent.status, member.id, {
      origin: SERVER,
      ...(intent.notes !== undefined ? { resolutionNotes: intent.notes } : {})
    });
    await room.flushed();
    return statusSetReply(key, intent.status);
  }
}

export { helpReply };

function err(code: string, message: string) {
  return { error: { code, message } };
}

function parseLink(body: unknown): { name: string; url: string } | null {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const inner = (typeof b.link === 'object' && b.link !== null ? b.link : b) as Record<string, unknown>;
  const url = typeof inner.url === 'string' ? inner.url : null;
  if (!url || !/^https?:\/\//i.test(url) || url.length > 2000) return null;
  try {
    new URL(url);
  } catch {
    return null;
  }
  const text = typeof inner.text === 'string' && inner.text.trim() ? inner.text.trim().slice(0, 200) : url;
  return { name: text, url };
}
