import { SEVERITY_LABEL, STATUS_LABEL, type Outcome, type Status } from '@firebreak/shared';
import type { CheckResultView, IncidentView } from '../types.ts';

/**
 * Block Kit messages the notifier posts. Every message has a plain `text` too: Slack shows it in
 * notifications and screen readers, and falls back to it where blocks do not render.
 *
 * Slack refuses a whole message (`invalid_blocks`) when one field is over its limit, and titles,
 * notes and check names are user input of any length, so every text is clipped to its limit here.
 */

/** Limits from Slack's Block Kit reference. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  url: 3000,
  contextElements: 10,
  actionsElements: 25,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30
} as const;

/** Slack keeps 40,000 characters of `text`; a notification shows a line, so keep it short. */
const MAX_FALLBACK_TEXT = 3000;
/** The card is a summary: the full description is one click away in Firebreak. */
const MAX_CARD_DESCRIPTION = 1000;
/** Results listed one per line on a card or an alert before "…and N more". */
const MAX_LISTED_RESULTS = 30;

export type TextObject = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export interface ButtonElement {
  type: 'button';
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: {
    title: { type: 'plain_text'; text: string };
    text: TextObject;
    confirm: { type: 'plain_text'; text: string };
    deny: { type: 'plain_text'; text: string };
    style?: 'primary' | 'danger';
  };
}
export type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] }
  | { type: 'divider' };

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

// --- text --------------------------------------------------------------------------------------

const ELLIPSIS = '…';

/** `s` cut to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - ELLIPSIS.length);
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // a high surrogate without its pair
  return s.slice(0, end) + ELLIPSIS;
}

/** The three characters Slack's mrkdwn wants escaped; `<` also keeps user text from pinging `<!channel>`. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `raw` escaped and clipped to `max` characters of mrkdwn, never cutting an `&amp;` in half. */
export function mrkdwnClip(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of raw) {
    const e = escapeMrkdwn(ch);
    if (out.length + e.length + ELLIPSIS.length > max) break;
    out += e;
  }
  return out + ELLIPSIS;
}

/** `raw` as a mrkdwn block quote (`>` on each line), escaped, at most `max` characters in all. */
export function quote(raw: string, max: number): string {
  let out = '';
  const lines = raw.split('\n');
  for (const [i, line] of lines.entries()) {
    const sep = out ? '\n' : '';
    const room = max - out.length - sep.length - 1; // 1 for the `>`
    if (room <= ELLIPSIS.length) {
      // Lines left over: say so when the ellipsis still fits.
      if (i < lines.length && !out.endsWith(ELLIPSIS) && out.length + ELLIPSIS.length <= max) out += ELLIPSIS;
      break;
    }
    const piece = mrkdwnClip(line, room);
    out += `${sep}>${piece}`;
    if (piece !== escapeMrkdwn(line)) break; // clipped: nothing after it fits
  }
  return out;
}

