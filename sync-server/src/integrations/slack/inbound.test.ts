import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blockActionForm,
  clickButton,
  postSigned,
  postSlashCommand,
  slashCommandForm,
  startFakeSlack,
  type FakeSlack
} from '../../test/fakes/slack.ts';
import { encodeActionValue } from './blocks.ts';
import { SlackConfigSchema } from './config.ts';
import {
  ephemeral,
  notMemberReply,
  parseCommandText,
  parseSlackRequest,
  respond,
  slackUser,
  slackUserEmail,
  type SlackInbound
} from './inbound.ts';
import { createSlackNotifier } from './notifier.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySlackSignature } from './signing.ts';
import { incidentEvent, incidentView, testContext, testFetch } from './test-context.ts';

const FORM = 'application/x-www-form-urlencoded';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const parseForm = (fields: Record<string, string>) => parseSlackRequest({ contentType: FORM, rawBody: form(fields) });

describe('Slack inbound: the /firebreak grammar', () => {
  it.each([
    ['status INC-3 fixing', { incident: { number: 3 }, status: 'fixing' }],
    ['status inc-3 Investigating', { incident: { number: 3 }, status: 'investigating' }],
    [
      'STATUS #12 resolved Reloaded the table',
      { incident: { number: 12 }, status: 'resolved', notes: 'Reloaded the table' }
    ],
    ['investigate 7', { incident: { number: 7 }, status: 'investigating' }],
    ['fix INC-7', { incident: { number: 7 }, status: 'fixing' }],
    [
      'resolve INC-3   Backfilled   orders  ',
      { incident: { number: 3 }, status: 'resolved', notes: 'Backfilled orders' }
    ],
    ['resolve INC-3', { incident: { number: 3 }, status: 'resolved' }],
    ['status INC-3 reported', { incident: { number: 3 }, status: 'reported' }]
  ])('[SL13] %j', (text, expected) => {
    expect(parseCommandText(text)).toEqual({ ok: true, help: false, ...expected });
  });

  it('[SL13] help, or nothing, is help', () => {
    expect(parseCommandText('help')).toEqual({ ok: true, help: true });
    expect(parseCommandText('   ')).toEqual({ ok: true, help: true });
  });

  it('[SL13] in an incident channel the incident may be left out', () => {
    const channel = 'inc-3-2026-11-26-invalid-ids-2';
    expect(parseCommandText('fix', channel)).toMatchObject({ ok: true, incident: { number: 3 }, status: 'fixing' });
    expect(parseCommandText('resolve all good now', channel)).toMatchObject({
      incident: { number: 3 },
      notes: 'all good now'
    });
    expect(parseCommandText('status 5 fixing', channel)).toMatchObject({ incident: { number: 5 } });
    expect(parseCommandText('fix', 'general')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/Which incident/)
    });
  });

  it.each([
    ['status INC-3 done', /`done` is not a status/],
    ['status INC-3', /Which status/],
    ['status', /Which incident/],
    ['fix INC-3 because', /Notes go with resolve only/],
    ['report INC-3', /`report` is not a command/],
    ['delete INC-3', /`delete` is not a command/]
  ])('[SL13] %j is refused', (text, problem) => {
    expect(parseCommandText(text)).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  });
});

describe('Slack inbound: requests', () => {
  it('[SL13] a slash command becomes a setStatus intent', () => {
    const parsed = parseForm(
      slashCommandForm({
        text: 'resolve INC-3 Reloaded',
        userId: 'U1',
        channelId: 'C9',
        responseUrl: 'https://hooks.slack.com/x'
      })
    );
    expect(parsed).toEqual({
      kind: 'intent',
      intent: {
        action: 'setStatus',
        incident: { number: 3 },
        status: 'resolved',
        notes: 'Reloaded',
        slackUserId: 'U1',
        source: 'command',
        channelId: 'C9',
        responseUrl: 'https://hooks.slack.com/x'
      }
    });
  });

  it('[SL13] a mistyped command is answered with ephemeral help naming the registered command', () => {
    const parsed = parseForm(slashCommandForm({ text: 'stauts INC-3', userId: 'U1', command: '/incident' })) as Extract<
      SlackInbound,
      { kind: 'reply' }
    >;
    expect(parsed.kind).toBe('reply');
    expect(parsed.reply.response_type).toBe('ephemeral');
    expect(parsed.reply.text).toMatch(/`stauts` is not a command[\s\S]*\/incident status INC-3 fixing/);
  });

  it('[SL13] a status button becomes an intent on the incident id', () => {
    const value = encodeActionValue('01JDQ3N7Z8X9Y0ABCDEFGHJKMN', 'fixing');
    const parsed = parseForm(
      blockActionForm({
        userId: 'U2',
        actionId: 'firebreak_status:fixing',
        value,
        channelId: 'C1',
        responseUrl: 'https://r'
      })
    );
    expect(parsed).toEqual({
      kind: 'intent',
      intent: {
        action: 'setStatus',
        incident: { id: '01JDQ3N7Z8X9Y0ABCDEFGHJKMN' },
        status: 'fixing',
        slackUserId: 'U2',
        source: 'button',
        channelId: 'C1',
        responseUrl: 'https://r'
      }
    });
  });

  it('[SL13] a tampered or stale button is refused with an ephemeral reply; link buttons are ignored', () => {
    const value = encodeActionValue('01ABC', 'fixing');
    const tampered = parseForm(blockActionForm({ userId: 'U2', actionId: 'firebreak_status:resolved', value }));
    expect(tampered).toMatchObject({ kind: 'reply', reply: { response_type: 'ephemeral' } });
    expect(parseForm(blockActionForm({ userId: 'U2', actionId: 'firebreak_open' }))).toEqual({ kind: 'ignore' });
    expect(parseForm({ payload: JSON.stringify({ type: 'view_submission' }) })).toEqual({ kind: 'ignore' });
    expect(parseForm({ payload: '{nope' })).toMatchObject({ kind: 'invalid' });
    expect(parseForm({ ssl_check: '1', token: 'x' })).toEqual({ kind: 'ignore' });
    expect(parseForm({ hello: 'world' })).toMatchObject({ kind: 'invalid' });
  });

  it('[SL13] answers the Events API url_verification challenge', () => {
    const rawBody = JSON.stringify({ token: 't', challenge: 'abc123', type: 'url_verification' });
    expect(parseSlackRequest({ contentType: 'application/json', rawBody })).toEqual({
      kind: 'url_verification',
      challenge: 'abc123'
    });
    expect(parseSlackRequest({ contentType: 'application/json', rawBody: '{"type":"event_callback"}' })).toEqual({
      kind: 'ignore'
    });
    expect(parseSlackRequest({ contentType: 'text/plain', rawBody: 'x' })).toMatchObject({ kind: 'invalid' });
  });

  it('[SL13] the not-a-member reply says which email was tried, or why there was none', () => {
    expect(notMemberReply('ada@example.com').text).toContain('ada@example.com');
    expect(notMemberReply(null).text).toContain('users:read.email');
  });
});

