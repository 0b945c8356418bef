import { ensureOk, networkError, retryAfterMs } from '../http.ts';
import { DeliveryError, type SafeFetch } from '../types.ts';

/**
 * Slack's own error codes that mean "try again later"; Slack answers them with HTTP 200 and
 * `{ok: false, error}`. Every other code (`channel_not_found`, `invalid_auth`, `missing_scope`…)
 * will not change by retrying and dead-letters the row.
 */
export const RETRIABLE_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  // chat.postMessage's own spelling for too many messages in a channel.
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout'
]);

/** When Slack says "rate limited" in a 200 without a Retry-After, wait about a minute (its per-minute tiers). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** How many of Slack's `response_metadata.messages` (why blocks were invalid…) go into an error. */
const MAX_DETAIL_MESSAGES = 3;

export interface SlackClient {
  apiUrl: string;
  token: string;
  fetch: SafeFetch;
}

/** The body of a successful answer; each method adds its own fields. */
export type SlackAnswer = Record<string, unknown> & { ok: true };

/** A Slack `ok:false` answer, kept with its code so callers can branch on it. */
export class SlackApiError extends DeliveryError {
  readonly code: string;
  readonly method: string;
  constructor(method: string, code: string, detail: string[], retryAfter: number | null) {
    const retriable = RETRIABLE_SLACK_ERRORS.has(code);
    super(`Slack ${method}: ${code}${detail.length ? ` (${detail.join('; ')})` : ''}`, {
      retriable,
      retryAfterMs:
        code === 'ratelimited' || code === 'rate_limited' ? (retryAfter ?? DEFAULT_RATE_LIMIT_WAIT_MS) : null,
      status: 200
    });
    this.name = 'SlackApiError';
    this.code = code;
    this.method = method;
  }
}

export function isSlackError(err: unknown, ...codes: string[]): err is SlackApiError {
  return err instanceof SlackApiError && (codes.length === 0 || codes.includes(err.code));
}

/**
 * One Web API call: POST JSON with the bot token as a bearer header (never in the body or URL, so
 * it cannot end up in a log line). Transport failures and non-2xx statuses are classified by
 * http.ts; `ok:false` answers become SlackApiError.
 */
export async function slackCall(
  client: SlackClient,
  method: string,
  args: Record<string, unknown>
): Promise<SlackAnswer> {
  const what = `Slack ${method}`;
  let res: Response;
  try {
    res = await client.fetch(`${client.apiUrl}/${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${client.token}`
      },
      body: JSON.stringify(args)
    });
  } catch (err) {
    throw networkError(err, what);
  }
  await ensureOk(res, what);
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    if ((err as { name?: string }).name === 'TimeoutError' || (err as { name?: string }).name === 'AbortError')
      throw networkError(err, what);
    // A 200 that is not JSON is a proxy page or a wrong FIREBREAK_SLACK_API_URL, not a blip.
    throw new DeliveryError(`${what}: the answer is not JSON (is the API URL right?)`, {
      retriable: false,
      status: res.status
    });
  }
  if (typeof body !== 'object' || body === null || typeof (body as { ok?: unknown }).ok !== 'boolean')
    throw new DeliveryError(`${what}: the answer is not a Slack API answer (is the API URL right?)`, {
      retriable: false,
      status: res.status
    });
  const answer = body as { ok: boolean; error?: unknown; response_metadata?: { messages?: unknown } };
  if (answer.ok) return answer as SlackAnswer;
  const code = typeof answer.error === 'string' && answer.error ? answer.error : 'unknown_error';
  const messages = Array.isArray(answer.response_metadata?.messages) ? answer.response_metadata.messages : [];
  const detail = messages
    .filter((m): m is string => typeof m === 'string')
    .slice(0, MAX_DETAIL_MESSAGES)
    .map((m) => m.slice(0, 200));
  throw new SlackApiError(method, code, detail, retryAfterMs(res.headers.get('retry-after')));
}

/** `auth.test`: who the token is, and the workspace URL channel links are built from. */
export interface SlackIdentity {
  /** `https://acme.slack.com/` */
  url: string;
  team: string;
  user: string;
  teamId: string | null;
  userId: string | null;
}

export async function authTest(client: SlackClient): Promise<SlackIdentity> {
  const a = await slackCall(client, 'auth.test', {});
  const url = typeof a.url === 'string' ? a.url : '';
  if (!/^https?:\/\//.test(url))
    throw new DeliveryError('Slack auth.test: the answer has no workspace URL', { retriable: false, status: 200 });
  return {
    url: url.endsWith('/') ? url : `${url}/`,
    team: typeof a.team === 'string' ? a.team : 'unknown',
    user: typeof a.user === 'string' ? a.user : 'unknown',
    teamId: typeof a.team_id === 'string' ? a.team_id : null,
    userId: typeof a.user_id === 'string' ? a.user_id : null
  };
}

/** The slice of Slack's conversation object the notifier reads. */
export interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  /** Unix seconds. */
  created: number;
  topic: string;
}

export function readChannel(raw: unknown): SlackChannel | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const c = raw as Record<string, unknown>;
  if (typeof c.id !== 'string' || typeof c.name !== 'string') return null;
  const topic = c.topic as { value?: unknown } | undefined;
  return {
    id: c.id,
    name: c.name,
    isPrivate: c.is_private === true,
    isArchived: c.is_archived === true,
    created: typeof c.created === 'number' ? c.created : 0,
    topic: typeof topic?.value === 'string' ? topic.value : ''
  };
}
