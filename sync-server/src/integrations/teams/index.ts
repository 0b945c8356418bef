import { z } from 'zod';
import { send } from '../request.ts';
import type { DeliveryResult, Notifier, NotifierContext, NotifyEvent } from '../types.ts';
import { card, incidentCard, message } from './card.ts';

/**
 * Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
 * received"): one configured channel for every incident, as Soda does. Each incident change posts
 * an Adaptive Card; the tile links to the configured channel. `checkEvaluation` events are not
 * posted (the channel follows incidents, not every check run) and deliver as a no-op.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const TeamsConfigSchema = z.object({
  /** The Workflows trigger URL; its `sig` parameter is the credential. */
  webhookUrl: httpUrl,
  /** The channel's link ("Get link to channel"), shown in the Integrations tile. */
  channelUrl: httpUrl.nullable().default(null)
});
export type TeamsConfig = z.infer<typeof TeamsConfigSchema>;

const WHAT = 'Teams: post card';

async function post(ctx: NotifierContext<TeamsConfig>, body: unknown): Promise<Response> {
  return send(ctx.fetch, WHAT, ctx.config.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
}

export const teamsNotifier: Notifier<TeamsConfig> = {
  kind: 'teams',
  label: 'Microsoft Teams',
  configSchema: TeamsConfigSchema,
  secretFields: ['webhookUrl'],

  fromEnv(env) {
    const webhookUrl = env.FIREBREAK_TEAMS_WEBHOOK_URL;
    if (!webhookUrl) return null;
    return TeamsConfigSchema.parse({ webhookUrl, channelUrl: env.FIREBREAK_TEAMS_CHANNEL_URL || null });
  },

  async deliver(event: NotifyEvent, ctx): Promise<DeliveryResult> {
    if (event.type !== 'incident') return {};
    await post(ctx, message(incidentCard(event.change, event.incident)));
    return { link: { name: 'Teams channel', url: ctx.config.channelUrl } };
  },

  async test(ctx) {
    const res = await post(
      ctx,
      message(
        card([
          { type: 'TextBlock', text: 'Firebreak test message', weight: 'Bolder', size: 'Medium', wrap: true },
          { type: 'TextBlock', text: 'Incident cards will be posted to this channel.', wrap: true }
        ])
      )
    );
    return { message: `Posted a test card to the Teams channel (HTTP ${res.status})` };
  }
};
