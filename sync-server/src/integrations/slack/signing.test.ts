import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_AGE_S, signSlackRequest, verifySlackSignature } from './signing.ts';

const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = new Date('2026-11-26T09:00:00.000Z');
const rawBody = 'token=x&team_id=T1&command=%2Ffirebreak&text=status+INC-3+fixing';

describe('Slack request signatures', () => {
  it('[SL12] accepts what Slack signs: v0=hex(HMAC-SHA256("v0:<ts>:<body>"))', () => {
    const timestamp = String(now.getTime() / 1000);
    // Computed independently of signSlackRequest, from Slack's documented recipe.
    const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
    expect(verifySlackSignature({ signingSecret, timestamp, rawBody, signature, now })).toEqual({ ok: true });
    const signed = signSlackRequest({ signingSecret, rawBody, now });
    expect(signed).toMatchObject({ timestamp, signature });
    expect(signed.headers).toEqual({ 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature });
  });

  it('[SL12] signs raw bytes: a non-ASCII body verifies as bytes and as the same string', () => {
    const body = 'text=r%C3%A9solu&user_id=U1 — café';
    const { timestamp, signature } = signSlackRequest({ signingSecret, rawBody: Buffer.from(body), now });
    expect(verifySlackSignature({ signingSecret, timestamp, rawBody: body, signature, now }).ok).toBe(true);
    expect(verifySlackSignature({ signingSecret, timestamp, rawBody: Buffer.from(body), signature, now }).ok).toBe(
      true
    );
  });

  it('[SL12] refuses a changed body, another secret, a missing header', () => {
    const { timestamp, signature } = signSlackRequest({ signingSecret, rawBody, now });
    const check = (over: Partial<Parameters<typeof verifySlackSignature>[0]>) =>
      verifySlackSignature({ signingSecret, timestamp, rawBody, signature, now, ...over });
    expect(check({ rawBody: rawBody + '&x=1' })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(check({ signingSecret: 'other' })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(check({ signature: null })).toMatchObject({ ok: false, reason: 'missing' });
    expect(check({ timestamp: undefined })).toMatchObject({ ok: false, reason: 'missing' });
    expect(check({ timestamp: '12abc' })).toMatchObject({ ok: false, reason: 'bad_timestamp' });
  });

  it('[SL12] refuses timestamps more than 5 minutes away, either way', () => {
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    for (const skew of [-(MAX_REQUEST_AGE_S + 1), MAX_REQUEST_AGE_S + 1]) {
      const { timestamp, signature } = signSlackRequest({ signingSecret, rawBody, now: at(skew) });
      expect(verifySlackSignature({ signingSecret, timestamp, rawBody, signature, now })).toMatchObject({
        ok: false,
        reason: 'stale'
      });
    }
    const { timestamp, signature } = signSlackRequest({ signingSecret, rawBody, now: at(-MAX_REQUEST_AGE_S) });
    expect(verifySlackSignature({ signingSecret, timestamp, rawBody, signature, now }).ok).toBe(true);
  });

  it('[SL12] refuses a signature of the wrong length or format without throwing', () => {
    const { timestamp, signature } = signSlackRequest({ signingSecret, rawBody, now });
    for (const bad of [
      signature.slice(0, -1),
      `${signature}0`,
      signature.replace('v0=', 'v1='),
      signature.toUpperCase(),
      'v0='
    ]) {
      expect(verifySlackSignature({ signingSecret, timestamp, rawBody, signature: bad, now })).toMatchObject({
        ok: false,
        reason: 'bad_format'
      });
    }
  });
});
