import { ensureOk, networkError } from './http.ts';
import { DeliveryError, type SafeFetch, type SafeFetchInit } from './types.ts';

/** One vendor call: network failures and non-2xx answers become DeliveryErrors named by `what`. */
export async function send(fetch: SafeFetch, what: string, url: string, init: SafeFetchInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw networkError(err, what);
  }
  return ensureOk(res, what);
}

/**
 * A vendor call whose 2xx answer is JSON. An unreadable answer is retriable: the vendor may have
 * acted (created the issue) and the next try adopts what it made instead of giving up on it.
 */
export async function sendJson<T>(fetch: SafeFetch, what: string, url: string, init: SafeFetchInit = {}): Promise<T> {
  const res = await send(fetch, what, url, init);
  const text = await res.text().catch(() => '');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DeliveryError(`${what}: the answer (HTTP ${res.status}) is not JSON: ${text.slice(0, 120)}`, {
      retriable: true,
      status: res.status
    });
  }
}

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;
}

/** `base` (with or without a trailing slash) joined with an absolute `path`. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** At most `max` characters, with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1).trimEnd() + '…';
}
