import * as Y from 'yjs';
import { isResolutionReason, type ResolutionReason, type Severity, type Status } from '../vocab.ts';
import { IncidentSchema, LinkedResultSchema, TimelineEventSchema } from './schema.ts';
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
    resolutionReason: isResolutionReason(m.get('resolutionReason'))
      ? (m.get('resolutionReason') as ResolutionReason)
      : null,
    results: linked,
    timeline: timeline instanceof Y.Array ? (timeline.toArray() as TimelineEvent[]) : []
  };
}

/** Every incident in the document that reads cleanly, unsorted (see `parseIncident`). */
export function listIncidents(doc: Y.Doc): Incident[] {
  const out: Incident[] = [];
  for (const [id, m] of incidentsMap(doc).entries()) {
    const read = parseIncident(id, m);
    if (read.ok) out.push(read.incident);
  }
  return out;
}

export type ParsedIncident = { ok: true; incident: Incident } | { ok: false; id: string; problems: string[] };

/**
 * Reads an entry of the `incidents` map through the zod schema, whatever a client wrote there.
 * Entries of the timeline and of the linked results that do not parse (null, dateless, a
 * duplicate id) are left out rather than failing the incident; anything else that does not parse
 * (not a map, an unknown status or severity, a field of the wrong type) makes it unreadable, and
 * callers show a placeholder until the server has repaired it.
 */
export function parseIncident(id: string, value: unknown): ParsedIncident {
  if (!(value instanceof Y.Map)) return { ok: false, id, problems: ['not an incident map'] };
  const m = value as IncidentMap;
  const problems: string[] = [];
  const raw = readIncident(m);
  const timeline = m.get('timeline');
  const events: TimelineEvent[] = [];
  if (timeline instanceof Y.Array) {
    const seen = new Set<string>();
    for (const ev of timeline.toArray()) {
      const parsed = TimelineEventSchema.safeParse(ev);
      if (!parsed.success || seen.has(parsed.data.id) || Number.isNaN(Date.parse(parsed.data.at))) continue;
      seen.add(parsed.data.id);
      events.push(parsed.data);
    }
  } else problems.push('timeline is not a list');
  const results = m.get('results');
  const linked: Incident['results'] = [];
  if (results instanceof Y.Map) {
    for (const [resultId, v] of results.entries()) {
      const parsed = LinkedResultSchema.safeParse(v);
      if (parsed.success) linked.push({ resultId, ...parsed.data });
    }
    linked.sort((a, b) => cmp(a.linkedAt, b.linkedAt) || cmp(a.resultId, b.resultId));
  } else problems.push('results is not a map');
  for (const key of ['description', 'resolutionNotes']) {
    if (!(m.get(key) instanceof Y.Text)) problems.push(`${key} is not text`);
  }
  for (const key of ['id', 'title', 'severity', 'status', 'reporterId', 'createdAt', 'updatedAt']) {
    if (typeof m.get(key) !== 'string') problems.push(`${key} is not a string`);
  }
  const lead = m.get('leadId');
  if (lead !== null && lead !== undefined && typeof lead !== 'string') problems.push('leadId is not a member id');
  const parsed = IncidentSchema.safeParse({ ...raw, id, results: linked, timeline: events });
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(`${i.path.join('.')}: ${i.message}`);
  if (problems.length) return { ok: false, id, problems };
  return { ok: true, incident: parsed.data! };
}
