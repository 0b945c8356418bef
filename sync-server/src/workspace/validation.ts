import * as Y from 'yjs';
import {
  INCIDENTS_KEY,
  IncidentCreateSchema,
  incidentsMap,
  isSystemRoom,
  LinkedResultSchema,
  parseIncident,
  SERVER,
  SEVERITIES,
  isResolutionReason,
  STATUSES,
  TimelineEventSchema,
  type Incident,
  type IncidentMap,
  type LinkedResult,
  type TimelineEvent
} from '@firebreak/shared';
import type { Logger } from 'pino';
import type { Room } from '../relay/room.ts';
import type { ChangeEvent, Extension } from '../relay/extension.ts';
import type { ConnectionContext } from '../relay/types.ts';

export interface ValidationOptions {
  log: Logger;
  /** Whether `memberId` is an active member of the workspace (a lead must be one). */
  isMember(workspaceId: string, memberId: string): boolean;
}

/** A repair writes once; a repair that would need repairing again points at a bug, not at a client. */
const MAX_REPAIR_DEPTH = 3;

/** The incident ids a transaction touched: keys of `incidents`, and the incidents nested types belong to. */
export function touchedIncidents(doc: Y.Doc, txn: Y.Transaction): Set<string> {
  const incidents = incidentsMap(doc) as unknown as Y.AbstractType<unknown>;
  const ids = new Set<string>();
  for (const [type, keys] of txn.changed) {
    if ((type as unknown) === incidents) {
      for (const k of keys) if (typeof k === 'string') ids.add(k);
      continue;
    }
    // Climb to the child of `incidents` this type sits in (results, timeline, texts, or the map itself).
    let t: Y.AbstractType<unknown> | null = type as Y.AbstractType<unknown>;
    while (t && t._item) {
      const parent = t._item.parent as Y.AbstractType<unknown>;
      if (parent === incidents) {
        if (typeof t._item.parentSub === 'string') ids.add(t._item.parentSub);
        break;
      }
      t = parent;
    }
  }
  return ids;
}

/**
 * Accept and compensate: browsers write incidents directly, so the server checks every client
 * transaction against the schema and the writer's identity, and repairs what is wrong with a
 * compensating update of its own (logged with the member who did it). Other browsers see the
 * repair in the same broadcast frame as the bad write (the relay merges a batch), and read
 * incidents through the zod schema anyway, so nothing a client writes can break them.
 *
 * Repairs: a non-incident value or a deleted incident is restored from the last valid state the
 * server saw (or removed when there was none); an unknown status or severity, a field of the
 * wrong type, a lead who is not a member are set back to their last valid value; timeline entries
 * that do not parse are removed, and a `by` (or `linkedBy`, `reporterId`) naming someone other
 * than the connection's member is rewritten to that member.
 */
export function validationExtension(opts: ValidationOptions): Extension {
  /** Per room: the last valid state of every incident, to restore from. */
  const valid = new WeakMap<Room, Map<string, Incident>>();
  const depth = new WeakMap<Room, number>();

  const repair = (room: Room, ids: Iterable<string>, context: ConnectionContext | null) => {
    const cache = valid.get(room);
    if (!cache) return;
    const incidents = incidentsMap(room.doc);
    const fixes: Array<() => void> = [];
    const notes: string[] = [];
    for (const id of ids) {
      const value = incidents.get(id);
      const before = cache.get(id);
      if (!(value instanceof Y.Map)) {
        if (before) {
          notes.push(`${id}: ${value === undefined ? 'deleted' : 'overwritten'}; restored`);
          fixes.push(() => incidents.set(id, buildIncident(before)));
        } else if (value !== undefined || incidents.has(id)) {
          notes.push(`${id}: not an incident; removed`);
          fixes.push(() => incidents.delete(id));
        }
        continue;
      }
      const m = value as IncidentMap;
      const found = fieldRepairs(room.workspaceId, id, m, before, context, opts);
      notes.push(...found.notes);
      fixes.push(...found.fixes);
    }
    if (fixes.length) {
      const level = depth.get(room) ?? 0;
      if (level >= MAX_REPAIR_DEPTH) {
        opts.log.error({ room: room.name, notes }, 'repairs did not settle; leaving the document as it is');
        return;
      }
      opts.log.warn(
        { room: room.name, member: context?.member.id ?? null, repairs: notes },
        'repaired an invalid incident write'
      );
      depth.set(room, level + 1);
      try {
        room.doc.transact(() => fixes.forEach((f) => f()), SERVER);
      } finally {
        depth.set(room, level);
      }
    }
    for (const id of ids) {
      const read = parseIncident(id, incidents.get(id));
      if (read.ok) cache.set(id, read.incident);
      else if (!incidents.has(id)) cache.delete(id);
    }
  };

  return {
    name: 'validation',
    onLoad(room) {
      if (isSystemRoom(room.name) || !room.clientWritable) return;
      valid.set(room, new Map());
      // Whatever was stored before these rules (or by an older server) is checked once on load.
      repair(room, [...incidentsMap(room.doc).keys()], null);
    },
    onChange({ room, txn, context }: ChangeEvent) {
      if (!valid.has(room)) return;
      const ids = touchedIncidents(room.doc, txn);
      if (ids.size) repair(room, ids, context);
    },
    onUnload(room) {
      valid.delete(room);
    }
  };
}

