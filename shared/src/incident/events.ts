import type { Severity, Status } from '../vocab.ts';
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
 * The events that take an incident from `before` (null: the server has not seen it) to `after`
 * (null: it is gone or unreadable). Pure; see events.test.ts.
 */
export function incidentEvents(_before: Incident | null, _after: Incident | null): IncidentEvent[] {
  throw new Error('not implemented yet');
}
