import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './slack.ts';

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(() => slack.close());

async function call(method: string, args: Record<string, unknown> = {}, token: string | null = slack.token) {
  const res = await fetch(`${slack.apiUrl}/${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(token ? { authorization: `Bearer ${token}` } : {})
    },
    body: JSON.stringify(args)
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const error = async (method: string, args: Record<string, unknown> = {}, token?: string | null) =>
  (await call(method, args, token)).body.error;

describe('fake Slack', () => {
  it('[SL17] checks the token and the method like Slack, with HTTP 200 and ok:false', async () => {
    const r = await call('auth.test', {}, null);
    expect(r).toMatchObject({ status: 200, body: { ok: false, error: 'not_authed' } });
    expect(await error('auth.test', {}, 'xoxb-other')).toBe('invalid_auth');
    expect(await error('conversations.explode')).toBe('unknown_method');
    expect((await call('auth.test')).body).toMatchObject({ ok: true, url: slack.teamUrl, team: 'Firebreak Test' });
  });

  it('[SL17] refuses channel names Slack refuses', async () => {
    expect(await error('conversations.create', {})).toBe('invalid_name_required');
    expect(await error('conversations.create', { name: 'Has-Upper' })).toBe('invalid_name_specials');
    expect(await error('conversations.create', { name: 'has space' })).toBe('invalid_name_specials');
    expect(await error('conversations.create', { name: 'x'.repeat(81) })).toBe('invalid_name_maxlength');
    expect(await error('conversations.create', { name: '---' })).toBe('invalid_name_punctuation');
    expect(await error('conversations.create', { name: 42 })).toBe('invalid_arguments');
    expect(await error('conversations.create', { name: 'ok', is_private: 'maybe' })).toBe('invalid_arguments');
    slack.addChannel({ name: 'old', isArchived: true });
    expect(await error('conversations.create', { name: 'old' })).toBe('name_taken');
    expect((await call('conversations.create', { name: 'x'.repeat(80) })).body.ok).toBe(true);
  });

  it('[SL17] keeps channel state: archived channels refuse posts and topics', async () => {
    const { body } = await call('conversations.create', { name: 'inc-1' });
    const channel = body.channel.id as string;
    expect(await error('conversations.unarchive', { channel })).toBe('not_archived');
    expect((await call('conversations.archive', { channel })).body.ok).toBe(true);
    expect(await error('conversations.archive', { channel })).toBe('already_archived');
    expect(await error('chat.postMessage', { channel, text: 'hi' })).toBe('is_archived');
    expect(await error('conversations.setTopic', { channel, topic: 't' })).toBe('is_archived');
    // Archiving removed the bot: a bot token cannot bring the channel back.
    expect(await error('conversations.unarchive', { channel })).toBe('not_in_channel');
    slack.unarchive = 'allowed';
    expect((await call('conversations.unarchive', { channel })).body.ok).toBe(true);
    expect(await error('chat.postMessage', { channel: 'C404', text: 'hi' })).toBe('channel_not_found');
    expect(await error('chat.postMessage', { text: 'hi' })).toBe('channel_not_found');
  });

  it('[SL17] checks message bodies: text or blocks, Block Kit shapes, metadata', async () => {
    const { body } = await call('conversations.create', { name: 'alerts' });
    const channel = body.channel.id as string;
    expect(await error('chat.postMessage', { channel })).toBe('no_text');
    expect(await error('chat.postMessage', { channel, blocks: [] })).toBe('no_text');
    const bad = await call('chat.postMessage', { channel, blocks: [{ type: 'section' }] });
    expect(bad.body).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(bad.body.response_metadata.messages[0]).toMatch(/must provide text or fields \[json-pointer:\/blocks\/0\]/);
    expect(await error('chat.postMessage', { channel, blocks: [{ type: 'hologram' }] })).toBe('invalid_blocks');
    expect(await error('chat.postMessage', { channel, blocks: 'not json' })).toBe('invalid_blocks_format');
    expect(await error('chat.postMessage', { channel, text: 'x', metadata: { event_type: 'a b' } })).toBe(
      'invalid_metadata_format'
    );
    const ok = await call('chat.postMessage', {
      channel: '#alerts',
      text: 'fallback',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }],
      metadata: { event_type: 'firebreak_incident_event', event_payload: { idempotency_key: 'k1' } }
    });
    expect(ok.body).toMatchObject({ ok: true, channel });
    expect(slack.messagesFor(channel)).toEqual([expect.objectContaining({ text: 'fallback', idempotencyKey: 'k1' })]);
  });

  it('[SL17] accepts form-encoded bodies with the token as a field, and warns about a missing charset', async () => {
    const res = await fetch(`${slack.apiUrl}/conversations.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: slack.token, name: 'formed', is_private: 'true' }).toString()
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: { name: 'formed', is_private: true } });
    const json = await fetch(`${slack.apiUrl}/auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${slack.token}` },
      body: '{}'
    });
    expect(await json.json()).toMatchObject({ ok: true, warning: 'missing_charset' });
    // A token in a JSON body is not read.
    expect(await error('auth.test', { token: slack.token }, null)).toBe('not_authed');
  });

  it('[SL17] lists channels by type, page by page with a cursor', async () => {
    for (let i = 0; i < 5; i++) slack.addChannel({ name: `pub-${i}` });
    slack.addChannel({ name: 'secret', isPrivate: true });
    slack.addChannel({ name: 'gone', isArchived: true });
    const seen: string[] = [];
    let cursor = '';
    do {
      const { body } = await call('conversations.list', {
        limit: 2,
        exclude_archived: true,
        ...(cursor ? { cursor } : {})
      });
      expect(body.channels.length).toBeLessThanOrEqual(2);
      seen.push(...body.channels.map((c: any) => c.name));
      cursor = body.response_metadata.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['pub-0', 'pub-1', 'pub-2', 'pub-3', 'pub-4']);
    const priv = await call('conversations.list', { types: 'private_channel' });
    expect(priv.body.channels.map((c: any) => c.name)).toEqual(['secret']);
    expect(await error('conversations.list', { cursor: 'garbage' })).toBe('invalid_cursor');
  });

  it('[SL17] injects faults for the next calls, optionally of one method', async () => {
    slack.inject({ kind: 'http500', method: 'auth.test', times: 2 });
    slack.inject({ kind: 'http429', retryAfterS: 30 });
    expect((await call('api.test')).status).toBe(429);
    const limited = slack.calls.at(-1)!;
    expect(limited).toMatchObject({ method: 'api.test', httpStatus: 429, error: 'ratelimited' });
    expect((await call('auth.test')).status).toBe(500);
    expect((await call('auth.test')).status).toBe(500);
    expect((await call('auth.test')).status).toBe(200);
    slack.inject({ kind: 'http429', retryAfterS: 30 });
    expect((await call('api.test')).headers.get('retry-after')).toBe('30');
    slack.inject({ kind: 'error', error: 'fatal_error', method: 'api.test' });
    expect(await error('api.test')).toBe('fatal_error');
    slack.inject({ kind: 'nameTaken', name: 'free' });
    expect(await error('conversations.create', { name: 'free' })).toBe('name_taken');
    expect((await call('conversations.create', { name: 'free' })).body.ok).toBe(true);
    slack.inject({ kind: 'delay', ms: 20, method: 'auth.test' });
    expect((await call('auth.test')).body.ok).toBe(true);
  });

  it('[SL17] a hang after the work leaves the effect in place and the caller without an answer', async () => {
    slack.inject({ kind: 'hang', method: 'conversations.create', after: true });
    const res = fetch(`${slack.apiUrl}/conversations.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${slack.token}` },
      body: JSON.stringify({ name: 'made' }),
      signal: AbortSignal.timeout(300)
    });
    await expect(res).rejects.toThrow();
    expect(slack.channelByName('made')).toBeDefined();
    expect(slack.callsTo('conversations.create')[0]).toMatchObject({ ok: true, httpStatus: null });
  });
});
