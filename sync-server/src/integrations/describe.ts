import { OUTCOME_LABEL, SEVERITY_LABEL, STATUS_LABEL } from '@firebreak/shared';
import type { IncidentEvent } from '@firebreak/shared';
import type { CheckResultView, IncidentView, Person } from './types.ts';

/** Words the ticketing and chat notifiers share, so every integration tells a change the same way. */

export function personName(p: Person | null): string {
  return p ? p.name || p.email : 'Nobody';
}

/** A member id from an event as a name, when the incident's current lead is that member. */
function memberName(id: string | null, incident: IncidentView): string {
  if (id === null) return 'nobody';
  for (const p of [incident.lead, incident.reporter]) if (p?.id === id) return personName(p);
  return id;
}

export function outcomeLabel(r: CheckResultView): string {
  return OUTCOME_LABEL[r.outcome ?? 'error'];
}

/** `Fail · Missing emails · postgres/orders` */
export function checkLine(r: CheckResultView): string {
  return `${outcomeLabel(r)} · ${r.name} · ${r.dataset}`;
}

/** The linked results an event names, as far as the incident still has them. */
export function resultsOf(change: { results: Array<{ resultId: string }> }, incident: IncidentView): CheckResultView[] {
  const ids = new Set(change.results.map((r) => r.resultId));
  return incident.checkResults.filter((r) => ids.has(r.id));
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One sentence for a change: "Status changed from Investigating to Fixing". */
export function changeSentence(change: IncidentEvent, incident: IncidentView): string {
  switch (change.kind) {
    case 'created':
      return `Incident reported by ${personName(incident.reporter)}`;
    case 'status':
      return `Status changed from ${STATUS_LABEL[change.from]} to ${STATUS_LABEL[change.to]}`;
    case 'resolved':
      return incident.resolutionReason ? `Resolved (${incident.resolutionReason})` : 'Resolved';
    case 'reopened':
      return `Reopened as ${STATUS_LABEL[change.to]}`;
    case 'severity':
      return `Severity changed from ${SEVERITY_LABEL[change.from]} to ${SEVERITY_LABEL[change.to]}`;
    case 'lead':
      if (change.to === null) return `Lead ${memberName(change.from, incident)} removed`;
      return `Lead set to ${memberName(change.to, incident)}`;
    case 'linked': {
      const names = resultsOf(change, incident).map((r) => r.name);
      return `Linked ${plural(change.results.length, 'check result')}${names.length ? `: ${names.join(', ')}` : ''}`;
    }
    case 'unlinked':
      return `Unlinked ${plural(change.results.length, 'check result')}`;
  }
}

/** `INC-12: Invalid customer ids` */
export function incidentTitle(incident: IncidentView): string {
  return `${incident.key}: ${incident.title}`;
}
