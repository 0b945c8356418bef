import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signSlackRequest } from '../../integrations/slack/signing.ts';

/**
 * A fake Slack Web API: a real HTTP server on 127.0.0.1 that checks requests the way Slack does
 * (bearer token, method names, argument types, Block Kit limits, channel names and states) and
 * answers like Slack: HTTP 200 with `{ok: false, error}` on failure. Faults can be injected
 * (500, 429, hang, delay, error codes, `name_taken`) and everything is recorded for assertions.
 *
 * Imports nothing from the server but signing.ts (node:crypto only), so the e2e suite can use it.
 *
 * One behaviour of the real Slack is kept on purpose: archiving removes the bot from the channel,
 * so a bot token gets `not_in_channel` from conversations.unarchive (slack-go/slack#1066).
 * `unarchive: 'allowed'` turns that off.
 */

export interface FakeSlackOptions {
  /** The bot token requests must carry. */
  token?: string;
  team?: string;
  /** `https://<domain>.slack.com/` is the workspace URL auth.test answers. */
  teamDomain?: string;
  botUser?: string;
  /** Slack users for users.info, by id. */
  users?: Record<string, { email?: string | null; name?: string; deleted?: boolean; isBot?: boolean }>;
  unarchive?: 'bot_refused' | 'allowed';
  /** Clock for `created` and message timestamps. */
  now?: () => Date;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  topic: string;
  /** Unix seconds, as Slack gives it. */
  created: number;
  /** Whether the bot is in the channel (it may post, set the topic, archive). */
  botMember: boolean;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string | null;
  blocks: unknown[] | null;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
  idempotencyKey: string | null;
  at: Date;
}

export interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
  at: Date;
  /** The token the call carried (bearer or form field), or null. */
  token: string | null;
  contentType: string | null;
  /** What the fake answered; null for a call that was left hanging. */
  httpStatus: number | null;
  ok: boolean;
  error: string | null;
}

/** `method` limits a fault to one method; `times` (default 1) is how many calls it hits. */
export type FakeSlackFault = { method?: string; times?: number } & (
  | { kind: 'http500' }
  | { kind: 'http429'; retryAfterS?: number }
  | { kind: 'error'; error: string }
  /** Never answer. With `after`, do what was asked first (Slack did it, the answer was lost). */
  | { kind: 'hang'; after?: boolean }
  | { kind: 'delay'; ms: number; after?: boolean }
  /** conversations.create answers `name_taken` for this name. */
  | { kind: 'nameTaken'; name: string }
);

class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly messages: string[] = []
  ) {
    super(code);
  }
}

type Args = Record<string, unknown>;
type Answer = Record<string, unknown>;

// Slack's Block Kit limits (the fake refuses what Slack would refuse).
const MAX_BLOCKS = 50;
const MAX_TEXT = 40_000;
const MAX_TOPIC = 250;
const MAX_CHANNEL_NAME = 80;
const BLOCK_TYPES = new Set([
  'section',
  'header',
  'context',
  'actions',
  'divider',
  'image',
  'rich_text',
  'input',
  'file',
  'video',
  'markdown'
]);

const NO_AUTH_METHODS = new Set(['api.test']);

export class FakeSlack {
  readonly token: string;
  readonly team: string;
  readonly teamUrl: string;
  readonly botUser: string;
  readonly channels = new Map<string, FakeSlackChannel>();
  readonly messages: FakeSlackMessage[] = [];
  readonly calls: FakeSlackCall[] = [];
  /** Bodies POSTed to response URLs made by `responseUrl()`. */
  readonly responses: Array<{ url: string; body: unknown; at: Date }> = [];
  readonly users: Map<string, { email: string | null; name: string; deleted: boolean; isBot: boolean }>;
  unarchive: 'bot_refused' | 'allowed';
  private faults: Array<FakeSlackFault & { left: number }> = [];
  private seq = 0;
  private readonly now: () => Date;
  private server!: http.Server;
  /** `http://127.0.0.1:<port>` */
  url = '';

