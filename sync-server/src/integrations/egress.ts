import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { DeliveryError, type SafeFetch, type SafeFetchInit } from './types.ts';
import { EgressPolicy, parseIp } from './egress-policy.ts';

export { parseEgressAllow } from './egress-policy.ts';

/**
 * The only way notifiers reach the network (`ctx.fetch`). Built on node:http(s) rather than the
 * global fetch because the address check must happen where the socket connects: a custom
 * `lookup` validates every address DNS returns and hands only permitted ones to `connect`, so a
 * name cannot resolve to a public address for the check and a private one for the connection.
 *
 * Redirects: followed (at most MAX_REDIRECTS) only within the same origin, or from http to https
 * on the same host name; 307/308 keep the method and body, 303 becomes a GET. A 301/302 answer to
 * a POST is refused rather than turned into a body-less GET (which would look like a successful
 * delivery), and a redirect to another host is never followed. Both are permanent errors: the
 * admin must configure the final URL.
 */

/** Soda gives webhook receivers 10 s to answer; the vendor APIs answer far sooner when healthy. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Enough for a trailing-slash or http→https hop; more means a misconfigured URL. */
export const MAX_REDIRECTS = 3;
/** Vendor answers are small JSON documents; a bigger one is not something a notifier reads. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A request the egress policy refused (address, redirect, scheme): permanent, as retrying changes nothing. */
export class EgressError extends DeliveryError {
  constructor(message: string, status: number | null = null) {
    super(message, { retriable: false, status });
    this.name = 'EgressError';
  }
}

interface RawAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses whose Response must not have a body (the constructor throws otherwise). */
const NULL_BODY = new Set([204, 205, 304]);

function guardedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused: Array<{ address: string; kind: string }> = [];
      const permitted = addresses.filter((a) => {
        const kind = policy.check(hostname, a.address);
        if (kind) refused.push({ address: a.address, kind });
        return !kind;
      });
      // Only permitted addresses reach connect(); a name with none of them is refused outright.
      if (permitted.length === 0) return callback(new EgressError(policy.refusal(hostname, refused)), '', 0);
      if (options.all) return callback(null, permitted);
      callback(null, permitted[0]!.address, permitted[0]!.family);
    });
  };
}

function timeoutError(ms: number): DOMException {
  return new DOMException(`no answer within ${ms} ms`, 'TimeoutError');
}

function send(
  url: URL,
  init: { method: string; headers: Record<string, string>; body: Buffer | null },
  lookup: LookupFunction,
  deadline: number,
  timeoutMs: number
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...init.headers };
    if (init.body) headers['content-length'] = String(init.body.length);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      // Shaped like WHATWG fetch's network errors, so networkError() names the cause code.
      reject(
        err instanceof DeliveryError || err instanceof DOMException
          ? err
          : new TypeError('fetch failed', { cause: err })
      );
    };
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: url.pathname + url.search,
        method: init.method,
        headers,
        lookup,
        // A fresh connection per request: a pooled socket could have been opened by code that
        // did not go through the policy.
        agent: false
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES)
            return fail(
              new EgressError(`${url.host} answered more than ${MAX_RESPONSE_BYTES} bytes`, res.statusCode ?? null)
            );
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('connection closed before the answer was complete')));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const h = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: h,
            body: Buffer.concat(chunks)
          });
        });
      }
    );
    const timer = setTimeout(() => fail(timeoutError(timeoutMs)), Math.max(0, deadline - Date.now()));
    req.on('error', fail);
    req.end(init.body ?? undefined);
  });
}

function sameOriginOrUpgrade(from: URL, to: URL): boolean {
  if (from.origin === to.origin) return true;
  return from.hostname === to.hostname && from.protocol === 'http:' && to.protocol === 'https:';
}

export interface SafeFetchOptions {
  /** FIREBREAK_EGRESS_ALLOW entries: host names, IPs or CIDRs that may be private. */
  allow?: readonly string[];
  /** Default per-request timeout (10 s). */
  timeoutMs?: number;
}

export function createSafeFetch(opts: SafeFetchOptions = {}): SafeFetch {
  const policy = new EgressPolicy(opts.allow ?? []);
  const lookup = guardedLookup(policy);
  const defaultTimeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return async function safeFetch(input: string, init: SafeFetchInit = {}): Promise<Response> {
    const timeoutMs = init.timeoutMs ?? defaultTimeout;
    const deadline = Date.now() + timeoutMs;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new EgressError(`"${input}" is not a URL`);
    }
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body === undefined ? null : Buffer.from(init.body);
    const headers: Record<string, string> = { 'user-agent': 'Firebreak' };
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;

    for (let hops = 0; ; hops++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new EgressError(`Refused ${url.protocol} URL: only http and https are allowed`);
      if (url.username || url.password)
        throw new EgressError(`Refused a URL with credentials in it (${url.host}): configure them as fields instead`);
      // The lookup hook is skipped for IP literals, so they are checked here.
      const literal = parseIp(url.hostname);
      if (literal) {
        const address = url.hostname.replace(/^\[|\]$/g, '');
        const kind = policy.check(url.hostname, address);
        if (kind) throw new EgressError(policy.refusal(url.hostname, [{ address, kind }]));
      }
      const answer = await send(url, { method, headers, body }, lookup, deadline, timeoutMs);
      const location = answer.headers.get('location');
      if (!REDIRECTS.has(answer.status) || !location) {
        return new Response(NULL_BODY.has(answer.status) ? null : new Uint8Array(answer.body), {
          status: answer.status,
          statusText: answer.statusText,
          headers: answer.headers
        });
      }
      const next = new URL(location, url);
      if (!sameOriginOrUpgrade(url, next))
        throw new EgressError(
          `${url.host} redirected (${answer.status}) to ${next.protocol}//${next.host}: redirects to another host or a downgrade to http are never followed; configure the final URL instead`,
          answer.status
        );
      if (hops >= MAX_REDIRECTS)
        throw new EgressError(
          `${url.host}: more than ${MAX_REDIRECTS} redirects; configure the final URL instead`,
          answer.status
        );
      if (answer.status === 303 && method !== 'HEAD') {
        method = 'GET';
        body = null;
        delete headers['content-type'];
      } else if ((answer.status === 301 || answer.status === 302) && method !== 'GET' && method !== 'HEAD') {
        throw new EgressError(
          `${url.host} answered ${answer.status} to a ${method}: following it would drop the body; configure the final URL (${next.href}) instead`,
          answer.status
        );
      }
      url = next;
    }
  };
}
