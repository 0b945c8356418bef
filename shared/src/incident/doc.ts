import * as Y from 'yjs';
import type { Severity, Status } from '../vocab.ts';
import type { Incident, LinkedResult, TimelineEvent } from './schema.ts';

/**
 * Layout of the workspace document (room `<workspaceId>`), written by teammates' browsers.
 *
 *   incidents: Y.Map<incidentId, Y.Map>   one map per incident:
 *     id, title, severity, status, leadId, reporterId, createdAt, updatedAt, resolvedAt  plain values
 *     description, resolutionNotes                                                       Y.Text
 *     results: Y.Map<resultId, LinkedResult>   a set, so concurrent link/unlink merge
 *     timeline: Y.Array<TimelineEvent>         append-only
 */
export const INCIDENTS_KEY = 'incidents';

export type IncidentMap = Y.Map<unknown>;

export function incidentsMap(doc: Y.Doc): Y.Map<IncidentMap> {
  return doc.getMap<IncidentMap>(INCIDENTS_KEY);
}

export function getIncidentMap(doc: Y.Doc, id: string): IncidentMap | undefined {
  return incidentsMap(doc).get(id);
}

function str(m: IncidentMap, key: string, fallback = ''): string {
  const v = m.get(key);
  return typeof v === 'string' ? v : fallback;
}

function text(m: IncidentMap, key: string): string {
  const v = m.get(key);
  return v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '';
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Reads one incident into a plain object (never throws on a partially synced map). */
export function readIncident(m: IncidentMap): Incident {
  const results = m.get('results');
  const timeline = m.get('timeline');
  const linked: Incident['results'] = [];
  if (results instanceof Y.Map) {
    for (const [resultId, v] of results.entries()) linked.push({ resultId, ...(v as LinkedResult) });
    // Y.Map iteration follows local arrival order, which differs between replicas: break ties by id.
    linked.sort((a, b) => cmp(a.linkedAt, b.linkedAt) || cmp(a.resultId, b.resultId));
  }
  const lead = m.get('leadId');
  const resolvedAt = m.get('resolvedAt');
  return {
    id: str(m, 'id'),
    title: str(m, 'title'),
    severity: str(m, 'severity', 'minor') as Severity,
    status: str(m, 'status', 'reported') as Status,
    leadId: typeof lead === 'string' ? lead : null,
    reporterId: str(m, 'reporterId'),
    createdAt: str(m, 'createdAt'),
    updatedAt: str(m, 'updatedAt'),
    resolvedAt: str(m, 'status') === 'resolved' && typeof resolvedAt === 'string' ? resolvedAt : null,
    description: text(m, 'description'),
    resolutionNotes: text(m, 'resolutionNotes'),
    results: linked,
    timeline: timeline instanceof Y.Array ? (timeline.toArray() as TimelineEvent[]) : []
  };
}

/** Every incident in the document, unsorted. */
export function listIncidents(doc: Y.Doc): Incident[] {
  const out: Incident[] = [];
  for (const m of incidentsMap(doc).values()) out.push(readIncident(m));
  return out;
}