/** A mrkdwn link; the label is escaped and clipped, an unusable URL leaves the label alone. */
export function link(url: string | null | undefined, label: string, maxLabel = 200): string {
  const text = mrkdwnClip(label, maxLabel);
  if (!url || url.length > LIMITS.url || !/^https?:\/\//i.test(url)) return text;
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${text}>`;
}

const plain = (text: string, max: number) => ({
  type: 'plain_text' as const,
  text: clip(text, max) || ' ',
  emoji: true
});
const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text: text || ' ' });

/**
 * Lines of mrkdwn as few sections as they fit (each ≤ 3000 characters), at most `maxBlocks`; what
 * does not fit becomes "…and N more".
 */
export function linesToSections(lines: string[], maxBlocks: number, total = lines.length): Block[] {
  const sections: string[] = [];
  let current = '';
  let used = 0;
  for (const line of lines) {
    const piece = clip(line, LIMITS.sectionText);
    if (current && current.length + 1 + piece.length > LIMITS.sectionText) {
      if (sections.length + 1 >= maxBlocks) break;
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
    used++;
  }
  if (current) sections.push(current);
  const more = total - used;
  if (more > 0) {
    const note = `_…and ${more} more_`;
    const last = sections.length - 1;
    if (last >= 0 && sections[last]!.length + 1 + note.length <= LIMITS.sectionText) sections[last] += `\n${note}`;
    else if (sections.length < maxBlocks) sections.push(note);
  }
  return sections.map((s) => ({ type: 'section', text: mrkdwn(s) }));
}

// --- buttons -----------------------------------------------------------------------------------

/** Action ids of the status buttons: `firebreak_status:<status>`. */
export const STATUS_ACTION_PREFIX = 'firebreak_status:';
/** The "Open in Firebreak" link button; Slack still sends a block_actions for it, which is ignored. */
export const OPEN_ACTION_ID = 'firebreak_open';
/** Statuses a button can set (Reported is where incidents start, not somewhere one goes back to). */
export const BUTTON_STATUSES = ['investigating', 'fixing', 'resolved'] as const satisfies readonly Status[];
export type ButtonStatus = (typeof BUTTON_STATUSES)[number];

/**
 * What a status button carries. The action id says the status, the value repeats it next to the
 * incident id with a version, so the inbound handler can refuse anything that is not a button we
 * made (mismatched status, unknown version, malformed id) instead of acting on a guess.
 */
export interface ActionValue {
  v: 1;
  incident: string;
  status: ButtonStatus;
}

export function encodeActionValue(incidentId: string, status: ButtonStatus): string {
  return JSON.stringify({ v: 1, incident: incidentId, status } satisfies ActionValue);
}

/** Incident ids are ULIDs; anything that could not be one is refused before a lookup. */
export const INCIDENT_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

export function decodeActionValue(actionId: string, value: string | undefined): ActionValue | null {
  if (!actionId.startsWith(STATUS_ACTION_PREFIX) || !value || value.length > LIMITS.buttonValue) return null;
  const status = actionId.slice(STATUS_ACTION_PREFIX.length);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const p = parsed as Partial<ActionValue> | null;
  if (!p || typeof p !== 'object' || p.v !== 1) return null;
  if (typeof p.incident !== 'string' || !INCIDENT_ID_PATTERN.test(p.incident)) return null;
  if (p.status !== status || !(BUTTON_STATUSES as readonly string[]).includes(status)) return null;
  return { v: 1, incident: p.incident, status: p.status };
}

const BUTTON_LABEL: Record<ButtonStatus, string> = {
  investigating: 'Investigating',
  fixing: 'Fixing',
  resolved: 'Resolve'
};

function statusButtons(incident: IncidentView): ButtonElement[] {
  return BUTTON_STATUSES.filter((s) => s !== incident.status).map((status) => {
    const button: ButtonElement = {
      type: 'button',
      text: plain(BUTTON_LABEL[status], LIMITS.buttonText),
      action_id: STATUS_ACTION_PREFIX + status,
      value: encodeActionValue(incident.id, status)
    };
    if (status === 'resolved')
      button.confirm = {
        title: plain(`Resolve ${incident.key}?`, LIMITS.confirmTitle),
        text: { type: 'plain_text', text: 'Resolution notes can be added in Firebreak or with /firebreak resolve.' },
        confirm: plain('Resolve', LIMITS.confirmButton),
        deny: plain('Cancel', LIMITS.confirmButton)
      };
    return button;
  });
}

function actionsBlock(incident: IncidentView, withStatusButtons: boolean): Block {
  const open: ButtonElement = {
    type: 'button',
    text: plain('Open in Firebreak', LIMITS.buttonText),
    action_id: OPEN_ACTION_ID,
    style: 'primary'
  };
  if (incident.url.length <= LIMITS.url) open.url = incident.url;
  return {
    type: 'actions',
    elements: [open, ...(withStatusButtons && incident.status !== 'resolved' ? statusButtons(incident) : [])]
  };
}

// --- incident messages -------------------------------------------------------------------------

const OUTCOME_EMOJI: Record<Outcome | 'error', string> = {
  fail: ':red_circle:',
  warn: ':large_yellow_circle:',
  pass: ':large_green_circle:',
  error: ':white_circle:'
};

function resultLine(r: CheckResultView): string {
  const outcome = r.outcome ?? 'error';
  const value = r.valueText ?? (r.value === null ? null : String(r.value));
  return [
    `${OUTCOME_EMOJI[outcome]} ${link(r.url, r.name)}`,
    mrkdwnClip(r.dataset, 200),
    outcome === 'error' ? 'not evaluated' : outcome,
    ...(value === null ? [] : [`value ${mrkdwnClip(value, 100)}`])
  ].join(' · ');
}

function resultSections(results: CheckResultView[], heading: string, maxBlocks: number): Block[] {
  const listed = results.slice(0, MAX_LISTED_RESULTS);
  return linesToSections([heading, ...listed.map(resultLine)], maxBlocks, results.length + 1);
}

const personName = (p: { name: string; email: string } | null, none: string) =>
  p ? mrkdwnClip(p.name || p.email, 200) : `_${none}_`;

/** The context line under every incident message: which incident, with a link to it. */
function incidentContext(incident: IncidentView): Block {
  return { type: 'context', elements: [mrkdwn(link(incident.url, `${incident.key}: ${incident.title}`, 500))] };
}

function fallback(...parts: string[]): string {
  return clip(parts.filter(Boolean).join(' · '), MAX_FALLBACK_TEXT);
}

function cap(blocks: Block[]): Block[] {
  return blocks.slice(0, LIMITS.blocks);
}

/** The first message in an incident's channel: what, how bad, who, which checks, and buttons. */
export function creationCard(incident: IncidentView): SlackMessage {
  const blocks: Block[] = [
    { type: 'header', text: plain(`${incident.key}: ${incident.title}`, LIMITS.headerText) },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Severity*\n${SEVERITY_LABEL[incident.severity]}`),
        mrkdwn(`*Status*\n${STATUS_LABEL[incident.status]}`),
        mrkdwn(`*Lead*\n${personName(incident.lead, 'Unassigned')}`),
        mrkdwn(`*Reporter*\n${personName(incident.reporter, 'Unknown')}`)
      ]
    }
  ];
  if (incident.description.trim())
    blocks.push({ type: 'section', text: mrkdwn(mrkdwnClip(incident.description.trim(), MAX_CARD_DESCRIPTION)) });
  // Keep room for the actions block after the results.
  if (incident.checkResults.length)
    blocks.push(...resultSections(incident.checkResults, '*Linked checks*', LIMITS.blocks - blocks.length - 1));
  blocks.push(actionsBlock(incident, true));
  return {
    text: fallback(
      `${incident.key}: ${incident.title}`,
      SEVERITY_LABEL[incident.severity],
      STATUS_LABEL[incident.status],
      incident.lead ? `lead ${incident.lead.name}` : '',
      incident.url
    ),
    blocks: cap(blocks)
  };
}

