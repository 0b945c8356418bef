import { DeliveryError } from './types.ts';

/** Longest wait a vendor's Retry-After may impose on one row before we try again anyway. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.min(Math.round(Number(s) * 1000), MAX_RETRY_AFTER_MS);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** Whether a failed HTTP status is worth retrying: 5xx, 408 and 429; every other 4xx is permanent. */
export function isRetriableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Throws a DeliveryError for a non-2xx response, with the vendor's own words (first 300
 * characters of the body) in the message. `what` names the call ("Jira: create issue").
 */
export async function ensureOk(res: Response, what: string): Promise<Response> {
  if (res.ok) return res;
  const body = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 300);
  throw new DeliveryError(`${what}: HTTP ${res.status}${body ? ` ${body}` : ''}`, {
    retriable: isRetriableStatus(res.status),
    retryAfterMs: res.status === 429 ? (retryAfterMs(res.headers.get('retry-after')) ?? 60_000) : null,
    status: res.status
  });
}

/** A request that never got an answer (refused, reset, timed out): always retriable. */
export function networkError(err: unknown, what: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.message);
  return new DeliveryError(`${what}: ${why ?? 'request failed'}`, { retriable: true });
}
