import { SEVERITIES, STATUSES, type Severity, type Status } from '../vocab.ts';
import type { Incident } from './schema.ts';

/**
 * What integrations hear about: the net transitions between two states of one incident, as the
 * server's watcher derives them from the last state it processed and the state now.
 */
export type IncidentEvent =
  | { kind: 'created' }
  /** A status change between two open statuses (Resolved has its own kinds). */
  | { kind: 'status'; from: Status; to: Status }
  | { kind: 'resolved'; from: Status; notes: string }
  | { kind: 'reopened'; to: Status }
  | { kind: 'severity'; from: Severity; to: Severity }
  | { kind: 'lead'; from: string | null; to: string | null }
  | { kind: 'linked'; results: Array<{ resultId: string; checkId: string }> }
  | { kind: 'unlinked'; results: Array<{ resultId: string; checkId: string }> };

export type IncidentEventKind = IncidentEvent['kind'];

/** Leaving Resolved for any other status reopens an incident. */
export function isReopen(from: unknown, to: unknown): boolean {
  return from === 'resolved' && to !== 'resolved';
}

/**
 * The parts of an incident integrations hear about. `undefined` = no valid value (a client wrote
 * something outside the vocabulary, or a stored state lacks the field): such a field is treated
 * as unchanged rather than guessed at, because every event must carry a real `from`.
 */
interface Watched {
  status: Status | undefined;
  severity: Severity | undefined;
  lead: string | null | undefined;
  /** resultId → checkId; entries without a string checkId count as not linked. */
  results: Map<string, string>;
  notes: string;
}

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null;
const asStatus = (v: unknown): Status | undefined =>
  (STATUSES as readonly unknown[]).includes(v) ? (v as Status) : undefined;
const asSeverity = (v: unknown): Severity | undefined =>
  (SEVERITIES as readonly unknown[]).includes(v) ? (v as Severity) : undefined;
const asLead = (v: unknown): string | null | undefined => (v === null || typeof v === 'string' ? v : undefined);

function asRef(v: unknown): { resultId: string; checkId: string } | undefined {
  return isObject(v) && typeof v.resultId === 'string' && typeof v.checkId === 'string'
    ? { resultId: v.resultId, checkId: v.checkId }
    : undefined;
}

function watch(inc: Fields): Watched {
  const results = new Map<string, string>();
  if (Array.isArray(inc.results)) {
    for (const r of inc.results as unknown[]) {
      const ref = asRef(r);
      if (ref && !results.has(ref.resultId)) results.set(ref.resultId, ref.checkId);
    }
  }
  return {
    status: asStatus(inc.status),
    severity: asSeverity(inc.severity),
    lead: asLead(inc.leadId),
    results,
    notes: typeof inc.resolutionNotes === 'string' ? inc.resolutionNotes : ''
  };
}

/**
 * What the incident looked like when it was created, recovered from `after` alone (the server
 * never saw it). Everything comes from the append-only timeline, which every later state of the
 * incident extends but never rewrites, so any later state recovers the same initial state — that
 * is what lets `created` plus later batches compose to the same net events.
 *
 * The first timeline event about a field (in array order) has no causal predecessor about that
 * field: a replica appends after everything it has seen, so its `from` is the value at creation.
 */
function initialState(inc: Fields, now: Watched): Watched {
  const timeline = Array.isArray(inc.timeline) ? (inc.timeline as unknown[]).filter(isObject) : [];
  const created = timeline.find((e) => e.kind === 'created');
  const firstLead = timeline.find((e) => e.kind === 'lead');
  const leadAtCreation = firstLead ? asLead(firstLead.from) : undefined;

  // A result first mentioned by `unlinked` was linked at creation; one first mentioned by `linked`
  // was not; one linked now and never mentioned came with the incident.
  const results = new Map<string, string>();
  const mentioned = new Set<string>();
  for (const e of timeline) {
    if (e.kind !== 'linked' && e.kind !== 'unlinked') continue;
    const ref = asRef(e.kind === 'linked' ? e.to : e.from);
    if (!ref || mentioned.has(ref.resultId)) continue;
    mentioned.add(ref.resultId);
    if (e.kind === 'unlinked') results.set(ref.resultId, ref.checkId);
  }
  for (const [resultId, checkId] of now.results) if (!mentioned.has(resultId)) results.set(resultId, checkId);

  return {
    status: 'reported',
    severity: (isObject(created?.to) ? asSeverity(created.to.severity) : undefined) ?? now.severity,
    lead: leadAtCreation === undefined ? now.lead : leadAtCreation,
    results,
    notes: ''
  };
}