describe('Slack inbound: over HTTP, as Slack sends it', () => {
  const signingSecret = 'test-signing-secret';
  let slack: FakeSlack;
  let firebreak: http.Server;
  let target: string;
  const received: SlackInbound[] = [];

  beforeEach(async () => {
    received.length = 0;
    slack = await startFakeSlack({ users: { U1: { email: 'ada@example.com', name: 'Ada' }, U2: { email: null } } });
    // The route the integrator wires, reduced to verify-then-parse.
    firebreak = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const check = verifySlackSignature({
          signingSecret,
          rawBody: raw,
          timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
          signature: req.headers[SIGNATURE_HEADER] as string | undefined
        });
        if (!check.ok) return void res.writeHead(401).end(check.message);
        received.push(parseSlackRequest({ contentType: req.headers['content-type'] ?? null, rawBody: raw.toString() }));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => firebreak.listen(0, '127.0.0.1', r));
    target = `http://127.0.0.1:${(firebreak.address() as AddressInfo).port}/api/v1/integrations/slack/events`;
  });
  afterEach(async () => {
    await slack.close();
    await new Promise((r) => firebreak.close(r));
  });

  it('[SL13] clicking a button on the posted card reaches Firebreak signed, as an intent', async () => {
    const config = SlackConfigSchema.parse({ botToken: slack.token, apiUrl: slack.apiUrl, signingSecret });
    const incident = incidentView();
    await createSlackNotifier().deliver(incidentEvent({ kind: 'created' }, incident), testContext(config));
    const [card] = slack.messages;
    const responseUrl = slack.responseUrl();
    const res = await clickButton(
      target,
      card!,
      'firebreak_status:investigating',
      { userId: 'U1', responseUrl },
      { signingSecret }
    );
    expect(res.status).toBe(200);
    expect(received).toEqual([
      {
        kind: 'intent',
        intent: expect.objectContaining({
          incident: { id: incident.id },
          status: 'investigating',
          slackUserId: 'U1',
          responseUrl
        })
      }
    ]);
    await respond(testFetch(), responseUrl, ephemeral('INC-12 is now Investigating.'));
    expect(slack.responsesTo(responseUrl)).toEqual([ephemeral('INC-12 is now Investigating.')]);
  });

  it('[SL12] a request signed with another secret, or too old, is turned away', async () => {
    const fields = slashCommandForm({ text: 'help', userId: 'U1' });
    expect((await postSigned(target, fields, { signingSecret, signWith: 'wrong' })).status).toBe(401);
    expect((await postSigned(target, fields, { signingSecret, now: new Date(Date.now() - 600_000) })).status).toBe(401);
    expect((await postSlashCommand(target, { text: 'fix INC-4', userId: 'U1' }, { signingSecret })).status).toBe(200);
    expect(received).toEqual([{ kind: 'intent', intent: expect.objectContaining({ incident: { number: 4 } }) }]);
  });

  it('[SL14] users.info gives the email to match a member; unknown users and hidden emails are null', async () => {
    const client = { apiUrl: slack.apiUrl, token: slack.token, fetch: testFetch() };
    expect(await slackUserEmail(client, 'U1')).toBe('ada@example.com');
    expect(await slackUserEmail(client, 'U2')).toBeNull();
    expect(await slackUserEmail(client, 'U404')).toBeNull();
    expect(await slackUser(client, 'U1')).toMatchObject({ id: 'U1', name: 'Ada', deleted: false, isBot: false });
    expect(slack.callsTo('users.info').map((c) => c.args.user)).toEqual(['U1', 'U2', 'U404', 'U1']);
  });
});
