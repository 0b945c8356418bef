import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { IncidentEvent } from '@firebreak/shared';
import { createSafeFetch } from '../egress.ts';
import {
  checkEvaluation,
  incidentEvent,
  makeCheckResult,
  makeIncident,
  resolvedIncident,
  retryOf,
  testContext
} from '../test-context.ts';
import { DeliveryError, type IncidentView } from '../types.ts';
import { startFakeWebhook, type FakeWebhook } from '../../test/fakes/webhook.ts';
import { verifyFirebreakSignature, webhookNotifier, WebhookConfigSchema, type WebhookConfig } from './index.ts';

let fake: FakeWebhook;
afterEach(() => fake?.close());

async function setup(over: Partial<WebhookConfig> = {}, secret: string | null = 'webhook-secret') {
  fake = await startFakeWebhook({ secret });
  return testContext(WebhookConfigSchema.parse({ url: fake.hookUrl, secret, ...over }));
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/**
 * A receiver written from Soda's documented webhook bodies, not from Firebreak's types: it must
 * parse what Firebreak sends. `.strict()` also pins the field set to Soda's.
 */
const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'ISO timestamp');
const SodaPerson = z.object({ id: z.string(), email: z.string() }).strict().nullable();
const SodaCheckResult = z
  .object({
    id: z.string(),
    sodaCloudUrl: z.url(),
    definition: z.string().nullable(),
    name: z.string(),
    datasets: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          datasource: z.object({ id: z.string(), name: z.string() }).strict()
        })
        .strict()
    ),
    column: z.string().nullable(),
    outcome: z.enum(['pass', 'warn', 'fail']).nullable(),
    dataTimestamp: iso,
    diagnostics: z.record(z.string(), z.unknown()).nullable()
  })
  .strict();
const SodaIncident = z
  .object({
    id: z.string(),
    sodaCloudUrl: z.url(),
    number: z.number().int().nullable(),
    title: z.string(),
    description: z.string(),
    severity: z.enum(['minor', 'major', 'critical']),
    status: z.enum(['reported', 'investigating', 'fixing', 'resolved']),
    createdTimestamp: iso,
    lastUpdatedTimestamp: iso,
    resolutionNotes: z.string().nullable(),
    resolutionTimestamp: iso.nullable(),
    links: z.array(z.object({ integrationType: z.string(), name: z.string(), url: z.string().nullable() }).strict()),
    lead: SodaPerson,
    reporter: SodaPerson,
    checkResults: z.array(SodaCheckResult)
  })
  .strict();
const SodaBody = z.discriminatedUnion('event', [
  z.object({ event: z.literal('validate'), sentAt: iso }).strict(),
  z
    .object({
      event: z.literal('incidentCreated'),
      incident: SodaIncident,
      incidentLinkCallbackUrl: z.url().nullable()
    })
    .strict(),
  z
    .object({
      event: z.literal('incidentUpdated'),
      incident: SodaIncident,
      incidentLinkCallbackUrl: z.url().nullable()
    })
    .strict(),
  z.object({ event: z.literal('checkEvaluation'), checkResults: z.array(SodaCheckResult) }).strict()
]);

const withLinks: IncidentView = makeIncident({
  links: [
    {
      integration: 'slack',
      name: 'inc-196-2026-11-26-invalid-customer-ids',
      url: 'https://acme.slack.com/archives/C123'
    }
  ]
});

