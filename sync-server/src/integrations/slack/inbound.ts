import { STATUS_LABEL, type Status } from '@firebreak/shared';
import { ensureOk, networkError } from '../http.ts';
import type { SafeFetch } from '../types.ts';
import { isSlackError, slackCall, type SlackClient } from './api.ts';
import { decodeActionValue, OPEN_ACTION_ID, STATUS_ACTION_PREFIX } from './blocks.ts';

/**
 * What Slack POSTs to `POST /api/v1/integrations/slack/events`, parsed into intents. Pure: the
 * route verifies the signature first (signing.ts) on the raw body, then calls
 * `parseSlackRequest`, maps `slackUserId` to a member (slackUser → email), applies the intent
 * and answers. Slack waits 3 seconds: a slash command's reply is the HTTP body; a button gets an
 * empty 200 and its reply is POSTed to `responseUrl` (`respond`).
 */

export type IncidentRef = { id: string } | { number: number };

export interface SetStatusIntent {
  action: 'setStatus';
  incident: IncidentRef;
  status: Status;
  /** Resolution notes (`/firebreak resolve INC-3 <notes>`). */
  notes?: string;
  slackUserId: string;
  source: 'button' | 'command';
  channelId: string | null;
  /** Where to POST replies (valid 30 minutes, 5 uses). */
  responseUrl: string | null;
}

/** `{response_type: 'ephemeral'}`: only the person who clicked or typed sees it. */
export interface EphemeralReply {
  response_type: 'ephemeral';
  text: string;
  /** For replies to a button: add a message instead of replacing the card. */
  replace_original: false;
}

export type SlackInbound =
  /** Events API handshake: answer `{challenge}` (or the bare challenge) with a 200. */
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'intent'; intent: SetStatusIntent }
  /** Answer at once with this (help, a mistyped command, a stale button), no member lookup needed. */
  | { kind: 'reply'; reply: EphemeralReply; responseUrl: string | null }
  /** Acknowledge with an empty 200 (link buttons, `ssl_check`, events we do not subscribe to). */
  | { kind: 'ignore' }
  /** Not something Slack sends: a 400. */
  | { kind: 'invalid'; message: string };

// --- replies -----------------------------------------------------------------------------------

export function ephemeral(text: string): EphemeralReply {
  return { response_type: 'ephemeral', text, replace_original: false };
}

export function helpText(command = '/firebreak'): string {
  return [
    `*${command}* sets an incident's status from Slack:`,
    `• \`${command} status INC-3 fixing\`: statuses are reported, investigating, fixing, resolved`,
    `• \`${command} investigate INC-3\`, \`${command} fix INC-3\``,
    `• \`${command} resolve INC-3 Reloaded the table\`: the rest of the line becomes the resolution notes`,
    `• \`${command} help\`: this message`,
    'In an incident channel (`inc-3-…`) the incident may be left out.'
  ].join('\n');
}

export const helpReply = (command?: string) => ephemeral(helpText(command));

export const parseErrorReply = (problem: string, command?: string) => ephemeral(`${problem}\n\n${helpText(command)}`);

/** The Slack user could not be matched to a member of this workspace. */
export function notMemberReply(email: string | null): EphemeralReply {
  return ephemeral(
    email
      ? `Your Slack account (${email}) is not a member of this Firebreak workspace. Ask an admin for an invite, with that email address.`
      : 'Firebreak could not read the email address of your Slack account (the Slack app needs the users:read.email scope), so it cannot tell which member you are.'
  );
}

export const readOnlyReply = () => ephemeral('You can see incidents but not change them: your role is viewer.');

export function unknownIncidentReply(ref: IncidentRef): EphemeralReply {
  return ephemeral(
    'number' in ref ? `There is no INC-${ref.number} in Firebreak.` : 'That incident is not in Firebreak any more.'
  );
}

export function statusSetReply(key: string, status: Status): EphemeralReply {
  return ephemeral(`${key} is now ${STATUS_LABEL[status]}.`);
}

export const failedReply = (why: string) => ephemeral(`Firebreak could not do that: ${why}`);

/** POSTs a reply to a `response_url` (what Slack gave with the button click or command). */
export async function respond(fetch: SafeFetch, responseUrl: string, reply: EphemeralReply): Promise<void> {
  let res: Response;
  try {
    res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(reply)
    });
  } catch (err) {
    throw networkError(err, 'Slack response_url');
  }
  await ensureOk(res, 'Slack response_url');
}

