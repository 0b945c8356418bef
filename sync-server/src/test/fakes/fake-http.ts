import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the vendor fakes share: a real HTTP server on 127.0.0.1, a log of every request, and
 * fault injection (errors, rate limits, delays, hangs, dropped connections, outages). The fakes
 * are used by unit, server and end-to-end tests, so they run over real sockets and answer the
 * way the vendor does, including its error shapes.
 */

export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The exact bytes received (for signature checks). */
  raw: Buffer;
  text: string;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  json: unknown;
  at: string;
  /** The fault injected into this request, if any. */
  fault: Fault['kind'] | null;
  /** The status answered (null when hung or dropped). */
  status: number | null;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of `body`. */
  text?: string;
}

export type Fault =
  /** Answer with this status instead of handling the request. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then handle normally. */
  | { kind: 'delay'; ms: number }
  /** Never answer. With `apply`, the vendor acts on the request first (a crash after its side effect). */
  | { kind: 'hang'; apply?: boolean }
  /** Reset the connection. With `apply`, after acting on the request (the answer is lost). */
  | { kind: 'drop'; apply?: boolean };

export interface FaultMatch {
  /** Exact path or a pattern; all paths when absent. */
  path?: string | RegExp;
  method?: string;
}

interface PendingFault {
  fault: Fault;
  match: FaultMatch;
  remaining: number;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerOptions {
  /** A fixed port (e2e tests pass the URL to a server process through its environment). */
  port?: number;
}

function matches(m: FaultMatch, req: FakeRequest): boolean {
  if (m.method && m.method.toUpperCase() !== req.method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? m.path === req.path : m.path.test(req.path);
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class FakeHttpServer {
  readonly requests: FakeRequest[] = [];
  url = '';
  port = 0;
  private readonly server: http.Server;
  private faults: PendingFault[] = [];
  private outage: 'refuse' | 503 | null = null;

  /** Vendor fakes override `handle`; ad-hoc fakes pass a handler. */
  constructor(private readonly handler?: FakeHandler) {
    // A client that goes away mid-request (a timeout, a killed server) is not the fake's failure.
    this.server = http.createServer((req, res) => void this.onRequest(req, res).catch(() => res.destroy()));
  }

  protected handle(req: FakeRequest): FakeReply | Promise<FakeReply> {
    return this.handler ? this.handler(req) : { status: 404, text: 'Not Found' };
  }

  async start(opts: FakeServerOptions = {}): Promise<this> {
    await this.listen(opts.port ?? 0);
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = raw.toString('utf8');
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      raw,
      text,
      json: parseJson(text),
      at: new Date().toISOString(),
      fault: null,
      status: null
    };
    this.requests.push(record);

    if (this.outage === 503) {
      record.fault = 'status';
      return this.reply(res, record, { status: 503, text: 'Service Unavailable' });
    }
    const pending = this.faults.find((f) => matches(f.match, record));
    if (pending && --pending.remaining <= 0) this.faults.splice(this.faults.indexOf(pending), 1);
    const fault = pending?.fault ?? null;
    record.fault = fault?.kind ?? null;

    if (fault?.kind === 'status')
      return this.reply(res, record, { status: fault.status, headers: fault.headers, body: fault.body });
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if ((fault?.kind === 'hang' || fault?.kind === 'drop') && !fault.apply) return this.withhold(res, fault.kind);

    let answer: FakeReply;
    try {
      answer = await this.handle(record);
    } catch (err) {
      answer = { status: 500, text: `fake crashed: ${(err as Error).stack ?? String(err)}` };
    }
    if (fault?.kind === 'hang' || fault?.kind === 'drop') return this.withhold(res, fault.kind);
    this.reply(res, record, answer);
  }

  private withhold(res: http.ServerResponse, kind: 'hang' | 'drop'): void {
    // A hung request stays open until close() or down() destroys its socket.
    if (kind === 'drop') res.socket?.destroy();
  }

  private reply(res: http.ServerResponse, record: FakeRequest, answer: FakeReply): void {
    record.status = answer.status;
    const headers: Record<string, string> = { ...answer.headers };
    let payload = '';
    if (answer.text !== undefined) {
      payload = answer.text;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (answer.body !== undefined) {
      payload = JSON.stringify(answer.body);
      headers['content-type'] ??= 'application/json;charset=UTF-8';
    }
    res.writeHead(answer.status, headers);
    res.end(payload);
  }

  private inject(fault: Fault, n: number, match: FaultMatch): this {
    this.faults.push({ fault, match, remaining: n });
    return this;
  }

  /** The next `n` matching requests get `status` (500 by default) instead of being handled. */
  failNext(n = 1, opts: FaultMatch & { status?: number; body?: unknown; headers?: Record<string, string> } = {}): this {
    const { status = 500, body, headers, ...match } = opts;
    return this.inject({ kind: 'status', status, body, headers }, n, match);
  }

  /** The next `n` matching requests get 429 with `Retry-After: <seconds>`. */
  rateLimitNext(n = 1, retryAfterSeconds = 1, match: FaultMatch = {}): this {
    return this.inject(
      { kind: 'status', status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
      n,
      match
    );
  }

  delayNext(n: number, ms: number, match: FaultMatch = {}): this {
    return this.inject({ kind: 'delay', ms }, n, match);
  }

  /** The next `n` matching requests are never answered (optionally after the vendor acted on them). */
  hangNext(n = 1, opts: FaultMatch & { apply?: boolean } = {}): this {
    const { apply, ...match } = opts;
    return this.inject({ kind: 'hang', apply }, n, match);
  }

  /** The next `n` matching requests get their connection reset (optionally after the vendor acted). */
  dropNext(n = 1, opts: FaultMatch & { apply?: boolean } = {}): this {
    const { apply, ...match } = opts;
    return this.inject({ kind: 'drop', apply }, n, match);
  }

  clearFaults(): this {
    this.faults = [];
    return this;
  }

  /** A vendor outage: connections refused (the port closes), or every request answered 503. */
  async down(mode: 'refuse' | 503 = 'refuse'): Promise<void> {
    this.outage = mode;
    if (mode === 'refuse' && this.server.listening) await this.stopListening();
  }

  /** Back from an outage, on the same port. */
  async up(): Promise<void> {
    const wasRefusing = this.outage === 'refuse';
    this.outage = null;
    if (wasRefusing && !this.server.listening) await this.listen(this.port);
  }

  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.stopListening();
  }

  /** Requests to `path` (exact or pattern), optionally of one method. */
  requestsTo(path: string | RegExp, method?: string): FakeRequest[] {
    return this.requests.filter((r) => matches({ path, method }, r));
  }
}

/** `user:password` from a Basic Authorization header, or null. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Whether a request's Content-Type is JSON (vendors answer 415 otherwise). */
export function isJsonContentType(req: FakeRequest): boolean {
  return /^application\/json\b/i.test(String(req.headers['content-type'] ?? ''));
}