function fieldRepairs(
  workspaceId: string,
  id: string,
  m: IncidentMap,
  before: Incident | undefined,
  context: ConnectionContext | null,
  opts: ValidationOptions
): { fixes: Array<() => void>; notes: string[] } {
  const fixes: Array<() => void> = [];
  const notes: string[] = [];
  const fix = (note: string, f: () => void) => {
    notes.push(`${id}: ${note}`);
    fixes.push(f);
  };
  const actor = context?.member.id ?? null;
  const str = (k: string) => (typeof m.get(k) === 'string' ? (m.get(k) as string) : null);

  if (m.get('id') !== id) fix('id did not match its key', () => m.set('id', id));
  const title = str('title');
  // The rule setTitle and create enforce (trimmed, 1-300 characters): the read schema takes any
  // string, so checking against it let an attacker's 301-character or empty title stand.
  if (title === null || !IncidentCreateSchema.shape.title.safeParse(title).success || title.trim() !== title)
    fix('invalid title', () => m.set('title', before?.title ?? (title?.trim().slice(0, 300) || 'Untitled incident')));
  if (!SEVERITIES.includes(m.get('severity') as never))
    fix('unknown severity', () => m.set('severity', before?.severity ?? 'minor'));
  if (!STATUSES.includes(m.get('status') as never))
    fix('unknown status', () => m.set('status', before?.status ?? 'reported'));
  const lead = m.get('leadId');
  if (lead !== null && (typeof lead !== 'string' || (lead !== before?.leadId && !opts.isMember(workspaceId, lead))))
    fix('lead is not a member', () => m.set('leadId', before?.leadId ?? null));
  const reporter = str('reporterId');
  if (reporter === null || (!before && actor && reporter !== actor) || (before && reporter !== before.reporterId))
    fix('reporter did not match who created it', () => m.set('reporterId', before?.reporterId ?? actor ?? 'unknown'));
  for (const k of ['createdAt', 'updatedAt'] as const) {
    const v = str(k);
    if (v === null || Number.isNaN(Date.parse(v)))
      fix(`invalid ${k}`, () => m.set(k, before?.[k] ?? new Date().toISOString()));
  }
  if (before && m.get('createdAt') !== before.createdAt && str('createdAt') !== null)
    fix('createdAt changed', () => m.set('createdAt', before.createdAt));
  const resolvedAt = m.get('resolvedAt');
  if (resolvedAt !== null && resolvedAt !== undefined && typeof resolvedAt !== 'string')
    fix('invalid resolvedAt', () => m.set('resolvedAt', before?.resolvedAt ?? null));
  const reason = m.get('resolutionReason');
  if (reason !== undefined && reason !== null && !isResolutionReason(reason))
    fix('unknown resolution reason', () => m.set('resolutionReason', before?.resolutionReason ?? null));
  for (const k of ['description', 'resolutionNotes'] as const) {
    const v = m.get(k);
    if (!(v instanceof Y.Text))
      fix(`${k} is not text`, () => m.set(k, new Y.Text(before?.[k] ?? (typeof v === 'string' ? v : ''))));
  }

  const results = m.get('results');
  if (!(results instanceof Y.Map)) {
    fix('results is not a map', () => m.set('results', buildResults(before?.results ?? [])));
  } else {
    const known = new Set(before?.results.map((r) => r.resultId));
    for (const [resultId, v] of (results as Y.Map<unknown>).entries()) {
      const parsed = LinkedResultSchema.safeParse(v);
      if (!parsed.success) fix(`invalid linked result ${resultId}`, () => results.delete(resultId));
      else if (actor && !known.has(resultId) && parsed.data.linkedBy !== actor)
        fix(`linked result ${resultId} named someone else as linker`, () =>
          results.set(resultId, { ...parsed.data, linkedBy: actor } satisfies LinkedResult)
        );
    }
  }

  const timeline = m.get('timeline');
  if (!(timeline instanceof Y.Array)) {
    fix('timeline is not a list', () => m.set('timeline', buildTimeline(before?.timeline ?? [])));
  } else {
    const known = new Set(before?.timeline.map((e) => e.id));
    const seen = new Set<string>();
    const entries = (timeline as Y.Array<unknown>).toArray();
    // Indexes to delete (from the end, so earlier indexes stay valid) and corrected copies to insert.
    const edits: Array<{ index: number; replace: TimelineEvent | null }> = [];
    entries.forEach((raw, index) => {
      const parsed = TimelineEventSchema.safeParse(raw);
      if (!parsed.success || Number.isNaN(Date.parse(parsed.data.at)) || seen.has(parsed.data.id)) {
        edits.push({ index, replace: null });
        return;
      }
      seen.add(parsed.data.id);
      if (actor && !known.has(parsed.data.id) && parsed.data.by !== actor)
        edits.push({ index, replace: { ...parsed.data, by: actor } });
    });
    if (edits.length) {
      fix(`${edits.length} timeline entr${edits.length === 1 ? 'y' : 'ies'} invalid or naming someone else`, () => {
        for (const e of edits.reverse()) {
          timeline.delete(e.index, 1);
          if (e.replace) timeline.insert(e.index, [e.replace]);
        }
      });
    }
    const missing = before?.timeline.filter((e) => !seen.has(e.id)) ?? [];
    if (missing.length) fix('timeline entries were deleted; restored', () => timeline.push(missing));
  }
  return { fixes, notes };
}

