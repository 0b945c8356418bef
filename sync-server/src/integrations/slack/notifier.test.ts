import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, buttonsOf, type FakeSlack } from '../../test/fakes/slack.ts';
import { DeliveryError, type NotifyEvent, type SafeFetch } from '../types.ts';
import { decodeActionValue } from './blocks.ts';
import { SlackConfigSchema, type SlackConfig } from './config.ts';
import {
  ADOPT_CLOCK_SKEW_MS,
  createSlackNotifier,
  MAX_NAME_ATTEMPTS,
  METADATA_EVENT_TYPE,
  readSlackRef
} from './notifier.ts';
import {
  checkResultView,
  incidentEvent,
  incidentView,
  nextRow,
  retryOf,
  testContext,
  testFetch,
  type TestContext
} from './test-context.ts';

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(() => slack.close());

const BASE = 'inc-12-2026-11-26-invalid-customer-ids';
const incident = incidentView();
const created = incidentEvent({ kind: 'created' }, incident);

function config(overrides: Partial<SlackConfig> = {}): SlackConfig {
  return SlackConfigSchema.parse({ botToken: slack.token, apiUrl: slack.apiUrl, ...overrides });
}

function ctx(overrides: Parameters<typeof testContext<SlackConfig>>[1] = {}, cfg = config()) {
  return testContext(cfg, { idempotencyKey: 'row-1', ...overrides });
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/** A created incident with its channel, and the context of its next row. */
async function withChannel(cfg = config()) {
  const notifier = createSlackNotifier();
  const first = ctx({}, cfg);
  await notifier.deliver(created, first);
  const ref = readSlackRef(first.currentRef())!;
  return { notifier, first, ref, next: (key: string) => nextRow(first, { idempotencyKey: key }) };
}

/** Gives up quickly on the one method a test makes hang, at the usual test timeout elsewhere. */
function timingOutOn(method: string): SafeFetch {
  const quick = testFetch(300);
  const usual = testFetch();
  return (url, init) => (url.endsWith(`/${method}`) ? quick : usual)(url, init);
}

const names = () => [...slack.channels.values()].map((c) => c.name).sort();

describe('Slack notifier: created', () => {
  it('[SL3] creates the channel, saves it at once, sets the topic, posts the card, links the channel', async () => {
    const notifier = createSlackNotifier();
    const c = ctx();
    const result = await notifier.deliver(created, c);

    const channel = slack.channelByName(BASE)!;
    expect(channel).toMatchObject({
      isPrivate: false,
      isArchived: false,
      topic: 'INC-12 · Major · Invalid customer ids'
    });
    expect(result.link).toEqual({ name: BASE, url: `${slack.teamUrl}archives/${channel.id}` });
    // The first save happens right after creation, before the topic and the card.
    expect(c.saved[0]).toMatchObject({ channelId: channel.id, name: BASE, url: result.link!.url });
    expect(c.saved[0]!.cardTs).toBeUndefined();
    expect(slack.calls.map((x) => x.method)).toEqual([
      'auth.test',
      'conversations.create',
      'conversations.setTopic',
      'chat.postMessage'
    ]);

    const [card] = slack.messagesFor(channel.id);
    expect(card!.metadata).toEqual({
      event_type: METADATA_EVENT_TYPE,
      event_payload: { idempotency_key: 'row-1', incident_id: incident.id }
    });
    expect(card!.text).toContain('INC-12: Invalid customer ids');
    expect(JSON.stringify(card!.blocks)).toContain('Ada Lovelace');
    expect(JSON.stringify(card!.blocks)).toContain('missing_count(email) = 0');
    const buttons = buttonsOf(card!);
    expect(buttons.find((b) => b.action_id === 'firebreak_open')?.url).toBe(incident.url);
    for (const status of ['investigating', 'fixing', 'resolved'] as const) {
      const b = buttons.find((x) => x.action_id === `firebreak_status:${status}`)!;
      expect(decodeActionValue(b.action_id, b.value)).toEqual({ v: 1, incident: incident.id, status });
    }
    expect(readSlackRef(c.currentRef())).toMatchObject({ channelId: channel.id, cardTs: card!.ts, posted: ['row-1'] });
  });

  it('[SL3] sends JSON with a charset and the token as a bearer header only', async () => {
    await createSlackNotifier().deliver(created, ctx());
    for (const call of slack.calls) {
      expect(call.contentType).toBe('application/json; charset=utf-8');
      expect(call.token).toBe(slack.token);
      expect(JSON.stringify(call.args)).not.toContain(slack.token);
    }
  });

  it('[SL3] private: true creates private channels', async () => {
    await createSlackNotifier().deliver(created, ctx({}, config({ private: true })));
    expect(slack.channelByName(BASE)!.isPrivate).toBe(true);
    expect(slack.callsTo('conversations.create')[0]!.args.is_private).toBe(true);
  });

  it('[SL3] asks auth.test once per token for the workspace URL', async () => {
    const notifier = createSlackNotifier();
    await notifier.deliver(created, ctx());
    await notifier.deliver(incidentEvent({ kind: 'created' }, incidentView({ id: 'INC2', number: 13 })), ctx());
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(slack.channels.size).toBe(2);
  });

  it('[SL3] an incident without a number yet is retried later, nothing is created', async () => {
    const err = await failure(
      createSlackNotifier().deliver(incidentEvent({ kind: 'created' }, incidentView({ number: null })), ctx())
    );
    expect(err.retriable).toBe(true);
    expect(slack.callsTo('conversations.create')).toHaveLength(0);
  });

  it('[SL2] name_taken gets -2, then -3', async () => {
    slack.addChannel({ name: BASE, created: new Date('2020-01-01') });
    slack.inject({ kind: 'nameTaken', name: `${BASE}-2` });
    const result = await createSlackNotifier().deliver(created, ctx());
    expect(result.link!.name).toBe(`${BASE}-3`);
    expect(slack.callsTo('conversations.create').map((c) => c.args.name)).toEqual([BASE, `${BASE}-2`, `${BASE}-3`]);
    // A first attempt has nothing of its own to find.
    expect(slack.callsTo('conversations.list')).toHaveLength(0);
  });

  it(`[SL2] gives up, permanently, after ${MAX_NAME_ATTEMPTS} taken names`, async () => {
    for (let k = 1; k <= MAX_NAME_ATTEMPTS; k++) slack.addChannel({ name: k === 1 ? BASE : `${BASE}-${k}` });
    const err = await failure(createSlackNotifier().deliver(created, ctx()));
    expect(err.retriable).toBe(false);
    expect(err.message).toMatch(/name_taken/);
    expect(slack.callsTo('conversations.create')).toHaveLength(MAX_NAME_ATTEMPTS);
  });
});

describe('Slack notifier: crash safety', () => {
  it('[SL4] a retry adopts the channel a lost answer made, instead of making -2', async () => {
    const notifier = createSlackNotifier();
    slack.inject({ kind: 'hang', method: 'conversations.create', after: true });
    const first = ctx({ fetch: timingOutOn('conversations.create') });
    const err = await failure(notifier.deliver(created, first));
    expect(err.retriable).toBe(true);
    expect(err.message).toMatch(/timed out/);
    expect(first.saved).toEqual([]); // Slack made the channel, we never heard of it
    expect(names()).toEqual([BASE]);

    const second = retryOf(first, { fetch: testFetch() });
    const result = await notifier.deliver(created, second);
    expect(names()).toEqual([BASE]);
    expect(result.link!.name).toBe(BASE);
    const channel = slack.channelByName(BASE)!;
    expect(second.saved[0]).toMatchObject({ channelId: channel.id });
    expect(slack.messagesFor(channel.id)).toHaveLength(1);
    expect(slack.callsTo('conversations.list')[0]!.args).toMatchObject({
      types: 'public_channel',
      exclude_archived: true
    });
  });

  it('[SL4] adopts across pages, and after a title edit between tries', async () => {
    const notifier = createSlackNotifier();
    for (let i = 0; i < 450; i++) slack.addChannel({ name: `team-${i}` });
    slack.inject({ kind: 'hang', method: 'conversations.create', after: true });
    const first = ctx({ fetch: timingOutOn('conversations.create') });
    await failure(notifier.deliver(created, first));

    const renamed = incidentView({ title: 'Customer ids point nowhere' });
    await notifier.deliver(incidentEvent({ kind: 'created' }, renamed), retryOf(first, { fetch: testFetch() }));
    expect(names().filter((n) => n.startsWith('inc-'))).toEqual([BASE]);
    const lists = slack.callsTo('conversations.list');
    expect(lists.length).toBe(3);
    expect(lists[1]!.args.cursor).toBeTruthy();
  });

  it('[SL4] adopts by our topic when the clocks disagree; private lists private channels', async () => {
    const notifier = createSlackNotifier();
    const old = slack.addChannel({
      name: BASE,
      isPrivate: true,
      created: new Date(Date.now() - 3_600_000),
      topic: 'INC-12 · Major · Invalid customer ids'
    });
    const retry = ctx({ attempt: 2 }, config({ private: true }));
    await notifier.deliver(created, retry);
    expect(readSlackRef(retry.currentRef())!.channelId).toBe(old.id);
    expect(slack.callsTo('conversations.list')[0]!.args.types).toBe('private_channel');
    expect(slack.callsTo('conversations.create')).toHaveLength(0);
    // Our topic was already there: not set again.
    expect(slack.callsTo('conversations.setTopic')).toHaveLength(0);
  });

  it('[SL4] does not adopt a same-named channel made before the first try, nor an archived one', async () => {
    const notifier = createSlackNotifier();
    const firstAttemptAt = new Date().toISOString();
    slack.addChannel({ name: BASE, created: new Date(Date.parse(firstAttemptAt) - ADOPT_CLOCK_SKEW_MS - 60_000) });
    slack.addChannel({ name: `${BASE}-2`, isArchived: true });
    await notifier.deliver(created, ctx({ attempt: 3, firstAttemptAt }));
    expect(names()).toEqual([BASE, `${BASE}-2`, `${BASE}-3`]);
  });

  it('[SL5] a retry after the row was done but not acknowledged changes nothing', async () => {
    const notifier = createSlackNotifier();
    const first = ctx();
    await notifier.deliver(created, first);
    const before = slack.calls.length;
    const result = await notifier.deliver(created, retryOf(first));
    expect(result.link!.name).toBe(BASE);
    expect(slack.calls.slice(before)).toEqual([]);
    expect(slack.duplicateMessages()).toEqual([]);
  });

  it('[SL5] a retry after the card was lost posts only the card', async () => {
    const notifier = createSlackNotifier();
    slack.inject({ kind: 'http500', method: 'chat.postMessage' });
    const first = ctx();
    expect((await failure(notifier.deliver(created, first))).retriable).toBe(true);
    const before = slack.calls.length;
    await notifier.deliver(created, retryOf(first));
    expect(slack.calls.slice(before).map((c) => c.method)).toEqual(['chat.postMessage']);
    expect(slack.messages).toHaveLength(1);
    expect(
      slack
        .callsByIdempotencyKey()
        .get('row-1')!
        .map((c) => c.httpStatus)
    ).toEqual([500, 200]);
  });
});

describe('Slack notifier: updates', () => {
  const updates: Array<[string, NotifyEvent, RegExp]> = [
    [
      'status',
      incidentEvent({ kind: 'status', from: 'reported', to: 'fixing' }, incidentView({ status: 'fixing' })),
      /Reported → \*Fixing\*/
    ],
    [
      'severity',
      incidentEvent({ kind: 'severity', from: 'major', to: 'critical' }, incidentView({ severity: 'critical' })),
      /Major → \*Critical\*/
    ],
    [
      'lead',
      incidentEvent(
        { kind: 'lead', from: 'M1', to: 'M3' },
        incidentView({ lead: { id: 'M3', name: 'Edsger Dijkstra', email: 'ed@example.com' } })
      ),
      /Lead\* is now Edsger Dijkstra/
    ],
    [
      'linked',
      incidentEvent(
        { kind: 'linked', results: [{ resultId: 'R02', checkId: 'postgres:aa' }] },
        incidentView({
          checkResults: [
            checkResultView(),
            checkResultView({ id: 'R02', checkId: 'postgres:aa', name: 'row_count > 0', outcome: 'warn' })
          ]
        })
      ),
      /Linked\* 1 check result[\s\S]*row_count &gt; 0/
    ],
    [
      'unlinked',
      incidentEvent(
        { kind: 'unlinked', results: [{ resultId: 'R01', checkId: 'postgres:c41d07b9' }] },
        incidentView({ checkResults: [] })
      ),
      /Unlinked\* 1 check result[\s\S]*postgres:c41d07b9/
    ]
  ];

  it.each(updates)('[SL6] %s posts an update message in the channel', async (_kind, event, pattern) => {
    const { notifier, ref, next } = await withChannel();
    const result = await notifier.deliver(event, next('row-2'));
    expect(result.link).toEqual({ name: BASE, url: ref.url });
    const messages = slack.messagesFor(ref.channelId);
    expect(messages).toHaveLength(2);
    const update = messages[1]!;
    expect(JSON.stringify(update.blocks)).toMatch(pattern);
    expect(update.text).toMatch(/^INC-12 /);
    expect(update.metadata!.event_payload).toEqual({ idempotency_key: 'row-2', incident_id: incident.id });
  });

  it('[SL5] a retried update whose message is already in Slack is not posted again', async () => {
    const { notifier, ref, next } = await withChannel();
    const row = next('row-2');
    await notifier.deliver(updates[0]![1], row);
    await notifier.deliver(updates[0]![1], retryOf(row));
    expect(slack.messagesFor(ref.channelId)).toHaveLength(2);
    expect(slack.callsByIdempotencyKey().get('row-2')).toHaveLength(1);
  });

  it('[SL6] a severity change updates the topic too', async () => {
    const { notifier, ref, next } = await withChannel();
    await notifier.deliver(updates[1]![1], next('row-2'));
    expect(slack.channels.get(ref.channelId)!.topic).toBe('INC-12 · Critical · Invalid customer ids');
  });

  it('[SL6] an update for an incident without a channel makes the channel with its card, and no update', async () => {
    const event = updates[0]![1];
    const c = ctx();
    const result = await createSlackNotifier().deliver(event, c);
    expect(result.link!.name).toBe(BASE);
    const messages = slack.messagesFor(slack.channelByName(BASE)!.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toContain('Fixing');
    expect(buttonsOf(messages[0]!).map((b) => b.action_id)).not.toContain('firebreak_status:fixing');
  });
});

describe('Slack notifier: resolve and reopen', () => {
  const resolvedView = incidentView({
    status: 'resolved',
    resolutionNotes: 'Reloaded <orders> & fixed',
    resolutionReason: 'Fixed'
  });
  const resolved = incidentEvent(
    { kind: 'resolved', from: 'fixing', notes: 'Reloaded <orders> & fixed' },
    resolvedView
  );
  const reopened = incidentEvent({ kind: 'reopened', to: 'investigating' }, incidentView({ status: 'investigating' }));

  it('[SL7] resolved posts the notes, then archives the channel', async () => {
    const { notifier, ref, next } = await withChannel();
    await notifier.deliver(resolved, next('row-2'));
    const channel = slack.channels.get(ref.channelId)!;
    expect(channel.isArchived).toBe(true);
    const last = slack.messagesFor(channel.id).at(-1)!;
    expect((last.blocks![0] as { text: { text: string } }).text.text).toBe(
      ':white_check_mark: *INC-12 resolved* (Fixed)\n>Reloaded &lt;orders&gt; &amp; fixed'
    );
    const methods = slack.calls.map((c) => c.method);
    expect(methods.lastIndexOf('chat.postMessage')).toBeLessThan(methods.lastIndexOf('conversations.archive'));
  });

  it('[SL5] a resolve retried after the archive failed posts the notes once', async () => {
    const { notifier, ref, next } = await withChannel();
    slack.inject({ kind: 'http500', method: 'conversations.archive' });
    const row = next('row-2');
    expect((await failure(notifier.deliver(resolved, row))).retriable).toBe(true);
    await notifier.deliver(resolved, retryOf(row));
    expect(slack.channels.get(ref.channelId)!.isArchived).toBe(true);
    expect(slack.messages.filter((m) => m.idempotencyKey === 'row-2')).toHaveLength(1);
  });

  it('[SL7] a channel someone archived already is success; later updates are not posted there', async () => {
    const { notifier, ref, next } = await withChannel();
    slack.channels.get(ref.channelId)!.isArchived = true;
    const c = next('row-2');
    await notifier.deliver(resolved, c);
    expect(slack.callsTo('conversations.archive')[0]!.error).toBe('already_archived');
    expect(readSlackRef(c.currentRef())!.archived).toBe(true);
    const before = slack.calls.length;
    await notifier.deliver(
      incidentEvent(
        { kind: 'severity', from: 'major', to: 'minor' },
        incidentView({ status: 'resolved', severity: 'minor' })
      ),
      nextRow(c, { idempotencyKey: 'row-3' })
    );
    expect(slack.calls.slice(before)).toEqual([]);
  });

  it('[SL7] resolved for an incident that never had a channel does nothing', async () => {
    expect(await createSlackNotifier().deliver(resolved, ctx())).toEqual({});
    expect(slack.calls).toEqual([]);
  });

  it('[SL8] reopened unarchives the channel and says so there', async () => {
    slack.unarchive = 'allowed';
    const { notifier, ref, next } = await withChannel();
    const afterResolve = next('row-2');
    await notifier.deliver(resolved, afterResolve);
    const result = await notifier.deliver(reopened, nextRow(afterResolve, { idempotencyKey: 'row-3' }));
    expect(result.link!.url).toBe(ref.url);
    expect(slack.channels.get(ref.channelId)!.isArchived).toBe(false);
    const last = slack.messagesFor(ref.channelId).at(-1)!;
    expect(last.text).toContain('reopened: Investigating');
    expect(buttonsOf(last).map((b) => b.action_id)).toContain('firebreak_status:fixing');
    expect(slack.channels.size).toBe(1);
  });

  it('[SL8] not_archived is success', async () => {
    const { notifier, ref, next } = await withChannel();
    await notifier.deliver(reopened, next('row-2'));
    expect(slack.callsTo('conversations.unarchive')[0]!.error).toBe('not_archived');
    expect(slack.messagesFor(ref.channelId)).toHaveLength(2);
  });

  it('[SL8] a refused unarchive (bot tokens get not_in_channel) continues in a fresh channel with the card', async () => {
    const { notifier, ref, next } = await withChannel();
    const afterResolve = next('row-2');
    await notifier.deliver(resolved, afterResolve);
    const c = nextRow(afterResolve, { idempotencyKey: 'row-3' });
    const result = await notifier.deliver(reopened, c);
    expect(slack.callsTo('conversations.unarchive')[0]!.error).toBe('not_in_channel');
    expect(result.link!.name).toBe(`${BASE}-2`);
    const fresh = slack.channelByName(`${BASE}-2`)!;
    expect(readSlackRef(c.currentRef())).toMatchObject({ channelId: fresh.id, archived: false });
    const [card] = slack.messagesFor(fresh.id);
    expect(card!.text).toContain('INC-12: Invalid customer ids');
    expect(slack.channels.get(ref.channelId)!.isArchived).toBe(true);
  });

  it('[SL8] a deleted channel (channel_not_found) is replaced too; a retry adopts the replacement', async () => {
    const { notifier, first } = await withChannel();
    slack.channels.clear();
    slack.inject({ kind: 'hang', method: 'conversations.create', after: true });
    const c = nextRow(first, { idempotencyKey: 'row-2', fetch: timingOutOn('conversations.create') });
    await failure(notifier.deliver(reopened, c));
    await notifier.deliver(reopened, retryOf(c, { fetch: testFetch() }));
    expect(names()).toEqual([BASE]);
    expect(slack.messages.filter((m) => m.idempotencyKey === 'row-2')).toHaveLength(1);
  });

  it('[SL8] a bad token is not mistaken for a refusal', async () => {
    const { notifier, next } = await withChannel();
    const c = next('row-2');
    const err = await failure(notifier.deliver(reopened, { ...c, config: { ...c.config, botToken: 'xoxb-revoked' } }));
    expect(err.retriable).toBe(false);
    expect(err.message).toBe('Slack conversations.unarchive: invalid_auth');
    expect(slack.callsTo('conversations.create')).toHaveLength(1);
  });
});

describe('Slack notifier: alerts channel', () => {
  const evaluation: NotifyEvent = {
    type: 'checkEvaluation',
    at: '2026-11-26T09:00:00.000Z',
    checkResults: [
      checkResultView({ id: 'R1', name: 'missing_count(email) = 0', outcome: 'fail' }),
      checkResultView({ id: 'R2', name: 'row_count > 0', outcome: 'warn' }),
      checkResultView({ id: 'R3', name: 'duplicate_count(id) = 0', outcome: 'pass' })
    ]
  };

  it('[SL9] new warn/fail results go to the alerts channel, in one message', async () => {
    const alerts = slack.addChannel({ name: 'data-alerts' });
    await createSlackNotifier().deliver(evaluation, ctx({}, config({ alertsChannel: '#data-alerts' })));
    const messages = slack.messagesFor(alerts.id);
    expect(messages).toHaveLength(1);
    const body = JSON.stringify(messages[0]!.blocks);
    expect(body).toContain('missing_count(email) = 0');
    expect(body).toContain('row_count &gt; 0');
    expect(body).not.toContain('duplicate_count');
    expect(messages[0]!.text).toContain('2 check results need attention (1 failed, 1 warned)');
    expect(messages[0]!.idempotencyKey).toBe('row-1');
  });

  it('[SL9] without an alerts channel nothing is sent', async () => {
    expect(await createSlackNotifier().deliver(evaluation, ctx())).toEqual({});
    expect(slack.calls).toEqual([]);
  });
});

describe('Slack notifier: failures', () => {
  const deliver = (c: TestContext<SlackConfig> = ctx()) => failure(createSlackNotifier().deliver(created, c));

  it('[SL10] HTTP 500 is retriable', async () => {
    slack.inject({ kind: 'http500' });
    const err = await deliver();
    expect(err).toMatchObject({ retriable: true, status: 500 });
  });

  it('[SL10] HTTP 429 is retriable after Retry-After', async () => {
    slack.inject({ kind: 'http429', retryAfterS: 7 });
    const err = await deliver();
    expect(err).toMatchObject({ retriable: true, status: 429, retryAfterMs: 7000 });
  });

  it.each(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])(
    '[SL10] ok:false %s is retriable',
    async (code) => {
      slack.inject({ kind: 'error', error: code, method: 'conversations.create' });
      const err = await deliver();
      expect(err.retriable).toBe(true);
      expect(err.message).toBe(`Slack conversations.create: ${code}`);
      if (code === 'ratelimited') expect(err.retryAfterMs).toBe(60_000);
    }
  );

  it('[SL10] invalid_auth is permanent and never shows the token', async () => {
    const err = await deliver(ctx({}, config({ botToken: 'xoxb-wrong-secret-token' })));
    expect(err.retriable).toBe(false);
    expect(err.message).toBe('Slack auth.test: invalid_auth');
    expect(err.message + String(err.stack)).not.toContain('xoxb-wrong');
  });

  it("[SL10] other ok:false codes are permanent, with Slack's details", async () => {
    slack.inject({ kind: 'error', error: 'restricted_action', method: 'conversations.create' });
    const err = await deliver();
    expect(err).toMatchObject({ retriable: false, message: 'Slack conversations.create: restricted_action' });
  });

  it('[SL10] a timeout is retriable', async () => {
    slack.inject({ kind: 'hang', method: 'auth.test' });
    const err = await deliver(ctx({ timeoutMs: 200 }));
    expect(err).toMatchObject({ retriable: true, message: 'Slack auth.test: timed out' });
  });

  it('[SL10] a refused connection is retriable', async () => {
    const c = ctx({}, config({ apiUrl: 'http://127.0.0.1:9/api' }));
    const err = await deliver(c);
    expect(err.retriable).toBe(true);
    expect(err.message).toMatch(/^Slack auth\.test: /);
  });

  it('[SL10] an API URL that answers something other than Slack is permanent', async () => {
    const err = await deliver(ctx({}, config({ apiUrl: `${slack.url}/response` })));
    expect(err.retriable).toBe(false);
  });
});

describe('Slack notifier: test', () => {
  it('[SL16] says which workspace and bot, and posts to the alerts channel when set', async () => {
    const notifier = createSlackNotifier();
    expect(await notifier.test(ctx())).toEqual({ message: 'Connected to Slack workspace Firebreak Test as firebreak' });
    const alerts = slack.addChannel({ name: 'data-alerts' });
    const { message } = await notifier.test(ctx({}, config({ alertsChannel: alerts.id })));
    expect(message).toContain(`posted to ${alerts.id}`);
    expect(slack.messagesFor(alerts.id)).toHaveLength(1);
  });

  it('[SL16] a wrong token fails the test permanently', async () => {
    const err = await failure(createSlackNotifier().test(ctx({}, config({ botToken: 'nope' }))));
    expect(err).toMatchObject({ retriable: false, message: 'Slack auth.test: invalid_auth' });
  });
});
