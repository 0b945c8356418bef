import { SEVERITY_LABEL, STATUS_LABEL } from '@firebreak/shared';
import type { IncidentEvent, Severity } from '@firebreak/shared';
import { changeSentence, checkLine, incidentTitle, personName } from '../describe.ts';
import { truncate } from '../request.ts';
import type { IncidentView } from '../types.ts';

/**
 * Adaptive Cards for the Teams notifier. Version 1.4: every Teams client renders it (1.5 is not
 * on all mobile clients), and it has everything used here (FactSet, Action.OpenUrl).
 */

export const ADAPTIVE_CARD_VERSION = '1.4';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams refuses messages over ~28 KB; these bounds keep a card well under it. */
const MAX_CARD_CHECKS = 10;
const MAX_DESCRIPTION_CHARS = 1_500;
const MAX_NOTES_CHARS = 2_000;
const MAX_TITLE_CHARS = 300;

export type CardElement = Record<string, unknown> & { type: string };
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  actions?: CardElement[];
  msteams?: { width: 'Full' };
}

/** Adaptive Card colours: critical stands out, major warns. */
const SEVERITY_COLOR: Record<Severity, string> = { critical: 'Attention', major: 'Warning', minor: 'Default' };

const text = (t: string, extra: Record<string, unknown> = {}): CardElement => ({
  type: 'TextBlock',
  text: t,
  wrap: true,
  ...extra
});

export function card(body: CardElement[], actions: CardElement[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    body,
    ...(actions.length ? { actions } : {}),
    msteams: { width: 'Full' }
  };
}

/** The Workflows webhook envelope around one card. */
export function message(content: AdaptiveCard) {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }] };
}

function headline(change: IncidentEvent): string {
  switch (change.kind) {
    case 'created':
      return 'New incident';
    case 'resolved':
      return 'Incident resolved';
    case 'reopened':
      return 'Incident reopened';
    default:
      return 'Incident updated';
  }
}

export function incidentCard(change: IncidentEvent, incident: IncidentView): AdaptiveCard {
  const body: CardElement[] = [
    text(headline(change), { size: 'Small', isSubtle: true, spacing: 'None' }),
    text(truncate(incidentTitle(incident), MAX_TITLE_CHARS), {
      size: 'Large',
      weight: 'Bolder',
      color: SEVERITY_COLOR[incident.severity]
    })
  ];
  if (change.kind !== 'created') body.push(text(changeSentence(change, incident), { weight: 'Bolder' }));
  body.push({
    type: 'FactSet',
    facts: [
      { title: 'Severity', value: SEVERITY_LABEL[incident.severity] },
      { title: 'Status', value: STATUS_LABEL[incident.status] },
      { title: 'Lead', value: personName(incident.lead) },
      { title: 'Reporter', value: personName(incident.reporter) }
    ]
  });
  if (change.kind === 'created' && incident.description.trim())
    body.push(text(truncate(incident.description.trim(), MAX_DESCRIPTION_CHARS)));
  if (change.kind === 'resolved') {
    const notes = (change.notes || incident.resolutionNotes).trim();
    body.push(text('Resolution notes', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(text(notes ? truncate(notes, MAX_NOTES_CHARS) : 'No notes given.', notes ? {} : { isSubtle: true }));
  }
  const checks = incident.checkResults;
  if (checks.length) {
    body.push(text(`Linked checks (${checks.length})`, { weight: 'Bolder', spacing: 'Medium' }));
    for (const r of checks.slice(0, MAX_CARD_CHECKS))
      body.push(text(`[${checkLine(r)}](${r.url})`, { spacing: 'Small' }));
    if (checks.length > MAX_CARD_CHECKS)
      body.push(text(`and ${checks.length - MAX_CARD_CHECKS} more in Firebreak`, { isSubtle: true, spacing: 'Small' }));
  }
  return card(body, [{ type: 'Action.OpenUrl', title: 'Open incident', url: incident.url }]);
}
