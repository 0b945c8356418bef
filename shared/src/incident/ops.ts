import * as Y from 'yjs';
import { LOCAL, type Origin, type Severity, type Status } from '../vocab.ts';
import { ulid } from '../ids.ts';
import { diffSpan } from '../text.ts';
import { getIncidentMap, incidentsMap, type IncidentMap } from './doc.ts';
import {
  IncidentCreateSchema,
  SeveritySchema,
  StatusSchema,
  type IncidentCreate,
  type LinkedResult,
  type TimelineEvent,
  type TimelineKind
} from './schema.ts';

/**
 * Every change to an incident is one function here: it writes the fields and appends the
 * timeline event in one `doc.transact`, so a replica never sees a change without its history.
 * The browser and the server call these same functions.
 */

export class DomainError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid',
    message: string
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface OpOptions {
  /** ISO timestamp of the change; defaults to now. Tests and the demo seeder pass their own. */
  at?: string;
  origin?: Origin;
}

/** Consecutive description edits by one person within this window share one timeline entry. */
const DESCRIPTION_EDIT_COALESCE_MS = 10 * 60_000;

function nowIso(opts?: OpOptions): string {
  return opts?.at ?? new Date().toISOString();
}

function mustGet(doc: Y.Doc, id: string): IncidentMap {
  const m = getIncidentMap(doc, id);
  if (!m) throw new DomainError('not_found', `No incident ${id}`);
  return m;
}

function pushEvent(m: IncidentMap, kind: TimelineKind, by: string, at: string, from?: unknown, to?: unknown) {
  const ev: TimelineEvent = { id: ulid(Date.parse(at) || Date.now()), at, by, kind };
  if (from !== undefined) ev.from = from;
  if (to !== undefined) ev.to = to;
  (m.get('timeline') as Y.Array<TimelineEvent>).push([ev]);
  m.set('updatedAt', at);
}

/** Replaces the content of a Y.Text with the smallest delete+insert, so concurrent typing merges. */
export function replaceText(t: Y.Text, next: string): boolean {
  const prev = t.toString();
  if (prev === next) return false;
  const { start, endPrev, endNext } = diffSpan(prev, next);
  if (endPrev > start) t.delete(start, endPrev - start);
  if (endNext > start) t.insert(start, next.slice(start, endNext));
  return true;
}

export function createIncident(doc: Y.Doc, input: IncidentCreate, by: string, opts?: OpOptions): string {
  const parsed = IncidentCreateSchema.safeParse(input);
  if (!parsed.success) throw new DomainError('invalid', parsed.error.issues.map((i) => i.message).join('; '));
  const data = parsed.data;
  const at = nowIso(opts);
  const id = data.id ?? ulid(Date.parse(at) || Date.now());
  if (getIncidentMap(doc, id)) throw new DomainError('invalid', `Incident ${id} already exists`);
  doc.transact(() => {
    const m: IncidentMap = new Y.Map();
    incidentsMap(doc).set(id, m);
    m.set('id', id);
    m.set('title', data.title);
    m.set('severity', data.severity);
    m.set('status', 'reported');
    m.set('leadId', data.leadId);
    m.set('reporterId', by);
    m.set('createdAt', at);
    m.set('updatedAt', at);
    m.set('resolvedAt', null);
    m.set('description', new Y.Text(data.description));
    m.set('resolutionNotes', new Y.Text());
    const results = new Y.Map<LinkedResult>();
    m.set('results', results);
    for (const r of data.results) results.set(r.resultId, { checkId: r.checkId, linkedAt: at, linkedBy: by });
    m.set('timeline', new Y.Array<TimelineEvent>());
    pushEvent(m, 'created', by, at, undefined, { title: data.title, severity: data.severity });
  }, opts?.origin ?? LOCAL);
  return id;
}

function setScalar(
  doc: Y.Doc,
  id: string,
  key: 'title' | 'severity' | 'leadId',
  kind: TimelineKind,
  value: string | null,
  by: string,
  opts?: OpOptions
): boolean {
  const m = mustGet(doc, id);
  const prev = m.get(key) ?? null;
  if (prev === value) return false;
  doc.transact(() => {
    m.set(key, value);
    pushEvent(m, kind, by, nowIso(opts), prev, value);
  }, opts?.origin ?? LOCAL);
  return true;
}

export function setTitle(doc: Y.Doc, id: string, title: string, by: string, opts?: OpOptions): boolean {
  // The same rule as on create (trimmed, 1-300 characters), so a rename cannot bypass it.
  const parsed = IncidentCreateSchema.shape.title.safeParse(title);
  if (!parsed.success) throw new DomainError('invalid', parsed.error.issues.map((i) => i.message).join('; '));
  return setScalar(doc, id, 'title', 'title', parsed.data, by, opts);
}

export function setSeverity(doc: Y.Doc, id: string, severity: Severity, by: string, opts?: OpOptions): boolean {
  if (!SeveritySchema.safeParse(severity).success) throw new DomainError('invalid', `Unknown severity ${severity}`);
  return setScalar(doc, id, 'severity', 'severity', severity, by, opts);
}