// --- the slash command -------------------------------------------------------------------------

const STATUS_WORDS: Record<string, Status> = {
  reported: 'reported',
  report: 'reported',
  investigating: 'investigating',
  investigate: 'investigating',
  fixing: 'fixing',
  fix: 'fixing',
  resolved: 'resolved',
  resolve: 'resolved'
};

/** `INC-3`, `inc-3`, `#3`, `3`. */
const INCIDENT_WORD = /^(?:inc-|#)?(\d{1,9})$/i;
/** Our channel names (channel-name.ts): in one, the incident may be left out of the command. */
const INCIDENT_CHANNEL = /^inc-(\d{1,9})-\d{4}-\d{2}-\d{2}(?:-|$)/;

export type CommandParse =
  | { ok: true; help: true }
  | { ok: true; help: false; incident: IncidentRef; status: Status; notes?: string }
  | { ok: false; problem: string };

/**
 * The grammar of `/firebreak <text>`:
 *   help | (nothing)
 *   status [<incident>] <status> [<notes…> when resolved]
 *   investigate|fix [<incident>]
 *   resolve [<incident>] [<notes…>]
 * where <incident> is `INC-3`, `#3` or `3`, and may be left out in an `inc-3-…` channel (a
 * leading number is then still read as the incident).
 */
export function parseCommandText(text: string, channelName: string | null = null): CommandParse {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const verb = (words.shift() ?? 'help').toLowerCase();
  if (verb === 'help') return { ok: true, help: true };

  const fromChannel = channelName ? INCIDENT_CHANNEL.exec(channelName) : null;
  const takeIncident = (): IncidentRef | null => {
    const m = words[0] ? INCIDENT_WORD.exec(words[0]) : null;
    if (m) {
      words.shift();
      return { number: Number(m[1]) };
    }
    return fromChannel ? { number: Number(fromChannel[1]) } : null;
  };
  const noIncident = {
    ok: false as const,
    problem: `Which incident? Name it like \`INC-3\`${fromChannel ? '' : ' (or run the command in its channel)'}.`
  };

  if (verb === 'status') {
    const incident = takeIncident();
    if (!incident) return noIncident;
    const word = words.shift()?.toLowerCase();
    const s = word ? STATUS_WORDS[word] : undefined;
    if (!s) return { ok: false, problem: word ? `\`${word}\` is not a status.` : 'Which status?' };
    return withNotes(incident, s, words);
  }
  const status = STATUS_WORDS[verb];
  // Reported is where incidents start; going back to it is `status INC-3 reported`.
  if (!status || status === 'reported') return { ok: false, problem: `\`${verb}\` is not a command.` };
  const incident = takeIncident();
  if (!incident) return noIncident;
  return withNotes(incident, status, words);
}

function withNotes(incident: IncidentRef, status: Status, rest: string[]): CommandParse {
  const notes = rest.join(' ').trim();
  if (notes && status !== 'resolved')
    return { ok: false, problem: 'Notes go with resolve only: `resolve INC-3 <notes>`.' };
  return { ok: true, help: false, incident, status, ...(notes ? { notes } : {}) };
}

// --- requests ----------------------------------------------------------------------------------

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function parseSlashCommand(form: URLSearchParams): SlackInbound {
  const command = form.get('command') ?? '/firebreak';
  const userId = form.get('user_id');
  if (!userId) return { kind: 'invalid', message: 'A slash command without user_id.' };
  const responseUrl = form.get('response_url') || null;
  const parsed = parseCommandText(form.get('text') ?? '', form.get('channel_name'));
  if (!parsed.ok) return { kind: 'reply', reply: parseErrorReply(parsed.problem, command), responseUrl };
  if (parsed.help) return { kind: 'reply', reply: helpReply(command), responseUrl };
  return {
    kind: 'intent',
    intent: {
      action: 'setStatus',
      incident: parsed.incident,
      status: parsed.status,
      ...(parsed.notes ? { notes: parsed.notes } : {}),
      slackUserId: userId,
      source: 'command',
      channelId: form.get('channel_id') || null,
      responseUrl
    }
  };
}

const STALE_BUTTON = 'This button is out of date or not from this Firebreak. Use the incident page or /firebreak.';

function parseInteraction(payloadJson: string): SlackInbound {
  let payload: Record<string, unknown>;
  try {
    const p: unknown = JSON.parse(payloadJson);
    if (typeof p !== 'object' || p === null) throw new Error('not an object');
    payload = p as Record<string, unknown>;
  } catch {
    return { kind: 'invalid', message: 'The payload field is not JSON.' };
  }
  // Modals, shortcuts and message actions are not ours.
  if (payload.type !== 'block_actions') return { kind: 'ignore' };
  const user = payload.user as { id?: unknown } | undefined;
  const userId = str(user?.id);
  if (!userId) return { kind: 'invalid', message: 'A block_actions payload without user.id.' };
  const responseUrl = str(payload.response_url);
  const channelId =
    str((payload.channel as { id?: unknown } | undefined)?.id) ??
    str((payload.container as { channel_id?: unknown } | undefined)?.channel_id);
  const action = Array.isArray(payload.actions)
    ? (payload.actions[0] as Record<string, unknown> | undefined)
    : undefined;
  const actionId = str(action?.action_id);
  if (!actionId) return { kind: 'invalid', message: 'A block_actions payload without an action.' };
  if (actionId === OPEN_ACTION_ID || !actionId.startsWith(STATUS_ACTION_PREFIX)) return { kind: 'ignore' };
  const value = decodeActionValue(actionId, str(action?.value) ?? undefined);
  if (!value) return { kind: 'reply', reply: ephemeral(STALE_BUTTON), responseUrl };
  return {
    kind: 'intent',
    intent: {
      action: 'setStatus',
      incident: { id: value.incident },
      status: value.status,
      slackUserId: userId,
      source: 'button',
      channelId,
      responseUrl
    }
  };
}

/**
 * Parses an (already verified) request from Slack: interactive payloads and slash commands come
 * form-encoded, Events API callbacks as JSON.
 */
export function parseSlackRequest(req: { contentType: string | null; rawBody: string }): SlackInbound {
  const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let body: { type?: unknown; challenge?: unknown };
    try {
      body = JSON.parse(req.rawBody) as typeof body;
    } catch {
      return { kind: 'invalid', message: 'The body is not JSON.' };
    }
    if (body?.type === 'url_verification') {
      const challenge = str(body.challenge);
      return challenge ? { kind: 'url_verification', challenge } : { kind: 'invalid', message: 'No challenge.' };
    }
    return { kind: 'ignore' };
  }
  if (type !== 'application/x-www-form-urlencoded')
    return { kind: 'invalid', message: 'Slack sends application/x-www-form-urlencoded or application/json.' };
  const form = new URLSearchParams(req.rawBody);
  if (form.get('ssl_check')) return { kind: 'ignore' };
  const payload = form.get('payload');
  if (payload !== null) return parseInteraction(payload);
  if (form.has('command')) return parseSlashCommand(form);
  return { kind: 'invalid', message: 'Neither an interactive payload nor a slash command.' };
}