  constructor(opts: FakeSlackOptions = {}) {
    this.token = opts.token ?? 'xoxb-fake-bot-token';
    this.team = opts.team ?? 'Firebreak Test';
    this.teamUrl = `https://${opts.teamDomain ?? 'firebreak-test'}.slack.com/`;
    this.botUser = opts.botUser ?? 'firebreak';
    this.unarchive = opts.unarchive ?? 'bot_refused';
    this.now = opts.now ?? (() => new Date());
    this.users = new Map(
      Object.entries(opts.users ?? {}).map(([id, u]) => [
        id,
        { email: u.email ?? null, name: u.name ?? id, deleted: u.deleted ?? false, isBot: u.isBot ?? false }
      ])
    );
  }

  /** Base URL for the notifier's `apiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      // A client that went away mid-request (a killed server, a timeout) is not the fake's failure.
      this.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the server, dropping hanging requests. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- set-up and faults -----------------------------------------------------------------------

  inject(fault: FakeSlackFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** A channel made outside the code under test (someone else's, an old one…). */
  addChannel(c: {
    name: string;
    isPrivate?: boolean;
    isArchived?: boolean;
    topic?: string;
    created?: Date;
    botMember?: boolean;
  }): FakeSlackChannel {
    const channel: FakeSlackChannel = {
      id: this.channelId(),
      name: c.name,
      isPrivate: c.isPrivate ?? false,
      isArchived: c.isArchived ?? false,
      topic: c.topic ?? '',
      created: Math.floor((c.created ?? this.now()).getTime() / 1000),
      botMember: c.botMember ?? !c.isArchived
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  addUser(id: string, email: string | null, name = id): void {
    this.users.set(id, { email, name, deleted: false, isBot: false });
  }

  // --- introspection ---------------------------------------------------------------------------

  channelByName(name: string): FakeSlackChannel | undefined {
    return [...this.channels.values()].find((c) => c.name === name);
  }

  messagesFor(channelId: string): FakeSlackMessage[] {
    return this.messages.filter((m) => m.channel === channelId);
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** chat.postMessage calls by `metadata.event_payload.idempotency_key` (failed ones included). */
  callsByIdempotencyKey(): Map<string, FakeSlackCall[]> {
    const out = new Map<string, FakeSlackCall[]>();
    for (const call of this.callsTo('chat.postMessage')) {
      const key = idempotencyKey(call.args.metadata);
      if (key) out.set(key, [...(out.get(key) ?? []), call]);
    }
    return out;
  }

  /** Idempotency keys that ended up in more than one stored message. */
  duplicateMessages(): string[] {
    const seen = new Map<string, number>();
    for (const m of this.messages)
      if (m.idempotencyKey) seen.set(m.idempotencyKey, (seen.get(m.idempotencyKey) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  }

  /** A response_url that records what is POSTed to it (in `responses`). */
  responseUrl(): string {
    return `${this.url}/response/${++this.seq}`;
  }

  responsesTo(url: string): unknown[] {
    return this.responses.filter((r) => r.url === url).map((r) => r.body);
  }

  // --- HTTP ------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      this.responses.push({ url: this.url + url.pathname, body: safeJson(raw), at: this.now() });
      return send(res, 200, 'ok', 'text/plain');
    }
    const m = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, 'Not found', 'text/plain');
    const method = m[1]!;
    const contentType = req.headers['content-type'] ?? null;
    const call: FakeSlackCall = {
      method,
      args: {},
      at: this.now(),
      token: null,
      contentType,
      httpStatus: null,
      ok: false,
      error: null
    };
    this.calls.push(call);

    let warning: string | null = null;
    let answer: Answer;
    try {
      const parsed = parseArgs(raw, contentType, url.searchParams);
      warning = parsed.warning;
      call.args = parsed.args;
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
      // A token in a JSON body does not count: Slack reads it from the header only for JSON.
      call.token = bearer ?? (parsed.json ? null : str(parsed.args.token));
      delete call.args.token;
    } catch (err) {
      return this.answer(res, call, { ok: false, error: (err as SlackError).code });
    }

    const fault = this.takeFault(method);
    if (fault?.kind === 'http500') return this.answer(res, call, { ok: false, error: 'internal_error' }, 500);
    if (fault?.kind === 'http429') {
      res.setHeader('retry-after', String(fault.retryAfterS ?? 1));
      return this.answer(res, call, { ok: false, error: 'ratelimited' }, 429);
    }
    if (fault?.kind === 'error') return this.answer(res, call, { ok: false, error: fault.error });
    const after = (fault?.kind === 'hang' || fault?.kind === 'delay') && fault.after;
    if (fault?.kind === 'hang' && !after) return; // the socket stays open until close()
    if (fault?.kind === 'delay' && !after) await sleep(fault.ms);

    try {
      answer = this.dispatch(method, call);
    } catch (err) {
      if (!(err instanceof SlackError)) throw err;
      answer = {
        ok: false,
        error: err.code,
        ...(err.messages.length ? { response_metadata: { messages: err.messages } } : {})
      };
    }
    if (warning && answer.ok) answer.warning = warning;
    if (fault?.kind === 'hang') {
      call.ok = answer.ok === true; // done, but the caller never hears of it
      return;
    }
    if (fault?.kind === 'delay') await sleep(fault.ms);
    this.answer(res, call, answer);
  }

  private answer(res: http.ServerResponse, call: FakeSlackCall, answer: Answer, status = 200): void {
    call.httpStatus = status;
    call.ok = answer.ok === true;
    call.error = typeof answer.error === 'string' ? answer.error : null;
    send(res, status, JSON.stringify(answer), 'application/json; charset=utf-8');
  }

  private takeFault(method: string): (FakeSlackFault & { left: number }) | null {
    const i = this.faults.findIndex((f) => f.kind !== 'nameTaken' && (!f.method || f.method === method) && f.left > 0);
    if (i < 0) return null;
    const f = this.faults[i]!;
    if (--f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  private takeNameFault(name: string): boolean {
    const i = this.faults.findIndex((f) => f.kind === 'nameTaken' && f.name === name && f.left > 0);
    if (i < 0) return false;
    const f = this.faults[i]!;
    if (--f.left <= 0) this.faults.splice(i, 1);
    return true;
  }

  // --- methods ---------------------------------------------------------------------------------

  private dispatch(method: string, call: FakeSlackCall): Answer {
    const handler = this.methods[method];
    if (!handler) throw new SlackError('unknown_method');
    if (!NO_AUTH_METHODS.has(method)) {
      if (!call.token) throw new SlackError('not_authed');
      if (call.token !== this.token) throw new SlackError('invalid_auth');
    }
    return { ok: true, ...handler(call.args) };
  }

  private readonly methods: Record<string, (args: Args) => Answer> = {
    'api.test': (args) => ({ args }),
    'auth.test': () => ({
      url: this.teamUrl,
      team: this.team,
      user: this.botUser,
      team_id: 'T0FAKETEAM',
      user_id: 'U0FAKEBOT',
      bot_id: 'B0FAKEBOT',
      is_enterprise_install: false
    }),

    'conversations.create': (args) => {
      const name = optString(args, 'name');
      const isPrivate = optBool(args, 'is_private') ?? false;
      if (!name) throw new SlackError('invalid_name_required');
      if (name.length > MAX_CHANNEL_NAME) throw new SlackError('invalid_name_maxlength');
      if (/[^a-z0-9_-]/.test(name)) throw new SlackError('invalid_name_specials');
      if (/^[-_]+$/.test(name)) throw new SlackError('invalid_name_punctuation');
      // Archived channels keep their names.
      if (this.takeNameFault(name) || this.channelByName(name)) throw new SlackError('name_taken');
      const channel = this.addChannel({ name, isPrivate, botMember: true });
      return { channel: this.channelJson(channel) };
    },

    'conversations.setTopic': (args) => {
      const channel = this.channelArg(args);
      const topic = optString(args, 'topic');
      if (topic === undefined) throw new SlackError('invalid_arguments', ['[ERROR] missing required field: topic']);
      if (channel.isArchived) throw new SlackError('is_archived');
      if (!channel.botMember) throw new SlackError('not_in_channel');
      if (topic.length > MAX_TOPIC) throw new SlackError('too_long');
      channel.topic = topic;
      return { channel: this.channelJson(channel) };
    },

    'conversations.archive': (args) => {
      const channel = this.channelArg(args);
      if (channel.isArchived) throw new SlackError('already_archived');
      if (!channel.botMember) throw new SlackError('not_in_channel');
      channel.isArchived = true;
      channel.botMember = false;
      return {};
    },

    'conversations.unarchive': (args) => {
      const channel = this.channelArg(args);
      if (!channel.isArchived) throw new SlackError('not_archived');
      if (!channel.botMember && this.unarchive === 'bot_refused') throw new SlackError('not_in_channel');
      channel.isArchived = false;
      channel.botMember = true;
      return {};
    },

    'conversations.info': (args) => ({ channel: this.channelJson(this.channelArg(args)) }),

    'conversations.list': (args) => {
      const types = (optString(args, 'types') ?? 'public_channel').split(',').map((t) => t.trim());
      for (const t of types)
        if (!['public_channel', 'private_channel', 'mpim', 'im'].includes(t)) throw new SlackError('invalid_types');
      const excludeArchived = optBool(args, 'exclude_archived') ?? false;
      const limit = optNumber(args, 'limit') ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new SlackError('invalid_limit');
      const cursor = optString(args, 'cursor');
      let offset = 0;
      if (cursor) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
        if (!m) throw new SlackError('invalid_cursor');
        offset = Number(m[1]);
      }
      const all = [...this.channels.values()].filter(
        (c) =>
          (c.isPrivate ? types.includes('private_channel') && c.botMember : types.includes('public_channel')) &&
          !(excludeArchived && c.isArchived)
      );
      const page = all.slice(offset, offset + limit);
      const next = offset + limit < all.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
      return { channels: page.map((c) => this.channelJson(c)), response_metadata: { next_cursor: next } };
    },

    'chat.postMessage': (args) => {
      const channel = this.channelArg(args, true);
      const text = optString(args, 'text');
      const blocks = jsonArg(args, 'blocks', 'invalid_blocks_format');
      const metadata = jsonArg(args, 'metadata', 'invalid_metadata_format');
      if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackError('invalid_blocks_format');
      if (!text && (!blocks || (blocks as unknown[]).length === 0) && !args.attachments)
        throw new SlackError('no_text');
      if (text && text.length > MAX_TEXT) throw new SlackError('msg_too_long');
      if (blocks) {
        const problems = blockProblems(blocks as unknown[]);
        if (problems.length) throw new SlackError('invalid_blocks', problems);
      }
      if (metadata !== undefined && !validMetadata(metadata)) throw new SlackError('invalid_metadata_format');
      if (channel.isArchived) throw new SlackError('is_archived');
      if (!channel.botMember) throw new SlackError('not_in_channel');
      const at = this.now();
      const ts = `${Math.floor(at.getTime() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
      const message: FakeSlackMessage = {
        channel: channel.id,
        ts,
        text: text ?? null,
        blocks: (blocks as unknown[] | undefined) ?? null,
        metadata: (metadata as FakeSlackMessage['metadata']) ?? null,
        idempotencyKey: idempotencyKey(metadata),
        at
      };
      this.messages.push(message);
      return { channel: channel.id, ts, message: { type: 'message', text: message.text ?? '', ts } };
    },

    'users.info': (args) => {
      const id = optString(args, 'user');
      const user = id ? this.users.get(id) : undefined;
      if (!id || !user) throw new SlackError('user_not_found');
      return {
        user: {
          id,
          team_id: 'T0FAKETEAM',
          name: user.name.toLowerCase().replace(/\s+/g, '.'),
          real_name: user.name,
          deleted: user.deleted,
          is_bot: user.isBot,
          profile: { real_name: user.name, display_name: user.name, ...(user.email ? { email: user.email } : {}) }
        }
      };
    }
  };

  private channelArg(args: Args, byName = false): FakeSlackChannel {
    const ref = optString(args, 'channel');
    if (!ref) throw new SlackError('channel_not_found');
    const channel = this.channels.get(ref) ?? (byName ? this.channelByName(ref.replace(/^#/, '')) : undefined);
    if (!channel) throw new SlackError('channel_not_found');
    return channel;
  }

  private channelId(): string {
    return `C${String(++this.seq).padStart(10, '0')}`;
  }

  private channelJson(c: FakeSlackChannel): Answer {
    return {
      id: c.id,
      name: c.name,
      name_normalized: c.name,
      is_channel: true,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: c.isPrivate,
      is_archived: c.isArchived,
      is_general: false,
      is_member: c.botMember,
      created: c.created,
      creator: 'U0FAKEBOT',
      topic: { value: c.topic, creator: c.topic ? 'U0FAKEBOT' : '', last_set: c.topic ? c.created : 0 },
      purpose: { value: '', creator: '', last_set: 0 }
    };
  }
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(opts).start();
}

// --- argument parsing ----------------------------------------------------------------------------

function parseArgs(
  raw: string,
  contentType: string | null,
  query: URLSearchParams
): { args: Args; json: boolean; warning: string | null } {
  const args: Args = Object.fromEntries(query);
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!raw) return { args, json: false, warning: null };
  if (type === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new SlackError('invalid_json');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SlackError('invalid_json');
    const warning = /charset=/i.test(contentType ?? '') ? null : 'missing_charset';
    return { args: { ...args, ...(body as Args) }, json: true, warning };
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    for (const [k, v] of new URLSearchParams(raw)) args[k] = v;
    return { args, json: false, warning: null };
  }
  throw new SlackError('invalid_form_data');
}

function optString(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SlackError('invalid_arguments', [`[ERROR] ${key} must be a string`]);
  return v;
}

function optBool(args: Args, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new SlackError('invalid_arguments', [`[ERROR] ${key} must be a boolean`]);
}

function optNumber(args: Args, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new SlackError('invalid_arguments', [`[ERROR] ${key} must be a number`]);
  return n;
}

/** Slack takes blocks and metadata as JSON or as a JSON string (the only way in a form). */
function jsonArg(args: Args, key: string, error: string): unknown {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new SlackError(error);
  }
}

function idempotencyKey(metadata: unknown): string | null {
  const m = typeof metadata === 'string' ? safeJson(metadata) : metadata;
  const key = (m as { event_payload?: { idempotency_key?: unknown } } | null)?.event_payload?.idempotency_key;
  return typeof key === 'string' ? key : null;
}

function validMetadata(m: unknown): boolean {
  const md = m as { event_type?: unknown; event_payload?: unknown } | null;
  return (
    typeof md === 'object' &&
    md !== null &&
    typeof md.event_type === 'string' &&
    /^[A-Za-z0-9_]{1,255}$/.test(md.event_type) &&
    typeof md.event_payload === 'object' &&
    md.event_payload !== null &&
    !Array.isArray(md.event_payload)
  );
}

// --- Block Kit checks --------------------------------------------------------------------------

/** Slack-style `[ERROR] … [json-pointer:…]` lines for what Slack would refuse; empty when fine. */
export function blockProblems(blocks: unknown[]): string[] {
  const problems: string[] = [];
  const err = (msg: string, path: string) => problems.push(`[ERROR] ${msg} [json-pointer:/blocks${path}]`);
  if (blocks.length > MAX_BLOCKS) err(`no more than ${MAX_BLOCKS} items allowed`, '');
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();

  const text = (t: unknown, path: string, max: number, plainOnly = false) => {
    const o = t as { type?: unknown; text?: unknown } | null;
    if (typeof o !== 'object' || o === null) return err('must be a text object', path);
    if (o.type !== 'plain_text' && (plainOnly || o.type !== 'mrkdwn'))
      return err(`must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`, `${path}/type`);
    if (typeof o.text !== 'string' || o.text.length === 0) return err('must be more than 0 characters', `${path}/text`);
    if (o.text.length > max) err(`must be less than ${max + 1} characters`, `${path}/text`);
  };
  const limitedString = (v: unknown, path: string, max: number, required = false) => {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v.length === 0) return err('must be a non-empty string', path);
    if (v.length > max) err(`must be less than ${max + 1} characters`, path);
  };

  blocks.forEach((b, i) => {
    const p = `/${i}`;
    const block = b as Record<string, unknown> | null;
    if (typeof block !== 'object' || block === null || typeof block.type !== 'string')
      return err('must be an object with a type', p);
    if (!BLOCK_TYPES.has(block.type)) return err(`unsupported type: ${block.type}`, `${p}/type`);
    if (block.block_id !== undefined) {
      limitedString(block.block_id, `${p}/block_id`, 255);
      if (typeof block.block_id === 'string' && blockIds.has(block.block_id))
        err('block_id must be unique', `${p}/block_id`);
      if (typeof block.block_id === 'string') blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'header':
        text(block.text, `${p}/text`, 150, true);
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined) err('must provide text or fields', p);
        if (block.text !== undefined) text(block.text, `${p}/text`, 3000);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length === 0)
            err('must be a non-empty array', `${p}/fields`);
          else {
            if (block.fields.length > 10) err('no more than 10 items allowed', `${p}/fields`);
            block.fields.forEach((f, j) => text(f, `${p}/fields/${j}`, 2000));
          }
        }
        break;
      }
      case 'context': {
        const els = block.elements;
        if (!Array.isArray(els) || els.length === 0) return err('must be a non-empty array', `${p}/elements`);
        if (els.length > 10) err('no more than 10 items allowed', `${p}/elements`);
        els.forEach((e, j) => {
          if ((e as { type?: unknown })?.type === 'image') return;
          text(e, `${p}/elements/${j}`, 3000);
        });
        break;
      }
      case 'actions': {
        const els = block.elements;
        if (!Array.isArray(els) || els.length === 0) return err('must be a non-empty array', `${p}/elements`);
        if (els.length > 25) err('no more than 25 items allowed', `${p}/elements`);
        els.forEach((e, j) => {
          const ep = `${p}/elements/${j}`;
          const el = e as Record<string, unknown> | null;
          if (typeof el !== 'object' || el === null || typeof el.type !== 'string') return err('must have a type', ep);
          if (el.type !== 'button') return;
          text(el.text, `${ep}/text`, 75, true);
          limitedString(el.action_id, `${ep}/action_id`, 255);
          if (typeof el.action_id === 'string') {
            if (actionIds.has(el.action_id)) err('action_id must be unique in the message', `${ep}/action_id`);
            actionIds.add(el.action_id);
          }
          limitedString(el.value, `${ep}/value`, 2000);
          limitedString(el.url, `${ep}/url`, 3000);
          if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger')
            err('must be primary or danger', `${ep}/style`);
          if (el.confirm !== undefined) {
            const c = el.confirm as Record<string, unknown>;
            text(c?.title, `${ep}/confirm/title`, 100, true);
            text(c?.text, `${ep}/confirm/text`, 300);
            text(c?.confirm, `${ep}/confirm/confirm`, 30, true);
            text(c?.deny, `${ep}/confirm/deny`, 30, true);
          }
        });
        break;
      }
    }
  });
  return problems;
}

// --- Slack → Firebreak (signed requests) -------------------------------------------------------

export interface SignedPostOptions {
  signingSecret: string;
  now?: Date;
  /** Sign with this secret instead (a forged or misconfigured request). */
  signWith?: string;
}

/** POSTs a form body signed the way Slack signs it. */
export async function postSigned(
  target: string,
  form: Record<string, string>,
  opts: SignedPostOptions
): Promise<Response> {
  const rawBody = new URLSearchParams(form).toString();
  const { headers } = signSlackRequest({ signingSecret: opts.signWith ?? opts.signingSecret, rawBody, now: opts.now });
  return fetch(target, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: rawBody
  });
}

/** The form fields of a block_actions button click, as Slack sends them. */
export function blockActionForm(a: {
  userId: string;
  actionId: string;
  value?: string;
  channelId?: string;
  messageTs?: string;
  responseUrl?: string;
}): Record<string, string> {
  const payload = {
    type: 'block_actions',
    user: { id: a.userId, username: a.userId.toLowerCase(), name: a.userId.toLowerCase(), team_id: 'T0FAKETEAM' },
    api_app_id: 'A0FAKEAPP',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: a.messageTs ?? '0.0',
      channel_id: a.channelId ?? '',
      is_ephemeral: false
    },
    trigger_id: '0000.0000.fake',
    team: { id: 'T0FAKETEAM', domain: 'firebreak-test' },
    channel: a.channelId ? { id: a.channelId, name: 'channel' } : undefined,
    response_url: a.responseUrl ?? 'https://hooks.slack.com/actions/T0FAKETEAM/0/fake',
    actions: [
      {
        type: 'button',
        action_id: a.actionId,
        block_id: 'fake-block',
        text: { type: 'plain_text', text: a.actionId, emoji: true },
        ...(a.value === undefined ? {} : { value: a.value }),
        action_ts: '0.0'
      }
    ]
  };
  return { payload: JSON.stringify(payload) };
}

/** The form fields of a slash command, as Slack sends them. */
export function slashCommandForm(c: {
  text: string;
  userId: string;
  command?: string;
  channelId?: string;
  channelName?: string;
  responseUrl?: string;
}): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0FAKETEAM',
    team_domain: 'firebreak-test',
    channel_id: c.channelId ?? 'C0000000000',
    channel_name: c.channelName ?? 'general',
    user_id: c.userId,
    user_name: c.userId.toLowerCase(),
    command: c.command ?? '/firebreak',
    text: c.text,
    api_app_id: 'A0FAKEAPP',
    response_url: c.responseUrl ?? 'https://hooks.slack.com/commands/T0FAKETEAM/0/fake',
    trigger_id: '0000.0000.fake'
  };
}

/** A signed slash command to Firebreak, as Slack sends it. */
export function postSlashCommand(
  target: string,
  command: Parameters<typeof slashCommandForm>[0],
  opts: SignedPostOptions
): Promise<Response> {
  return postSigned(target, slashCommandForm(command), opts);
}

/** A signed button click to Firebreak, as Slack sends it (see `clickButton` for a posted message). */
export function postBlockAction(
  target: string,
  action: Parameters<typeof blockActionForm>[0],
  opts: SignedPostOptions
): Promise<Response> {
  return postSigned(target, blockActionForm(action), opts);
}

/** The buttons of a stored message (to click the one Firebreak actually posted). */
export function buttonsOf(message: FakeSlackMessage): Array<{ action_id: string; value?: string; url?: string }> {
  return (message.blocks ?? []).flatMap((b) => {
    const block = b as { type?: string; elements?: unknown[] };
    return block.type === 'actions'
      ? ((block.elements ?? []) as Array<{ action_id: string; value?: string; url?: string }>)
      : [];
  });
}

/** Clicks a button of a message Firebreak posted, sending Firebreak what Slack would. */
export function clickButton(
  target: string,
  message: FakeSlackMessage,
  actionId: string,
  who: { userId: string; responseUrl?: string },
  opts: SignedPostOptions
): Promise<Response> {
  const button = buttonsOf(message).find((b) => b.action_id === actionId);
  if (!button) throw new Error(`No button ${actionId} in message ${message.ts}`);
  return postSigned(
    target,
    blockActionForm({
      userId: who.userId,
      actionId,
      value: button.value,
      channelId: message.channel,
      messageTs: message.ts,
      responseUrl: who.responseUrl
    }),
    opts
  );
}

// --- helpers -----------------------------------------------------------------------------------

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string, type: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
