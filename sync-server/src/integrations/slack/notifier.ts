import { z } from 'zod';
import { DeliveryError } from '../types.ts';
import type { DeliveryResult, IncidentView, Notifier, NotifierContext, NotifyEvent } from '../types.ts';
import {
  authTest,
  isSlackError,
  readChannel,
  slackCall,
  type SlackChannel,
  type SlackClient,
  type SlackIdentity
} from './api.ts';
import {
  channelTopic,
  checkAlertMessage,
  creationCard,
  leadMessage,
  linkedMessage,
  reopenedMessage,
  resolvedMessage,
  severityMessage,
  statusMessage,
  testMessage,
  unlinkedMessage,
  type SlackMessage
} from './blocks.ts';
import { channelName, channelPrefix, hasChannelPrefix } from './channel-name.ts';
import { SLACK_SECRET_FIELDS, SlackConfigSchema, slackConfigFromEnv, type SlackConfig } from './config.ts';

/** `name_taken` answers (`-2` … `-20`) before giving up: reopen cycles each use a name. */
export const MAX_NAME_ATTEMPTS = 20;
/** How far Slack's clock (channel `created`) may run behind ours when telling our channels apart. */
export const ADOPT_CLOCK_SKEW_MS = 5 * 60_000;
/** conversations.list page size; Slack recommends no more than 200. */
const LIST_PAGE_SIZE = 200;
/** Pages searched for a channel to adopt (10,000 channels) before creating one anyway. */
const MAX_LIST_PAGES = 50;
/** Idempotency keys kept in the ref: enough to cover rows retried out of order. */
const MAX_REMEMBERED_KEYS = 20;

/** `metadata.event_type` of every message we post; `event_payload.idempotency_key` tells duplicates. */
export const METADATA_EVENT_TYPE = 'firebreak_incident_event';

/** Errors that say the token itself is bad: no other call would go better, so none is tried. */
const AUTH_ERRORS = ['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive'];

/**
 * What the notifier remembers per incident (ctx.ref). Saved after each step that changed Slack,
 * so a retried row (the server may have died mid-delivery) redoes only what is missing.
 */
const SlackRefSchema = z.object({
  channelId: z.string().min(1),
  name: z.string(),
  /** Channel link (`<workspace url>archives/<id>`). */
  url: z.string().nullable().default(null),
  /** The topic we last set; a human's edit is kept until ours would change. */
  topic: z.string().optional(),
  /** The creation card's ts in this channel; a channel without one gets the card next. */
  cardTs: z.string().optional(),
  archived: z.boolean().default(false),
  /** Idempotency keys whose message is already in Slack. */
  posted: z.array(z.string()).default([])
});
export type SlackRef = z.infer<typeof SlackRefSchema>;

export function readSlackRef(ref: Record<string, unknown> | null): SlackRef | null {
  const parsed = SlackRefSchema.safeParse(ref);
  return parsed.success ? parsed.data : null;
}

/** The link shown in the incident's Integrations tile. */
const channelLink = (ref: SlackRef) => ({ name: ref.name, url: ref.url });

type IncidentEventOf<K extends string> = Extract<Extract<NotifyEvent, { type: 'incident' }>['change'], { kind: K }>;

/** One delivery: the ctx, the Slack client and the ref as it evolves during this delivery. */
class Delivery {
  readonly client: SlackClient;
  ref: SlackRef | null;

  constructor(
    readonly ctx: NotifierContext<SlackConfig>,
    private readonly identityOf: (client: SlackClient) => Promise<SlackIdentity>
  ) {
    this.client = { apiUrl: ctx.config.apiUrl, token: ctx.config.botToken, fetch: ctx.fetch };
    this.ref = readSlackRef(ctx.ref);
  }

  call(method: string, args: Record<string, unknown>) {
    return slackCall(this.client, method, args);
  }

  save(ref: SlackRef): SlackRef {
    this.ref = ref;
    this.ctx.saveRef({ ...ref });
    return ref;
  }

  private get postedHere(): boolean {
    return !!this.ref?.posted.includes(this.ctx.idempotencyKey);
  }

  /** One chat.postMessage carrying this row's idempotency key in its metadata; returns its ts. */
  async post(channel: string, message: SlackMessage, incidentId: string | null): Promise<string | null> {
    const answer = await this.call('chat.postMessage', {
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      metadata: {
        event_type: METADATA_EVENT_TYPE,
        event_payload: {
          idempotency_key: this.ctx.idempotencyKey,
          ...(incidentId ? { incident_id: incidentId } : {})
        }
      }
    });
    return typeof answer.ts === 'string' ? answer.ts : null;
  }

