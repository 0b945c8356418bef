import * as Y from 'yjs';
import {
  incidentEvents,
  incidentsMap,
  isSystemRoom,
  parseIncident,
  processedState,
  type Incident,
  type IncidentEvent
} from '@firebreak/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import type { Extension } from '../relay/extension.ts';
import type { Room } from '../relay/room.ts';
import type { IntegrationStore } from './integration-store.ts';
import type { Outbox } from './outbox-store.ts';

/**
 * The watcher: every applied update of a workspace document is compared, per touched incident,
 * with the last state the server processed (table incident_state); the net events become one
 * outbox row per enabled integration, written in the same store transaction as the update itself
 * (the relay's `onStore`), so an event is recorded exactly once whatever crashes or reloads.
 *
 * Only changes to the watched fields mark an incident as touched (status, severity, lead, linked
 * results, the incident itself appearing or being replaced): typing a description costs nothing.
 */
export interface WatcherDeps {
  db: Db;
  integrations: IntegrationStore;
  outbox: Outbox;
  log: Logger;
  now?: () => Date;
}

/** Keys of an incident map whose change can produce an event. */
const WATCHED_KEYS = new Set(['status', 'severity', 'leadId', 'results', 'resolutionNotes']);

interface StateRow {
  state: string;
  events: number;
}

export function watcherExtension(deps: WatcherDeps): Extension {
  const now = () => deps.now?.() ?? new Date();
  const touchedByRoom = new WeakMap<Room, Set<string>>();
  const s = {
    get: deps.db.prepare<[string, string], StateRow>(
      'SELECT state, events FROM incident_state WHERE workspace_id = ? AND incident_id = ?'
    ),
    put: deps.db.prepare(
      `INSERT INTO incident_state (workspace_id, incident_id, state, events, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(workspace_id, incident_id) DO UPDATE SET state = excluded.state, events = excluded.events,
         updated_at = excluded.updated_at`
    ),
    baselined: deps.db.prepare<[string, string], { n: number }>(
      'SELECT 1 AS n FROM watcher_rooms WHERE workspace_id = ? AND room = ?'
    ),
    markBaseline: deps.db.prepare(
      'INSERT OR IGNORE INTO watcher_rooms (workspace_id, room, baseline_at) VALUES (?, ?, ?)'
    )
  };

  /** Diffs one incident against its processed state; records the state and the outbox rows. */
  const process = (room: Room, id: string, announce: boolean) => {
    const read = parseIncident(id, incidentsMap(room.doc).get(id));
    // Unreadable: validation repairs it (a repair touches it again); a vanished one keeps its state.
    if (!read.ok) return;
    const row = s.get.get(room.workspaceId, id);
    const before = row ? (JSON.parse(row.state) as Incident) : null;
    const events = announce ? incidentEvents(before, read.incident) : [];
    if (row && !events.length) return;
    const state = processedState(before, read.incident);
    const first = row?.events ?? 0;
    s.put.run(room.workspaceId, id, JSON.stringify(state), first + events.length, now().toISOString());
    if (events.length) enqueue(room.workspaceId, id, events, first);
  };

  const enqueue = (workspaceId: string, incidentId: string, events: IncidentEvent[], first: number) => {
    const integrations = deps.integrations.enabled(workspaceId);
    if (!integrations.length) return;
    const at = now().toISOString();
    events.forEach((change, i) => {
      for (const integration of integrations)
        deps.outbox.enqueue({
          workspaceId,
          integrationId: integration.id,
          subject: incidentId,
          event: { type: 'incident', change, at },
          key: `${workspaceId}/${incidentId}/${first + i + 1}/${integration.id}`
        });
    });
  };

  return {
    name: 'watcher',
    onLoad(room) {
      if (isSystemRoom(room.name)) return;
      if (s.baselined.get(room.workspaceId, room.name)) return;
      // First load since integrations exist: what is already there is history, not news.
      deps.db.transaction(() => {
        for (const id of incidentsMap(room.doc).keys()) process(room, id, false);
        s.markBaseline.run(room.workspaceId, room.name, now().toISOString());
      })();
    },
    onChange({ room, txn }) {
      if (isSystemRoom(room.name)) return;
      const ids = touchedIncidents(room.doc, txn);
      if (!ids.size) return;
      let touched = touchedByRoom.get(room);
      if (!touched) touchedByRoom.set(room, (touched = new Set()));
      for (const id of ids) touched.add(id);
    },
    onStore({ room }) {
      const touched = touchedByRoom.get(room);
      if (!touched?.size) return;
      const ids = [...touched];
      for (const id of ids) process(room, id, true);
      // Forgotten only once the batch's transaction is over: a rolled-back batch is retried by the
      // relay room by room within the same turn, and must see the same incidents again.
      queueMicrotask(() => {
        for (const id of ids) touched.delete(id);
      });
    }
  };
}

/** Ids of incidents whose watched fields this transaction changed. */
export function touchedIncidents(doc: Y.Doc, txn: Y.Transaction): Set<string> {
  const incidents = incidentsMap(doc) as unknown as Y.AbstractType<any>;
  const ids = new Set<string>();
  for (const [type, keys] of txn.changed) {
    if (type === incidents) {
      for (const k of keys) if (k) ids.add(k);
      continue;
    }
    // Walk up to the incident map (the direct child of `incidents`), remembering the key below it.
    let child: Y.AbstractType<any> | null = null;
    let t: Y.AbstractType<any> = type;
    while (t._item && t._item.parent !== incidents) {
      child = t;
      t = t._item.parent as Y.AbstractType<any>;
    }
    const item = t._item;
    if (!item || item.parent !== incidents || typeof item.parentSub !== 'string') continue;
    if (child === null) {
      // The incident map's own keys changed.
      for (const k of keys) if (k && WATCHED_KEYS.has(k)) ids.add(item.parentSub);
    } else {
      const key = child._item?.parentSub;
      if (key === 'results') ids.add(item.parentSub);
    }
  }
  return ids;
}
