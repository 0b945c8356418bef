import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's request signing (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`
 * keyed with the app's signing secret, and `X-Slack-Request-Timestamp: <unix seconds>`.
 */

export const SIGNATURE_HEADER = 'x-slack-signature';
export const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** Slack's own advice: older requests may be replays. Applies both ways, for clock skew. */
export const MAX_REQUEST_AGE_S = 5 * 60;

const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;

export type SignatureFailure = 'missing' | 'bad_timestamp' | 'stale' | 'bad_format' | 'mismatch';
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; message: string };

const FAILURE_MESSAGE: Record<SignatureFailure, string> = {
  missing: 'The request is not signed (X-Slack-Signature and X-Slack-Request-Timestamp are required).',
  bad_timestamp: 'X-Slack-Request-Timestamp is not a Unix time.',
  stale: 'X-Slack-Request-Timestamp is more than 5 minutes from now: the request may be a replay.',
  bad_format: 'X-Slack-Signature is not a v0 signature.',
  mismatch: 'X-Slack-Signature does not match the body: check the signing secret.'
};

const fail = (reason: SignatureFailure): SignatureCheck => ({ ok: false, reason, message: FAILURE_MESSAGE[reason] });

function hmac(signingSecret: string, timestamp: string, rawBody: string | Uint8Array): string {
  const h = createHmac('sha256', signingSecret);
  h.update(`v0:${timestamp}:`);
  h.update(rawBody);
  return `v0=${h.digest('hex')}`;
}

/**
 * Checks a request Slack sent. `rawBody` must be the bytes as received: a re-serialised body
 * (parsed then encoded again) will not match.
 */
export function verifySlackSignature(args: {
  signingSecret: string;
  timestamp: string | null | undefined;
  rawBody: string | Uint8Array;
  signature: string | null | undefined;
  now?: Date;
}): SignatureCheck {
  const { signingSecret, timestamp, rawBody, signature } = args;
  if (!timestamp || !signature) return fail('missing');
  if (!/^\d{1,12}$/.test(timestamp)) return fail('bad_timestamp');
  const nowS = Math.floor((args.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowS - Number(timestamp)) > MAX_REQUEST_AGE_S) return fail('stale');
  if (!SIGNATURE_FORMAT.test(signature)) return fail('bad_format');
  const expected = Buffer.from(hmac(signingSecret, timestamp, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on different lengths; the format check makes them equal, this keeps it so.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('mismatch');
  return { ok: true };
}

/** Signs a body the way Slack does, for tests and the fake. */
export function signSlackRequest(args: { signingSecret: string; rawBody: string | Uint8Array; now?: Date }): {
  timestamp: string;
  signature: string;
  headers: Record<string, string>;
} {
  const timestamp = String(Math.floor((args.now ?? new Date()).getTime() / 1000));
  const signature = hmac(args.signingSecret, timestamp, args.rawBody);
  return { timestamp, signature, headers: { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature } };
}