function buildResults(results: Incident['results']): Y.Map<LinkedResult> {
  const map = new Y.Map<LinkedResult>();
  for (const r of results) map.set(r.resultId, { checkId: r.checkId, linkedAt: r.linkedAt, linkedBy: r.linkedBy });
  return map;
}

function buildTimeline(events: TimelineEvent[]): Y.Array<TimelineEvent> {
  const arr = new Y.Array<TimelineEvent>();
  arr.push(events);
  return arr;
}

/** A fresh incident map holding `inc` (its history included), to put back what a client destroyed. */
function buildIncident(inc: Incident): IncidentMap {
  const m: IncidentMap = new Y.Map();
  m.set('id', inc.id);
  m.set('title', inc.title);
  m.set('severity', inc.severity);
  m.set('status', inc.status);
  m.set('leadId', inc.leadId);
  m.set('reporterId', inc.reporterId);
  m.set('createdAt', inc.createdAt);
  m.set('updatedAt', inc.updatedAt);
  m.set('resolvedAt', inc.resolvedAt);
  m.set('description', new Y.Text(inc.description));
  m.set('resolutionNotes', new Y.Text(inc.resolutionNotes));
  if (inc.resolutionReason) m.set('resolutionReason', inc.resolutionReason);
  m.set('results', buildResults(inc.results));
  m.set('timeline', buildTimeline(inc.timeline));
  return m;
}

export { INCIDENTS_KEY };