// --- who clicked -------------------------------------------------------------------------------

export interface SlackUser {
  id: string;
  email: string | null;
  name: string;
  deleted: boolean;
  isBot: boolean;
}

/**
 * `users.info`: the integrator matches `email` to a member. Null when Slack has no such user; the
 * email is null when the app lacks `users:read.email` or the user is a bot.
 */
export async function slackUser(client: SlackClient, userId: string): Promise<SlackUser | null> {
  let answer;
  try {
    answer = await slackCall(client, 'users.info', { user: userId });
  } catch (err) {
    if (isSlackError(err, 'user_not_found', 'user_not_visible')) return null;
    throw err;
  }
  const u = answer.user as Record<string, unknown> | undefined;
  if (!u || typeof u.id !== 'string') return null;
  const profile = (u.profile ?? {}) as Record<string, unknown>;
  return {
    id: u.id,
    email: str(profile.email)?.trim() ?? null,
    name: str(profile.real_name) ?? str(u.real_name) ?? str(u.name) ?? u.id,
    deleted: u.deleted === true,
    isBot: u.is_bot === true
  };
}

/** The email of a Slack user, or null (unknown user, no scope, bot). */
export async function slackUserEmail(client: SlackClient, userId: string): Promise<string | null> {
  const user = await slackUser(client, userId);
  return user && !user.deleted ? user.email : null;
}
