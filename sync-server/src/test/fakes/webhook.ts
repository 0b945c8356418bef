import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  FakeHttpServer,
  isJsonContentType,
  type FakeReply,
  type FakeRequest,
  type FakeServerOptions
} from './fake-http.ts';

/**
 * A webhook receiver, written the way a receiver for Soda's webhooks is: it reads the JSON body,
 * checks the HMAC signature of the raw bytes with its own secret (independently of the notifier's
 * code), and may answer `{"link": {"url", "text"}}` to add a link to the incident.
 */

export interface FakeWebhookDelivery {
  event: string | null;
  body: Record<string, unknown>;
  raw: Buffer;
  headers: FakeRequest['headers'];
  /** null when the receiver has no secret. */
  signatureValid: boolean | null;
  idempotencyKey: string | null;
  request: FakeRequest;
}

export interface FakeWebhookOptions extends FakeServerOptions {
  /** The shared secret; deliveries with a missing or wrong signature get 401. Null: no checking. */
  secret?: string | null;
  /** Answer unsigned or badly signed deliveries anyway (to inspect them). */
  acceptBadSignatures?: boolean;
  path?: string;
}

const SIGNATURE_HEADER = 'x-firebreak-signature-256';

function signatureValid(raw: Buffer, header: string | undefined, secret: string): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'));
}

export class FakeWebhook extends FakeHttpServer {
  readonly deliveries: FakeWebhookDelivery[] = [];
  readonly path: string;
  secret: string | null;
  private readonly acceptBad: boolean;
  private link: { url: string; text: string } | null = null;

  constructor(opts: FakeWebhookOptions = {}) {
    super();
    this.secret = opts.secret === undefined ? 'webhook-secret' : opts.secret;
    this.acceptBad = opts.acceptBadSignatures ?? false;
    this.path = opts.path ?? '/hooks/firebreak';
  }

  get hookUrl(): string {
    return this.url + this.path;
  }

  /** From now on, answer every incident delivery with `{"link": {url, text}}` (null stops). */
  replyWithLink(link: { url: string; text: string } | null): this {
    this.link = link;
    return this;
  }

  events(name: string): FakeWebhookDelivery[] {
    return this.deliveries.filter((d) => d.event === name);
  }

  /** Deliveries grouped by Idempotency-Key: more than one in a group is a redelivery. */
  byIdempotencyKey(): Map<string, FakeWebhookDelivery[]> {
    const out = new Map<string, FakeWebhookDelivery[]>();
    for (const d of this.deliveries) {
      const k = d.idempotencyKey ?? '';
      out.set(k, [...(out.get(k) ?? []), d]);
    }
    return out;
  }

  protected override handle(req: FakeRequest): FakeReply {
    if (req.path !== this.path) return { status: 404, body: { error: 'no such hook' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'POST only' } };
    if (!isJsonContentType(req)) return { status: 415, body: { error: 'expected application/json' } };
    const body = req.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return { status: 400, body: { error: 'expected a JSON object' } };
    const header = req.headers[SIGNATURE_HEADER];
    const valid =
      this.secret === null
        ? null
        : signatureValid(req.raw, typeof header === 'string' ? header : undefined, this.secret);
    const key = req.headers['idempotency-key'];
    const delivery: FakeWebhookDelivery = {
      event: typeof (body as { event?: unknown }).event === 'string' ? (body as { event: string }).event : null,
      body: body as Record<string, unknown>,
      raw: req.raw,
      headers: req.headers,
      signatureValid: valid,
      idempotencyKey: typeof key === 'string' ? key : null,
      request: req
    };
    if (valid === false && !this.acceptBad) return { status: 401, body: { error: 'bad signature' } };
    this.deliveries.push(delivery);
    const isIncident = delivery.event === 'incidentCreated' || delivery.event === 'incidentUpdated';
    return { status: 200, body: isIncident && this.link ? { link: this.link } : { ok: true } };
  }
}

export async function startFakeWebhook(opts: FakeWebhookOptions = {}): Promise<FakeWebhook> {
  return new FakeWebhook(opts).start(opts);
}