  /**
   * Posts into the incident's channel unless this row's message is already there, then records
   * it. An archived channel is left alone: it is the resolved incident's record, read-only.
   */
  async postInChannel(incident: IncidentView, message: SlackMessage, opts: { card?: boolean } = {}): Promise<void> {
    const ref = this.ref!;
    if (this.postedHere || ref.archived) return;
    let ts: string | null;
    try {
      ts = await this.post(ref.channelId, message, incident.id);
    } catch (err) {
      if (isSlackError(err, 'is_archived')) {
        this.save({ ...ref, archived: true });
        return;
      }
      throw err;
    }
    this.save({
      ...this.ref!,
      ...(opts.card && ts ? { cardTs: ts } : {}),
      posted: [...this.ref!.posted, this.ctx.idempotencyKey].slice(-MAX_REMEMBERED_KEYS)
    });
  }

  /** Our topic, when it differs from the one we set last (title or severity changed). */
  async syncTopic(incident: IncidentView): Promise<void> {
    const ref = this.ref!;
    const topic = channelTopic(incident);
    if (ref.archived || ref.topic === topic) return;
    await this.call('conversations.setTopic', { channel: ref.channelId, topic });
    this.save({ ...this.ref!, topic });
  }

  /**
   * The incident's channel with its topic and card, creating it when there is none (or, with
   * `fresh`, when the current one cannot be used). Returns whether the card was posted by this
   * call, in which case the event's own update message is redundant (the card shows the state).
   */
  async ensureChannel(incident: IncidentView, fresh = false): Promise<boolean> {
    if (!this.ref || fresh) await this.createChannel(incident);
    await this.syncTopic(incident);
    if (this.ref!.cardTs || this.ref!.archived) return false;
    await this.postInChannel(incident, creationCard(incident), { card: true });
    return true;
  }

  private async createChannel(incident: IncidentView): Promise<void> {
    if (incident.number === null)
      // The server numbers incidents as they arrive; the row is retried once it has one.
      throw new DeliveryError('Slack: the incident has no number yet', { retriable: true });
    const replaced = this.ref;
    const identity = await this.identityOf(this.client);
    const saveChannel = (c: Pick<SlackChannel, 'id' | 'name'>, topic?: string) =>
      this.save({
        channelId: c.id,
        name: c.name,
        url: `${identity.url}archives/${c.id}`,
        ...(topic ? { topic } : {}),
        archived: false,
        posted: replaced?.posted ?? []
      });

    if (this.ctx.attempt > 1) {
      const adopted = await this.findOwnChannel(incident, replaced?.channelId ?? null);
      // Our topic on it means the crashed try got that far; keep it so it is not set twice.
      if (adopted)
        return void saveChannel(adopted, adopted.topic === channelTopic(incident) ? adopted.topic : undefined);
    }

    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const name = channelName(incident.number, incident.createdAt, incident.title, attempt);
      try {
        const answer = await this.call('conversations.create', { name, is_private: this.ctx.config.private });
        const channel = readChannel(answer.channel);
        if (!channel)
          throw new DeliveryError('Slack conversations.create: the answer has no channel', { retriable: false });
        // Saved before anything else: a crash from here on must not make a second channel.
        return void saveChannel(channel);
      } catch (err) {
        if (!isSlackError(err, 'name_taken')) throw err;
      }
    }
    throw new DeliveryError(
      `Slack conversations.create: name_taken for ${channelName(incident.number, incident.createdAt, incident.title)} and ${MAX_NAME_ATTEMPTS - 1} suffixes`,
      { retriable: false }
    );
  }

  /**
   * Adoption after a crash. A retried row (attempt > 1) that has no channel saved may have made
   * one already: Slack created it but the answer (or our saveRef) was lost when the server died
   * or the call timed out. Before creating, we look through the live channels of the configured
   * privacy (conversations.list, all pages up to a bound) for one that is plausibly ours:
   *   - its name has this incident's prefix `inc-<n>-<yyyy-mm-dd>` (any slug and suffix, since
   *     the title may have been edited between tries), and
   *   - it was created at or after this row's first try minus ADOPT_CLOCK_SKEW_MS, or its topic
   *     starts with our `INC-<n> · ` topic (the crashed try got as far as setting it);
   *   - never the channel being replaced (a refused unarchive) nor an archived one.
   * The newest such channel is adopted. Looking before creating (rather than on `name_taken`
   * only) also covers a title edited between tries, where the new name would not collide.
   */
  private async findOwnChannel(incident: IncidentView, exclude: string | null): Promise<SlackChannel | null> {
    const prefix = channelPrefix(incident.number!, incident.createdAt);
    const since = Date.parse(this.ctx.firstAttemptAt) - ADOPT_CLOCK_SKEW_MS;
    const topicPrefix = `${incident.key} · `;
    let best: SlackChannel | null = null;
    let cursor = '';
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const answer = await this.call('conversations.list', {
        types: this.ctx.config.private ? 'private_channel' : 'public_channel',
        exclude_archived: true,
        limit: LIST_PAGE_SIZE,
        ...(cursor ? { cursor } : {})
      });
      for (const raw of Array.isArray(answer.channels) ? answer.channels : []) {
        const c = readChannel(raw);
        if (!c || c.isArchived || c.id === exclude || !hasChannelPrefix(c.name, prefix)) continue;
        const recent = Number.isFinite(since) && c.created * 1000 >= since;
        if (!recent && !c.topic.startsWith(topicPrefix)) continue;
        if (!best || c.created > best.created) best = c;
      }
      const meta = answer.response_metadata as { next_cursor?: unknown } | undefined;
      cursor = typeof meta?.next_cursor === 'string' ? meta.next_cursor : '';
      if (!cursor) break;
    }
    return best;
  }

  async deliverIncident(event: Extract<NotifyEvent, { type: 'incident' }>): Promise<DeliveryResult> {
    const { change, incident } = event;
    switch (change.kind) {
      case 'created':
        await this.ensureChannel(incident);
        break;
      case 'resolved':
        if (!this.ref) return {}; // never had a channel: making one just to archive it is noise
        await this.resolve(incident, change);
        break;
      case 'reopened':
        await this.reopen(incident, change);
        break;
      default:
        // An event for an incident with no channel yet (Slack enabled later, or the created row
        // dead-lettered) makes the channel; its card shows the state, so no update is posted.
        if (await this.ensureChannel(incident)) break;
        await this.postInChannel(incident, updateMessage(incident, change));
    }
    return this.ref ? { link: channelLink(this.ref) } : {};
  }

  private async resolve(incident: IncidentView, change: IncidentEventOf<'resolved'>): Promise<void> {
    await this.postInChannel(incident, resolvedMessage(incident, change.notes || incident.resolutionNotes));
    const ref = this.ref!;
    try {
      await this.call('conversations.archive', { channel: ref.channelId });
    } catch (err) {
      if (!isSlackError(err, 'already_archived')) throw err;
    }
    this.save({ ...this.ref!, archived: true });
  }

  private async reopen(incident: IncidentView, change: IncidentEventOf<'reopened'>): Promise<void> {
    if (!this.ref) return void (await this.ensureChannel(incident));
    try {
      await this.call('conversations.unarchive', { channel: this.ref.channelId });
    } catch (err) {
      // Retrying will not help a refusal; a bad token would fail channel creation just the same.
      if (!isSlackError(err) || err.retriable || AUTH_ERRORS.includes(err.code)) throw err;
      if (err.code !== 'not_archived') {
        // Refused (bot tokens get `not_in_channel`: archiving removed the bot), deleted, or not a
        // channel we may manage: the incident continues in a fresh channel with a new card.
        await this.ensureChannel(incident, true);
        return;
      }
    }
    this.save({ ...this.ref, archived: false });
    if (await this.ensureChannel(incident)) return;
    await this.postInChannel(incident, reopenedMessage(incident, change.to));
  }
}