export function setLead(doc: Y.Doc, id: string, leadId: string | null, by: string, opts?: OpOptions): boolean {
  return setScalar(doc, id, 'leadId', 'lead', leadId, by, opts);
}

/**
 * Moves an incident to `status`. Resolving records `resolvedAt` and the resolution notes;
 * leaving Resolved reopens it (clears `resolvedAt`, keeps the notes as history).
 */
export function setStatus(
  doc: Y.Doc,
  id: string,
  status: Status,
  by: string,
  opts?: OpOptions & { resolutionNotes?: string }
): boolean {
  if (!StatusSchema.safeParse(status).success) throw new DomainError('invalid', `Unknown status ${status}`);
  const m = mustGet(doc, id);
  const prev = m.get('status');
  if (prev === status) return false;
  const at = nowIso(opts);
  doc.transact(() => {
    m.set('status', status);
    if (status === 'resolved') {
      m.set('resolvedAt', at);
      if (opts?.resolutionNotes !== undefined) replaceText(m.get('resolutionNotes') as Y.Text, opts.resolutionNotes);
    } else if (prev === 'resolved') {
      m.set('resolvedAt', null);
    }
    pushEvent(m, 'status', by, at, prev, status);
  }, opts?.origin ?? LOCAL);
  return true;
}

function editText(
  doc: Y.Doc,
  id: string,
  key: 'description' | 'resolutionNotes',
  next: string,
  by: string,
  opts?: OpOptions
) {
  const m = mustGet(doc, id);
  const t = m.get(key);
  if (!(t instanceof Y.Text)) throw new DomainError('invalid', `Incident ${id} has no ${key}`);
  if (t.toString() === next) return false;
  const at = nowIso(opts);
  doc.transact(() => {
    replaceText(t, next);
    if (key !== 'description') return m.set('updatedAt', at);
    const timeline = m.get('timeline') as Y.Array<TimelineEvent>;
    const last = timeline.length ? timeline.get(timeline.length - 1) : undefined;
    const coalesce =
      last?.kind === 'description' &&
      last.by === by &&
      Date.parse(at) - Date.parse(last.at) < DESCRIPTION_EDIT_COALESCE_MS;
    if (coalesce) m.set('updatedAt', at);
    else pushEvent(m, 'description', by, at);
  }, opts?.origin ?? LOCAL);
  return true;
}

export function setDescription(doc: Y.Doc, id: string, description: string, by: string, opts?: OpOptions): boolean {
  return editText(doc, id, 'description', description, by, opts);
}

export function setResolutionNotes(doc: Y.Doc, id: string, notes: string, by: string, opts?: OpOptions): boolean {
  return editText(doc, id, 'resolutionNotes', notes, by, opts);
}

export function linkResult(
  doc: Y.Doc,
  id: string,
  result: { resultId: string; checkId: string },
  by: string,
  opts?: OpOptions
): boolean {
  const m = mustGet(doc, id);
  const results = m.get('results') as Y.Map<LinkedResult>;
  if (results.has(result.resultId)) return false;
  const at = nowIso(opts);
  doc.transact(() => {
    results.set(result.resultId, { checkId: result.checkId, linkedAt: at, linkedBy: by });
    pushEvent(m, 'linked', by, at, undefined, result);
  }, opts?.origin ?? LOCAL);
  return true;
}

/** The `by` of what the server does on its own (grouping, auto-resolve): shown as "Firebreak". */
export const SERVER_ACTOR = 'firebreak';

/**
 * Links several results at once with one timeline entry (the server's grouping: "Firebreak
 * linked 2 new failing results from scan <name>"). Results already linked are skipped; returns
 * how many were linked.
 */
export function linkResults(
  doc: Y.Doc,
  id: string,
  results: ReadonlyArray<{ resultId: string; checkId: string }>,
  by: string,
  opts?: OpOptions & { scan?: { id: string; name: string } }
): number {
  const m = mustGet(doc, id);
  const linked = m.get('results') as Y.Map<LinkedResult>;
  const fresh = results.filter((r, i) => !linked.has(r.resultId) && results.findIndex((x) => x.resultId === r.resultId) === i);
  if (!fresh.length) return 0;
  const at = nowIso(opts);
  doc.transact(() => {
    for (const r of fresh) linked.set(r.resultId, { checkId: r.checkId, linkedAt: at, linkedBy: by });
    pushEvent(m, 'linked', by, at, undefined, {
      results: fresh.map((r) => ({ resultId: r.resultId, checkId: r.checkId })),
      ...(opts?.scan ? { scan: opts.scan } : {})
    });
  }, opts?.origin ?? LOCAL);
  return fresh.length;
}

export function unlinkResult(doc: Y.Doc, id: string, resultId: string, by: string, opts?: OpOptions): boolean {
  const m = mustGet(doc, id);
  const results = m.get('results') as Y.Map<LinkedResult>;
  const prev = results.get(resultId);
  if (!prev) return false;
  doc.transact(() => {
    results.delete(resultId);
    pushEvent(m, 'unlinked', by, nowIso(opts), { resultId, checkId: prev.checkId });
  }, opts?.origin ?? LOCAL);
  return true;
}
