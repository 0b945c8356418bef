import { z } from 'zod';
import { send } from '../request.ts';
import type { DeliveryResult, Notifier, NotifierContext } from '../types.ts';
import { checkEvaluationBody, incidentBody, validateBody, type WebhookBody } from './bodies.ts';
import { signBody, SIGNATURE_HEADER } from './signature.ts';

export * from './bodies.ts';
export { signBody, verifyFirebreakSignature, SIGNATURE_HEADER } from './signature.ts';

/**
 * A generic webhook with Soda-compatible bodies (see bodies.ts): `incidentCreated` on create,
 * `incidentUpdated` on every other incident change, `checkEvaluation` for new warn/fail results,
 * `validate` for "Send a test". Signed with HMAC-SHA256 when a secret is set; every call carries
 * the outbox row's `Idempotency-Key` so a receiver can drop redeliveries. A receiver may answer an
 * incident event with `{"link": {"url", "text"}}` to add a link to the incident.
 */

/** RFC 9110 token characters: what a header name may consist of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the notifier sets itself (or the HTTP layer does); configuration cannot replace them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'idempotency-key',
  'x-firebreak-event',
  SIGNATURE_HEADER.toLowerCase()
]);

export const WebhookConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** Signs every body; the receiver checks X-Firebreak-Signature-256 with it. */
  secret: z.string().min(1).nullable().default(null),
  /** Extra headers (e.g. an Authorization the receiver wants); values are secrets. */
  headers: z
    .record(
      z.string().regex(HEADER_NAME, 'not a valid header name'),
      z.string().regex(/^[^\r\n]*$/, 'header values are one line')
    )
    .default({})
    .refine((h) => Object.keys(h).every((k) => !RESERVED_HEADERS.has(k.toLowerCase())), {
      error: `these headers are set by Firebreak: ${[...RESERVED_HEADERS].join(', ')}`
    })
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

const ReplySchema = z.object({
  link: z.object({ url: z.url({ protocol: /^https?$/ }), text: z.string().optional() })
});

async function post(ctx: NotifierContext<WebhookConfig>, body: WebhookBody): Promise<Response> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = {
    ...ctx.config.headers,
    'content-type': 'application/json',
    'idempotency-key': ctx.idempotencyKey,
    'x-firebreak-event': body.event
  };
  if (ctx.config.secret) headers[SIGNATURE_HEADER.toLowerCase()] = signBody(raw, ctx.config.secret);
  return send(ctx.fetch, `Webhook: ${body.event}`, ctx.config.url, { method: 'POST', headers, body: raw });
}

/** The `{"link": {...}}` of a reply, as extra links; anything else in a 2xx reply is ignored. */
async function replyLinks(res: Response): Promise<DeliveryResult['extraLinks']> {
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const reply = ReplySchema.safeParse(json);
  if (!reply.success) return [];
  return [{ name: reply.data.link.text?.trim() || reply.data.link.url, url: reply.data.link.url }];
}

export const webhookNotifier: Notifier<WebhookConfig> = {
  kind: 'webhook',
  label: 'Webhook',
  configSchema: WebhookConfigSchema,
  secretFields: ['secret', 'headers'],

  fromEnv(env) {
    if (!env.FIREBREAK_WEBHOOK_URL) return null;
    return WebhookConfigSchema.parse({ url: env.FIREBREAK_WEBHOOK_URL, secret: env.FIREBREAK_WEBHOOK_SECRET || null });
  },

  async deliver(event, ctx): Promise<DeliveryResult> {
    if (event.type === 'checkEvaluation') {
      const body = checkEvaluationBody(event.checkResults);
      if (body) await post(ctx, body);
      return {};
    }
    const name = event.change.kind === 'created' ? 'incidentCreated' : 'incidentUpdated';
    const res = await post(ctx, incidentBody(name, event.incident, ctx.linkCallbackUrl));
    const extraLinks = await replyLinks(res);
    return extraLinks?.length ? { extraLinks } : {};
  },

  async test(ctx) {
    const res = await post(ctx, validateBody(ctx.now()));
    return { message: `The receiver answered HTTP ${res.status} to a validate event` };
  }
};