function update(incident: IncidentView, line: string, text: string, extra: Block[] = []): SlackMessage {
  return {
    text: fallback(`${incident.key} ${text}`, incident.title),
    blocks: cap([
      { type: 'section', text: mrkdwn(clip(line, LIMITS.sectionText)) },
      ...extra,
      incidentContext(incident)
    ])
  };
}

export function statusMessage(incident: IncidentView, from: Status, to: Status): SlackMessage {
  return update(
    incident,
    `:arrows_counterclockwise: *Status* ${STATUS_LABEL[from]} → *${STATUS_LABEL[to]}*`,
    `status: ${STATUS_LABEL[from]} → ${STATUS_LABEL[to]}`
  );
}

export function severityMessage(incident: IncidentView, from: IncidentView['severity'], to: IncidentView['severity']) {
  return update(
    incident,
    `:rotating_light: *Severity* ${SEVERITY_LABEL[from]} → *${SEVERITY_LABEL[to]}*`,
    `severity: ${SEVERITY_LABEL[from]} → ${SEVERITY_LABEL[to]}`
  );
}

/** The event carries member ids; the view has the new lead's name (the old one may be gone). */
export function leadMessage(incident: IncidentView): SlackMessage {
  return incident.lead
    ? update(
        incident,
        `:bust_in_silhouette: *Lead* is now ${personName(incident.lead, '')}`,
        `lead: ${incident.lead.name}`
      )
    : update(incident, ':bust_in_silhouette: *Lead* removed', 'lead removed');
}