describe('webhook notifier against a receiver', () => {
  it('[WH1] a new incident posts incidentCreated with the incident in Soda field names and the callback URL', async () => {
    const ctx = await setup();
    await webhookNotifier.deliver(incidentEvent({ kind: 'created' }, withLinks), ctx);
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.deliveries[0]!.body).toEqual({
      event: 'incidentCreated',
      incident: {
        id: withLinks.id,
        sodaCloudUrl: withLinks.url,
        number: 196,
        title: 'Invalid customer ids',
        description: withLinks.description,
        severity: 'major',
        status: 'reported',
        createdTimestamp: '2026-11-26T09:05:00.000Z',
        lastUpdatedTimestamp: '2026-11-26T09:05:00.000Z',
        resolutionNotes: null,
        resolutionTimestamp: null,
        links: [
          {
            integrationType: 'slack',
            name: 'inc-196-2026-11-26-invalid-customer-ids',
            url: 'https://acme.slack.com/archives/C123'
          }
        ],
        lead: { id: 'member-alice', email: 'alice@example.com' },
        reporter: { id: 'member-bob', email: 'bob@example.com' },
        checkResults: [
          {
            id: 'result-01',
            sodaCloudUrl: withLinks.checkResults[0]!.url,
            definition: 'checks for orders:\n  - missing_count(email) = 0',
            name: 'No missing customer emails',
            datasets: [{ id: 'postgres/orders', name: 'orders', datasource: { id: 'postgres', name: 'postgres' } }],
            column: 'email',
            outcome: 'fail',
            dataTimestamp: '2026-11-26T09:00:00.000Z',
            diagnostics: { value: 3, fail: { greaterThan: 0 } }
          }
        ]
      },
      incidentLinkCallbackUrl: ctx.linkCallbackUrl
    });
  });

  it('[WH1] every other incident change posts incidentUpdated with the incident as it is now', async () => {
    const ctx = await setup();
    const changes: IncidentEvent[] = [
      { kind: 'status', from: 'reported', to: 'investigating' },
      { kind: 'severity', from: 'major', to: 'critical' },
      { kind: 'lead', from: null, to: 'member-alice' },
      { kind: 'linked', results: [{ resultId: 'r', checkId: 'c' }] },
      { kind: 'unlinked', results: [{ resultId: 'r', checkId: 'c' }] },
      { kind: 'reopened', to: 'investigating' }
    ];
    for (const change of changes) await webhookNotifier.deliver(incidentEvent(change), testContext(ctx.config));
    const resolved = resolvedIncident();
    await webhookNotifier.deliver(
      incidentEvent({ kind: 'resolved', from: 'fixing', notes: resolved.resolutionNotes }, resolved),
      testContext(ctx.config)
    );
    expect(fake.deliveries.map((d) => d.event)).toEqual(Array(changes.length + 1).fill('incidentUpdated'));
    expect(fake.deliveries.at(-1)!.body.incident).toMatchObject({
      status: 'resolved',
      resolutionNotes: resolved.resolutionNotes,
      resolutionTimestamp: '2026-11-26T11:00:00.000Z'
    });
  });

  it('[WH2] bodies are signed: sha256 HMAC of the exact raw bytes, checked by the receiver with its own secret', async () => {
    const ctx = await setup();
    await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx);
    const d = fake.deliveries[0]!;
    expect(d.signatureValid).toBe(true);
    const header = d.headers['x-firebreak-signature-256'] as string;
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyFirebreakSignature(d.raw, header, 'webhook-secret')).toBe(true);
    expect(verifyFirebreakSignature(d.raw.toString('utf8'), header, 'webhook-secret')).toBe(true);
    expect(verifyFirebreakSignature(d.raw, header, 'another-secret')).toBe(false);
    expect(verifyFirebreakSignature(Buffer.concat([d.raw, Buffer.from(' ')]), header, 'webhook-secret')).toBe(false);
    expect(verifyFirebreakSignature(d.raw, null, 'webhook-secret')).toBe(false);
    expect(verifyFirebreakSignature(d.raw, 'sha256=zz', 'webhook-secret')).toBe(false);
  });

  it('[WH2] without a secret nothing is signed; a receiver expecting a signature refuses (permanently)', async () => {
    const ctx = await setup({ secret: null }, null);
    await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx);
    expect(fake.deliveries[0]!.headers).not.toHaveProperty('x-firebreak-signature-256');
    fake.secret = 'receiver-secret';
    expect(await failure(webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx))).toMatchObject({
      retriable: false,
      status: 401
    });
  });

  it('[WH3] every call carries Idempotency-Key and X-Firebreak-Event; a retry reuses the key', async () => {
    const ctx = await setup();
    fake.dropNext(1, { apply: true });
    await failure(webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx));
    await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), retryOf(ctx));
    await webhookNotifier.deliver(
      incidentEvent({ kind: 'severity', from: 'major', to: 'minor' }),
      testContext(ctx.config)
    );
    const groups = fake.byIdempotencyKey();
    expect(groups.get(ctx.idempotencyKey)!.map((d) => d.headers['x-firebreak-event'])).toEqual([
      'incidentCreated',
      'incidentCreated'
    ]);
    expect(groups.size).toBe(2);
  });

  it('[WH4] a {"link": {url, text}} reply becomes an extra link; other replies are ignored', async () => {
    const ctx = await setup();
    expect(await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx)).toEqual({});
    fake.replyWithLink({ url: 'https://acme.atlassian.net/browse/DQ-7', text: 'DQ-7' });
    expect(await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx)).toEqual({
      extraLinks: [{ name: 'DQ-7', url: 'https://acme.atlassian.net/browse/DQ-7' }]
    });
    fake.replyWithLink({ url: 'javascript:alert(1)', text: 'x' });
    expect(await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx)).toEqual({});
  });

  it('[WH5] a receiver written for Soda’s body shape parses every body Firebreak sends', async () => {
    const ctx = await setup();
    await webhookNotifier.test(ctx);
    await webhookNotifier.deliver(incidentEvent({ kind: 'created' }, withLinks), ctx);
    await webhookNotifier.deliver(
      incidentEvent(
        { kind: 'created' },
        makeIncident({
          number: null,
          lead: null,
          checkResults: [
            makeCheckResult({ outcome: null, column: null, table: null, definition: null, diagnostics: null })
          ]
        })
      ),
      ctx
    );
    const resolved = resolvedIncident();
    await webhookNotifier.deliver(incidentEvent({ kind: 'resolved', from: 'fixing', notes: 'n' }, resolved), ctx);
    await webhookNotifier.deliver(checkEvaluation([makeCheckResult({ outcome: 'warn' })]), ctx);
    expect(fake.deliveries.map((d) => d.event)).toEqual([
      'validate',
      'incidentCreated',
      'incidentCreated',
      'incidentUpdated',
      'checkEvaluation'
    ]);
    for (const d of fake.deliveries)
      expect(SodaBody.safeParse(JSON.parse(d.raw.toString('utf8'))).error).toBeUndefined();
  });

  it('[WH6] checkEvaluation carries only the new warn and fail results; none left means no call', async () => {
    const ctx = await setup();
    await webhookNotifier.deliver(
      checkEvaluation([
        makeCheckResult({ id: 'a', outcome: 'pass' }),
        makeCheckResult({ id: 'b', outcome: 'warn' }),
        makeCheckResult({ id: 'c', outcome: 'fail' }),
        makeCheckResult({ id: 'd', outcome: null })
      ]),
      ctx
    );
    expect(fake.deliveries).toHaveLength(1);
    expect((fake.deliveries[0]!.body.checkResults as Array<{ id: string }>).map((r) => r.id)).toEqual(['b', 'c']);
    expect(await webhookNotifier.deliver(checkEvaluation([makeCheckResult({ outcome: 'pass' })]), ctx)).toEqual({});
    expect(fake.requests).toHaveLength(1);
  });

  it('[WH7] 500 and 429 are retriable; 404 and 400 are permanent; timeouts are retriable', async () => {
    const ctx = await setup();
    const ev = incidentEvent({ kind: 'created' });
    fake.failNext(1, { status: 502 });
    expect(await failure(webhookNotifier.deliver(ev, ctx))).toMatchObject({ retriable: true, status: 502 });
    fake.rateLimitNext(1, 3);
    expect(await failure(webhookNotifier.deliver(ev, ctx))).toMatchObject({ retriable: true, retryAfterMs: 3000 });
    fake.failNext(1, { status: 400 });
    expect(await failure(webhookNotifier.deliver(ev, ctx))).toMatchObject({ retriable: false, status: 400 });
    expect(
      await failure(webhookNotifier.deliver(ev, testContext({ ...ctx.config, url: fake.url + '/nope' })))
    ).toMatchObject({ retriable: false, status: 404 });
    fake.hangNext(1);
    const quick = testContext(ctx.config, { fetch: createSafeFetch({ allow: ['127.0.0.1'], timeoutMs: 200 }) });
    expect(await failure(webhookNotifier.deliver(ev, quick))).toMatchObject({
      retriable: true,
      message: 'Webhook: incidentCreated: timed out'
    });
    expect(fake.deliveries).toHaveLength(0);
  });

  it('[WH8] configured extra headers are sent, but cannot replace the ones Firebreak sets', async () => {
    const ctx = await setup({ headers: { Authorization: 'Bearer receiver-token' } });
    await webhookNotifier.deliver(incidentEvent({ kind: 'created' }), ctx);
    expect(fake.deliveries[0]!.headers.authorization).toBe('Bearer receiver-token');
    for (const name of ['Idempotency-Key', 'x-firebreak-signature-256', 'Content-Type'])
      expect(WebhookConfigSchema.safeParse({ url: fake.hookUrl, headers: { [name]: 'x' } }).success).toBe(false);
    expect(WebhookConfigSchema.safeParse({ url: fake.hookUrl, headers: { 'X-Evil': 'a\r\nHost: b' } }).success).toBe(
      false
    );
  });

  it('[WH9] "Send a test" posts validate; fromEnv reads FIREBREAK_WEBHOOK_URL and _SECRET', async () => {
    const ctx = await setup();
    expect((await webhookNotifier.test(ctx)).message).toBe('The receiver answered HTTP 200 to a validate event');
    expect(fake.deliveries[0]!.body).toEqual({ event: 'validate', sentAt: '2026-11-26T09:12:10.000Z' });
    expect(webhookNotifier.fromEnv({ FIREBREAK_WEBHOOK_SECRET: 's' })).toBeNull();
    expect(webhookNotifier.fromEnv({ FIREBREAK_WEBHOOK_URL: 'https://hooks.example.com/x' })).toEqual({
      url: 'https://hooks.example.com/x',
      secret: null,
      headers: {}
    });
    expect(
      webhookNotifier.fromEnv({ FIREBREAK_WEBHOOK_URL: 'https://hooks.example.com/x', FIREBREAK_WEBHOOK_SECRET: 's' })
        ?.secret
    ).toBe('s');
    expect(webhookNotifier.secretFields).toEqual(['secret', 'headers']);
  });
});