function updateMessage(
  incident: IncidentView,
  change: IncidentEventOf<'status' | 'severity' | 'lead' | 'linked' | 'unlinked'>
): SlackMessage {
  switch (change.kind) {
    case 'status':
      return statusMessage(incident, change.from, change.to);
    case 'severity':
      return severityMessage(incident, change.from, change.to);
    case 'lead':
      return leadMessage(incident);
    case 'linked':
      return linkedMessage(
        incident,
        change.results.map((r) => r.resultId)
      );
    case 'unlinked':
      return unlinkedMessage(
        incident,
        change.results.map((r) => r.checkId)
      );
  }
}

/**
 * The Slack notifier. `auth.test` (for the workspace URL in channel links) is asked once per
 * token and kept by this instance; a failed one is asked again next time.
 */
export function createSlackNotifier(): Notifier<SlackConfig> {
  const identities = new Map<string, Promise<SlackIdentity>>();
  const identity = (client: SlackClient): Promise<SlackIdentity> => {
    const key = `${client.apiUrl}\n${client.token}`;
    let known = identities.get(key);
    if (!known) {
      known = authTest(client);
      identities.set(key, known);
      known.catch(() => identities.delete(key));
    }
    return known;
  };

  return {
    kind: 'slack',
    label: 'Slack',
    configSchema: SlackConfigSchema,
    secretFields: SLACK_SECRET_FIELDS,
    fromEnv: slackConfigFromEnv,

    async deliver(event, ctx) {
      const d = new Delivery(ctx, identity);
      if (event.type === 'incident') return d.deliverIncident(event);
      const channel = ctx.config.alertsChannel;
      const results = event.checkResults.filter((r) => r.outcome === 'warn' || r.outcome === 'fail');
      if (!channel || results.length === 0) return {};
      await d.post(channel, checkAlertMessage(results), null);
      return {};
    },

    async test(ctx) {
      const client: SlackClient = { apiUrl: ctx.config.apiUrl, token: ctx.config.botToken, fetch: ctx.fetch };
      const who = await authTest(client);
      let message = `Connected to Slack workspace ${who.team} as ${who.user}`;
      const channel = ctx.config.alertsChannel;
      if (channel) {
        const m = testMessage(ctx.publicUrl);
        await slackCall(client, 'chat.postMessage', { channel, text: m.text, blocks: m.blocks });
        message += `; a test message was posted to ${channel}`;
      }
      return { message };
    }
  };
}

export const slackNotifier = createSlackNotifier();