/** `next` with each invalid field replaced by `base`'s value: an invalid write changes nothing. */
function settle(base: Watched, next: Watched): Watched {
  return {
    status: next.status ?? base.status,
    severity: next.severity ?? base.severity,
    lead: next.lead === undefined ? base.lead : next.lead,
    results: next.results,
    notes: next.notes
  };
}

function statusEvent(from: Status, to: Status, notes: string): IncidentEvent | undefined {
  if (from === to) return undefined;
  if (to === 'resolved') return { kind: 'resolved', from, notes };
  if (isReopen(from, to)) return { kind: 'reopened', to };
  return { kind: 'status', from, to };
}

const byResultId = (a: { resultId: string }, b: { resultId: string }) =>
  a.resultId < b.resultId ? -1 : a.resultId > b.resultId ? 1 : 0;

function missingFrom(from: Map<string, string>, other: Map<string, string>) {
  const out: Array<{ resultId: string; checkId: string }> = [];
  for (const [resultId, checkId] of from) if (!other.has(resultId)) out.push({ resultId, checkId });
  return out.sort(byResultId);
}

/**
 * The order within one call is fixed so integrations can act on each event as it comes:
 *   reopened first: Slack unarchives the channel (Jira reopens the issue) before any update card
 *     is posted to it, and the batch ended open, so its other changes belong to the reopened one;
 *   severity, lead, linked, unlinked: the updates themselves;
 *   status or resolved last: a Slack channel archived on resolve has received every update of the
 *     batch first, and Jira comments the notes as the last word. A plain status move goes in the
 *     same slot so each kind has one place (a batch has at most one status-kind event).
 */
function diff(a: Watched, b: Watched): IncidentEvent[] {
  const status = a.status && b.status ? statusEvent(a.status, b.status, b.notes) : undefined;
  const events: IncidentEvent[] = [];
  if (status?.kind === 'reopened') events.push(status);
  if (a.severity && b.severity && a.severity !== b.severity) {
    events.push({ kind: 'severity', from: a.severity, to: b.severity });
  }
  if (a.lead !== undefined && b.lead !== undefined && a.lead !== b.lead) {
    events.push({ kind: 'lead', from: a.lead, to: b.lead });
  }
  const linked = missingFrom(b.results, a.results);
  if (linked.length) events.push({ kind: 'linked', results: linked });
  const unlinked = missingFrom(a.results, b.results);
  if (unlinked.length) events.push({ kind: 'unlinked', results: unlinked });
  if (status && status.kind !== 'reopened') events.push(status);
  return events;
}

/** The baseline `after` is compared with: `before`, or the initial state when the server never saw it. */
function baseline(before: unknown, after: Fields, now: Watched): Watched {
  if (before === null || before === undefined) return initialState(after, now);
  // A corrupt stored state counts as seen-but-unknown: announcing `created` again would open a
  // second Slack channel and Jira issue, which is worse than one superfluous `linked` card.
  return watch(isObject(before) ? before : {});
}

/**
 * The events that take an incident from `before` (null: the server has not seen it) to `after`
 * (null: it is gone or unreadable — no events; the server repairs deletions elsewhere). Pure and
 * total: odd input yields fewer events, never an exception. Rules W1-W10 in shared/SPEC.md.
 */
export function incidentEvents(before: Incident | null, after: Incident | null): IncidentEvent[] {
  if (!isObject(after)) return [];
  const now = watch(after);
  const base = baseline(before, after, now);
  const events = diff(base, settle(base, now));
  return before === null || before === undefined ? [{ kind: 'created' }, ...events] : events;
}

/**
 * The state the server should store as "last processed" after running `incidentEvents(before,
 * after)`: `after`, except that a status, severity or lead outside the vocabulary keeps the
 * previous valid value — so when a client writes garbage and someone later sets a real value, the
 * transition is announced from the last real one, not lost. A vanished incident keeps `before`,
 * so restoring it does not announce it as created again.
 */
export function processedState(before: Incident | null, after: Incident | null): Incident | null {
  if (!isObject(after)) return before;
  const now = watch(after);
  const settled = settle(baseline(before, after, now), now);
  return {
    ...after,
    status: settled.status ?? after.status,
    severity: settled.severity ?? after.severity,
    leadId: settled.lead === undefined ? after.leadId : settled.lead
  };
}
