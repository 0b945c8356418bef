import { afterEach, describe, expect, it } from 'vitest';
import { createSafeFetch } from '../egress.ts';
import {
  checkEvaluation,
  incidentEvent,
  makeCheckResult,
  makeIncident,
  resolvedIncident,
  testContext,
  BOB
} from '../test-context.ts';
import { DeliveryError } from '../types.ts';
import { startFakeTeams, type FakeTeams } from '../../test/fakes/teams.ts';
import { teamsNotifier, TeamsConfigSchema, type TeamsConfig } from './index.ts';

let fake: FakeTeams;
afterEach(() => fake?.close());

async function setup(over: Partial<TeamsConfig> = {}) {
  fake = await startFakeTeams();
  const config = TeamsConfigSchema.parse({ webhookUrl: fake.webhookUrl, channelUrl: fake.channelUrl, ...over });
  return testContext(config);
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('Teams notifier against the fake Workflows webhook', () => {
  it('[TM1] a new incident posts an Adaptive Card with title, facts, linked checks and a link to the incident', async () => {
    const ctx = await setup();
    const incident = makeIncident({
      checkResults: [makeCheckResult(), makeCheckResult({ id: 'r2', name: 'Row count above 100', outcome: 'warn' })]
    });
    const result = await teamsNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx);
    expect(result.link).toEqual({ name: 'Teams channel', url: fake.channelUrl });
    expect(fake.cards).toHaveLength(1);
    const { card, text, urls, request } = fake.cards[0]!;
    expect(request.status).toBe(202);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(text).toContain('New incident');
    expect(text).toContain('INC-196: Invalid customer ids');
    expect(text).toContain('Severity: Major');
    expect(text).toContain('Status: Reported');
    expect(text).toContain('Lead: Alice Martin');
    expect(text).toContain('Reporter: Bob Chen');
    expect(text).toContain('Orders arrive with customer ids');
    expect(text).toContain('Linked checks (2)');
    expect(text).toContain(`[Fail · No missing customer emails · postgres/orders](${incident.checkResults[0]!.url})`);
    expect(text).toContain('Warn · Row count above 100');
    expect(urls).toEqual([incident.url]);
  });

  it('[TM1] every change posts a card saying what changed; resolved carries the notes', async () => {
    const ctx = await setup();
    const cases: Array<[Parameters<typeof incidentEvent>[0], string]> = [
      [{ kind: 'status', from: 'reported', to: 'investigating' }, 'Status changed from Reported to Investigating'],
      [{ kind: 'severity', from: 'major', to: 'critical' }, 'Severity changed from Major to Critical'],
      [{ kind: 'lead', from: null, to: 'member-alice' }, 'Lead set to Alice Martin'],
      [
        { kind: 'linked', results: [{ resultId: 'result-01', checkId: 'postgres:c41d07b9' }] },
        'Linked 1 check result: No missing customer emails'
      ],
      [
        {
          kind: 'unlinked',
          results: [
            { resultId: 'gone', checkId: 'x' },
            { resultId: 'gone2', checkId: 'y' }
          ]
        },
        'Unlinked 2 check results'
      ],
      [{ kind: 'reopened', to: 'investigating' }, 'Reopened as Investigating']
    ];
    for (const [change] of cases) await teamsNotifier.deliver(incidentEvent(change), ctx);
    await teamsNotifier.deliver(
      incidentEvent({ kind: 'resolved', from: 'fixing', notes: 'Backfilled the table.' }, resolvedIncident()),
      ctx
    );
    expect(fake.cards).toHaveLength(cases.length + 1);
    cases.forEach(([, sentence], i) => expect(fake.cards[i]!.text).toContain(sentence));
    const resolved = fake.cards.at(-1)!.text;
    expect(resolved).toContain('Incident resolved');
    expect(resolved).toContain('Resolved (Fixed)');
    expect(resolved).toContain('Resolution notes\nBackfilled the table.');
    expect(resolved).toContain('Status: Resolved');
  });

  it('[TM1] without a channel URL the tile link has no URL', async () => {
    const ctx = await setup({ channelUrl: null });
    const result = await teamsNotifier.deliver(incidentEvent({ kind: 'created' }), ctx);
    expect(result.link).toEqual({ name: 'Teams channel', url: null });
  });

  it('[TM2] checkEvaluation events are not posted', async () => {
    const ctx = await setup();
    expect(await teamsNotifier.deliver(checkEvaluation([makeCheckResult()]), ctx)).toEqual({});
    expect(fake.requests).toHaveLength(0);
  });

  it('[TM3] a card stays under the Teams size limit with long descriptions and many checks', async () => {
    const ctx = await setup();
    const checks = Array.from({ length: 300 }, (_, i) =>
      makeCheckResult({ id: `r${i}`, name: `Check number ${i} `.repeat(8) })
    );
    const incident = makeIncident({ description: 'x'.repeat(50_000), title: 'T'.repeat(300), checkResults: checks });
    await teamsNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx);
    expect(fake.requests[0]!.status).toBe(202);
    expect(fake.cards[0]!.text).toContain('and 290 more in Firebreak');
  });

  it('[TM4] 500 and 429 are retriable (429 with its Retry-After); 400, 401 and 404 are permanent', async () => {
    const ctx = await setup();
    const ev = incidentEvent({ kind: 'created' });
    fake.failNext(1, { status: 500 });
    expect(await failure(teamsNotifier.deliver(ev, ctx))).toMatchObject({ retriable: true, status: 500 });
    fake.rateLimitNext(1, 7);
    expect(await failure(teamsNotifier.deliver(ev, ctx))).toMatchObject({
      retriable: true,
      status: 429,
      retryAfterMs: 7000
    });
    fake.failNext(1, { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'nope' } } });
    const bad = await failure(teamsNotifier.deliver(ev, ctx));
    expect(bad).toMatchObject({ retriable: false, status: 400 });
    expect(bad.message).toContain('InvalidRequestContent');
    const wrongSig = testContext({ ...ctx.config, webhookUrl: fake.webhookUrl.replace(/sig=[^&]+/, 'sig=wrong') });
    expect(await failure(teamsNotifier.deliver(ev, wrongSig))).toMatchObject({ retriable: false, status: 401 });
    const gone = testContext({
      ...ctx.config,
      webhookUrl: `${fake.url}/workflows/deleted/triggers/manual/paths/invoke?sig=x`
    });
    expect(await failure(teamsNotifier.deliver(ev, gone))).toMatchObject({ retriable: false, status: 404 });
    expect(fake.cards).toHaveLength(0);
  });

  it('[TM4] a timeout or an outage is retriable; delivery works again once Teams is back', async () => {
    const ctx = await setup();
    const quick = testContext(ctx.config, { fetch: createSafeFetch({ allow: ['127.0.0.1'], timeoutMs: 200 }) });
    fake.hangNext(1);
    const timedOut = await failure(teamsNotifier.deliver(incidentEvent({ kind: 'created' }), quick));
    expect(timedOut).toMatchObject({ retriable: true, message: 'Teams: post card: timed out' });
    await fake.down();
    expect(await failure(teamsNotifier.deliver(incidentEvent({ kind: 'created' }), ctx))).toMatchObject({
      retriable: true
    });
    await fake.up();
    await teamsNotifier.deliver(incidentEvent({ kind: 'created' }), ctx);
    expect(fake.cards).toHaveLength(1);
  });

  it('[EG1] pointed at a private address without FIREBREAK_EGRESS_ALLOW, delivery fails permanently and says how to allow it', async () => {
    const ctx = await setup();
    const guarded = testContext(ctx.config, { fetch: createSafeFetch() });
    const err = await failure(teamsNotifier.deliver(incidentEvent({ kind: 'created' }), guarded));
    expect(err.retriable).toBe(false);
    expect(err.message).toContain('FIREBREAK_EGRESS_ALLOW=127.0.0.1');
    expect(fake.requests).toHaveLength(0);
  });

  it('[TM5] fromEnv reads FIREBREAK_TEAMS_WEBHOOK_URL (required) and FIREBREAK_TEAMS_CHANNEL_URL; the URL is a secret', () => {
    expect(teamsNotifier.fromEnv({})).toBeNull();
    expect(
      teamsNotifier.fromEnv({ FIREBREAK_TEAMS_CHANNEL_URL: 'https://teams.microsoft.com/l/channel/x' })
    ).toBeNull();
    expect(
      teamsNotifier.fromEnv({ FIREBREAK_TEAMS_WEBHOOK_URL: 'https://prod-01.westus.logic.azure.com/workflows/a?sig=s' })
    ).toEqual({
      webhookUrl: 'https://prod-01.westus.logic.azure.com/workflows/a?sig=s',
      channelUrl: null
    });
    expect(() => teamsNotifier.fromEnv({ FIREBREAK_TEAMS_WEBHOOK_URL: 'not a url' })).toThrow();
    expect(teamsNotifier.secretFields).toEqual(['webhookUrl']);
  });

  it('[TM6] "Send a test" posts a card', async () => {
    const ctx = await setup();
    expect((await teamsNotifier.test(ctx)).message).toMatch(/Posted a test card.*202/);
    expect(fake.cards[0]!.text).toContain('Firebreak test message');
  });
});

describe('fake Teams webhook', () => {
  it('accepts only the message envelope with a renderable Adaptive Card', async () => {
    fake = await startFakeTeams();
    const post = (body: unknown) =>
      fetch(fake.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body)
      });
    const cardOf = (content: unknown) => ({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }]
    });
    expect((await post({ text: 'hello' })).status).toBe(400);
    expect((await post({ type: 'message', attachments: [] })).status).toBe(400);
    expect((await post(cardOf({ type: 'AdaptiveCard', body: [] }))).status).toBe(400);
    expect((await post(cardOf({ type: 'AdaptiveCard', version: '1.4' }))).status).toBe(400);
    expect((await post(cardOf({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock' }] }))).status).toBe(
      400
    );
    const ok = await post(
      cardOf({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: BOB.name }] })
    );
    expect(ok.status).toBe(202);
    expect(fake.cards.map((c) => c.text)).toEqual([BOB.name]);
  });
});
