import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Firebreak-Signature-256';

export function signBody(rawBody: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * For receivers: whether `header` (the X-Firebreak-Signature-256 value) signs `rawBody` with
 * `secret`. Verify the bytes as received, before parsing: re-serialised JSON does not match.
 */
export function verifyFirebreakSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string
): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'));
}