export function linkedMessage(incident: IncidentView, resultIds: string[]): SlackMessage {
  const ids = new Set(resultIds);
  const results = incident.checkResults.filter((r) => ids.has(r.id));
  const n = resultIds.length;
  const heading = `:link: *Linked* ${n} check result${n === 1 ? '' : 's'}`;
  const sections = results.length
    ? resultSections(results, heading, LIMITS.blocks - 1)
    : [{ type: 'section' as const, text: mrkdwn(heading) }];
  return {
    text: fallback(`${incident.key} linked ${n} check result${n === 1 ? '' : 's'}`, incident.title),
    blocks: cap([...sections, incidentContext(incident)])
  };
}

/** Unlinked results are no longer in the view, so they are named by check id. */
export function unlinkedMessage(incident: IncidentView, checkIds: string[]): SlackMessage {
  const n = checkIds.length;
  const heading = `:heavy_minus_sign: *Unlinked* ${n} check result${n === 1 ? '' : 's'}`;
  const lines = checkIds.slice(0, MAX_LISTED_RESULTS).map((id) => `\`${mrkdwnClip(id, 200)}\``);
  return {
    text: fallback(`${incident.key} unlinked ${n} check result${n === 1 ? '' : 's'}`, incident.title),
    blocks: cap([...linesToSections([heading, ...lines], LIMITS.blocks - 1, n + 1), incidentContext(incident)])
  };
}

/** Quoted notes (`>` on every line) under the resolution, clipped to one section. */
export function resolvedMessage(incident: IncidentView, notes: string): SlackMessage {
  const reason = incident.resolutionReason ? ` (${mrkdwnClip(incident.resolutionReason, 100)})` : '';
  const head = `:white_check_mark: *${mrkdwnClip(incident.key, 50)} resolved*${reason}`;
  const trimmed = notes.trim();
  const quoted = trimmed ? quote(trimmed, LIMITS.sectionText - head.length - 1) : '_No resolution notes._';
  return {
    text: fallback(
      `${incident.key} resolved${incident.resolutionReason ? ` (${incident.resolutionReason})` : ''}`,
      trimmed
    ),
    blocks: cap([
      { type: 'section', text: mrkdwn(`${head}\n${quoted}`) },
      actionsBlock(incident, false),
      incidentContext(incident)
    ])
  };
}

/** Posted in the same channel when it could be unarchived, with the status buttons again. */
export function reopenedMessage(incident: IncidentView, to: Status): SlackMessage {
  return update(
    incident,
    `:leftwards_arrow_with_hook: *Reopened* status is *${STATUS_LABEL[to]}*`,
    `reopened: ${STATUS_LABEL[to]}`,
    [actionsBlock(incident, true)]
  );
}

// --- alerts and tests --------------------------------------------------------------------------

/** New warn/fail results of one ingest, for the alerts channel. */
export function checkAlertMessage(results: CheckResultView[]): SlackMessage {
  const fails = results.filter((r) => r.outcome === 'fail').length;
  const warns = results.filter((r) => r.outcome === 'warn').length;
  const summary = [fails ? `${fails} failed` : '', warns ? `${warns} warned` : ''].filter(Boolean).join(', ');
  const heading = `:warning: *${results.length} check result${results.length === 1 ? '' : 's'} need attention* (${summary})`;
  return {
    text: fallback(
      `${results.length} check result${results.length === 1 ? '' : 's'} need attention (${summary})`,
      ...results.slice(0, 5).map((r) => `${r.name} ${r.outcome}`)
    ),
    blocks: cap(resultSections(results, heading, LIMITS.blocks))
  };
}

export function testMessage(publicUrl: string): SlackMessage {
  const text = 'Firebreak test message: this channel will get new warn and fail check results.';
  return {
    text,
    blocks: [{ type: 'section', text: mrkdwn(`:white_check_mark: ${text}\n${link(publicUrl, publicUrl)}`) }]
  };
}

/** The channel topic: key, severity and title (Slack allows 250 characters). */
export const MAX_TOPIC = 250;
export function channelTopic(incident: Pick<IncidentView, 'key' | 'severity' | 'title'>): string {
  return clip(`${incident.key} · ${SEVERITY_LABEL[incident.severity]} · ${incident.title}`, MAX_TOPIC);
}
