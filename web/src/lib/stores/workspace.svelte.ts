import * as Y from 'yjs';
import {
  catalogVersion,
  createIncident,
  incidentLinks,
  incidentsMap,
  integrationsList,
  isOrigin,
  linkResult,
  linksMap,
  membersMap,
  metaMap,
  numbersMap,
  parseIncident,
  setDescription,
  setLead,
  setResolutionNotes,
  setSeverity,
  setStatus,
  resolveIncident,
  setTitle,
  systemRoomName,
  unlinkResult,
  type Incident,
  type ParsedIncident,
  type IncidentCreate,
  type IntegrationLink,
  type IntegrationSummary,
  type Member,
  type Severity,
  type Status,
  type ResolutionReason
} from '@firebreak/shared';
import type { IncidentSummary } from '../incidents/list.ts';
import { IncidentCache, type IncidentSnapshot } from './incident-cache.ts';
import { readSummary, sameSummary } from './incident-summary.ts';
import { Signal } from './signal.svelte.ts';
import { SyncConnection, type SyncState } from './sync-connection.svelte.ts';

export type { SyncState };

const isLocal = (origin: unknown) => isOrigin(origin) && origin.kind === 'local';

/**
 * The workspace document (incidents, writable) and the system document (numbers, members,
 * integration links, catalog version; read-only here), loaded from IndexedDB first and then
 * synced over the relay. Reads are reactive getters; writes go through the shared domain
 * functions with the current member as author. Until the documents are loaded, the dashboard
 * reads come from the last snapshot (see IncidentCache).
 */
export class Workspace {
  readonly id: string;
  /** The workspace's display name, as the session last said. */
  name = $state('');
  readonly #doc = new Y.Doc();
  readonly #sys = new Y.Doc();
  readonly #cache: IncidentCache;
  /** Started in the constructor: the mirror's read overlaps the app's start-up. */
  readonly #cached: Promise<IncidentSnapshot | null>;
  readonly #connection: SyncConnection;
  #cleanup: Array<() => void> = [];
  #actor = $state.raw<Member | null>(null);
  #destroyed = false;

  /** The workspace document has been read from IndexedDB (it may still be empty). */
  loaded = $state(false);
  #sysLoaded = false;
  /** Dashboard data from the snapshot while the documents load; null once they have. */
  #snapshot = $state.raw<IncidentSnapshot | null>(null);

  // Incident summaries, kept up to date incrementally from observeDeep events.
  #summaries = new Map<string, IncidentSummary>();
  #list: IncidentSummary[] = [];
  #listDirty = false;
  #byCheck: Map<string, IncidentSummary[]> | null = null;
  #byResult: Map<string, IncidentSummary[]> | null = null;
  #listSignal = new Signal();
  // Full incidents (detail page), re-read only for the incident an event touched.
  #full = new Map<string, ParsedIncident>();
  #incidentSignals = new Map<string, Signal>();

  #numbers: Map<string, number> | null = null;
  #numbersSignal = new Signal();
  #members: Map<string, Member> | null = null;
  #memberList: Member[] | null = null;
  #membersSignal = new Signal();
  #linksSignal = new Signal();
  #metaSignal = new Signal();
  #integrations: IntegrationSummary[] | null = null;

  constructor(workspaceId: string) {
    this.id = workspaceId;
    this.#connection = new SyncConnection(workspaceId);
    this.#cache = new IncidentCache(workspaceId, {
      loaded: () => ({ incidents: this.loaded, system: this.#sysLoaded }),
      summary: (id) => this.#summaries.get(id),
      all: () => [...this.#summaries.values()],
      numbers: () => [...numbersMap(this.#sys).entries()],
      members: () => [...membersMap(this.#sys).values()]
    });
    this.#cached = this.#cache.read();

    const incidents = incidentsMap(this.#doc);
    const onIncidents = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, txn: Y.Transaction) => {
      const touched = new Set<string>();
      for (const ev of events) {
        if (ev.target === incidents && ev instanceof Y.YMapEvent) for (const key of ev.keysChanged) touched.add(key);
        else {
          const first = ev.path[0];
          if (typeof first === 'string') touched.add(first);
        }
      }
      this.#touch(touched);
      if (isLocal(txn.origin)) this.#connection.noteLocalChange(touched);
    };
    incidents.observeDeep(onIncidents);
    this.#cleanup.push(() => incidents.unobserveDeep(onIncidents));

    this.#watch(numbersMap(this.#sys), () => {
      this.#numbers = null;
      this.#numbersSignal.notify();
      this.#cache.queue({ numbers: true });
    });
    this.#watch(membersMap(this.#sys), () => {
      this.#members = null;
      this.#memberList = null;
      this.#membersSignal.notify();
      this.#cache.queue({ members: true });
    });
    this.#watch(linksMap(this.#sys), () => this.#linksSignal.notify());
    this.#watch(metaMap(this.#sys), () => {
      this.#integrations = null;
      this.#metaSignal.notify();
    });
  }

  #watch<T>(map: Y.Map<T>, fn: () => void) {
    const handler = () => fn();
    map.observeDeep(handler);
    this.#cleanup.push(() => map.unobserveDeep(handler));
  }

  #touch(ids: Iterable<string>) {
    const incidents = incidentsMap(this.#doc);
    const changed: string[] = [];
    for (const id of ids) {
      const m = incidents.get(id);
      const prev = this.#summaries.get(id);
      if (m === undefined) {
        if (prev) {
          this.#summaries.delete(id);
          changed.push(id);
        }
      } else {
        const next = readSummary(id, m);
        if (!prev || !sameSummary(prev, next)) {
          this.#summaries.set(id, next);
          changed.push(id);
        }
      }
      this.#full.delete(id);
      this.#incidentSignals.get(id)?.notify();
    }
    if (changed.length) {
      this.#listChanged();
      this.#cache.queue({ ids: changed });
    }
  }

  #listChanged() {
    this.#listDirty = true;
    this.#byCheck = this.#byResult = null;
    this.#listSignal.notify();
  }

  /** Loads both documents from IndexedDB, then connects (only the difference travels). */
  async start(): Promise<void> {
    this.#connection.listen();
    // The snapshot first, painted before the documents' decoding occupies the main thread.
    const snapshot = await this.#cached;
    if (this.#destroyed) return;
    if (snapshot) {
      for (const s of snapshot.incidents) this.#summaries.set(s.id, s);
      this.#snapshot = snapshot;
      this.#listChanged();
      this.#numbersSignal.notify();
      this.#membersSignal.notify();
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      if (this.#destroyed) return;
    }
    await Promise.all([
      this.#connection.open(this.#doc, this.id, true).then(() => this.#destroyed || this.#docLoaded()),
      this.#connection
        .open(this.#sys, systemRoomName(this.id), false)
        .then(() => this.#destroyed || this.#sysDocLoaded())
    ]);
  }

  #docLoaded() {
    // Snapshot rows the document does not have (never the case unless storage was cleared).
    const incidents = incidentsMap(this.#doc);
    const gone = [...this.#summaries.keys()].filter((id) => !incidents.has(id));
    if (gone.length) this.#touch(gone);
    this.loaded = true;
    performance.mark('firebreak:incidents-doc-loaded');
    if (this.#sysLoaded) this.#snapshot = null;
    this.#cache.flush();
  }

  #sysDocLoaded() {
    this.#sysLoaded = true;
    if (this.loaded) this.#snapshot = null;
    this.#numbers = this.#members = this.#memberList = null;
    this.#numbersSignal.notify();
    this.#membersSignal.notify();
    // The mirror's numbers and members may be older than the document's: refresh them once.
    this.#cache.queue({ numbers: true, members: true });
  }

  destroy(): void {
    this.#destroyed = true;
    for (const c of this.#cleanup) c();
    this.#connection.destroy();
    void this.#cache.close();
    this.#doc.destroy();
    this.#sys.destroy();
  }

  /** Who edits in this browser (the member the server made for this session); writes are attributed to them. */
  setActor(member: Member | null): void {
    this.#actor = member;
    this.#members = null;
    this.#memberList = null;
    this.#membersSignal.notify();
  }

  /** This browser's member, with the role the server last said (the system document is live). */
  get me(): Member | null {
    const actor = this.#actor;
    if (!actor) return null;
    return this.memberMap.get(actor.id) ?? actor;
  }

  /** Viewers read everything and write nothing; every control checks this. */
  get canEdit(): boolean {
    const me = this.me;
    return !!me && !me.removedAt && (me.role === 'editor' || me.role === 'admin');
  }

  get isAdmin(): boolean {
    const me = this.me;
    return !!me && !me.removedAt && me.role === 'admin';
  }

  /** An in-app path inside this workspace: `href('/incidents/x')` is `/w/<id>/incidents/x`. */
  href(path = ''): string {
    return `/w/${encodeURIComponent(this.id)}${path}`;
  }

  #by(): string {
    if (!this.#actor) throw new Error('Sign in before editing incidents.');
    if (!this.canEdit) throw new Error('You have read-only access to this workspace (viewer).');
    if (!this.loaded) throw new Error('Incidents are still loading in this browser; try again in a moment.');
    return this.#actor.id;
  }

  // ---- sync ---------------------------------------------------------------------------------

  get syncState(): SyncState {
    return this.#connection.state;
  }

  /** The incidents here have been synced with the server at least once (so "none" means none). */
  get syncedOnce(): boolean {
    return this.#connection.syncedOnce;
  }

  /** How many incidents have local edits the server has not seen yet. */
  get syncRefusal(): { code: number; reason: string } | null {
    return this.#connection.refusal;
  }

  /** The server keeps asking this browser to reconnect later (too many updates, too slow…). */
  get syncThrottled(): string | null {
    return this.#connection.throttled;
  }

  get pendingIncidents(): number {
    return this.#connection.pendingIncidents;
  }

  // ---- incidents ----------------------------------------------------------------------------

  /** The dashboard can show rows: from the loaded document, or from the snapshot meanwhile. */
  get ready(): boolean {
    return this.loaded || this.#snapshot !== null;
  }

  /** Every incident, unsorted; a new array only when a dashboard-visible field changed. */
  get incidents(): readonly IncidentSummary[] {
    this.#listSignal.track();
    if (this.#listDirty) {
      this.#list = Array.from(this.#summaries.values());
      this.#listDirty = false;
    }
    return this.#list;
  }

  #indexes() {
    const list = this.incidents;
    if (!this.#byCheck || !this.#byResult) {
      const byCheck = new Map<string, IncidentSummary[]>();
      const byResult = new Map<string, IncidentSummary[]>();
      const add = (map: Map<string, IncidentSummary[]>, key: string, s: IncidentSummary) => {
        const list = map.get(key);
        if (list) list.push(s);
        else map.set(key, [s]);
      };
      for (const s of list) {
        const seen = new Set<string>();
        for (const l of s.links) {
          add(byResult, l.resultId, s);
          if (seen.has(l.checkId)) continue;
          seen.add(l.checkId);
          add(byCheck, l.checkId, s);
        }
      }
      this.#byCheck = byCheck;
      this.#byResult = byResult;
    }
    return { byCheck: this.#byCheck, byResult: this.#byResult };
  }

  /** Incidents with at least one linked result of each check, by check id. */
  get incidentsByCheck(): ReadonlyMap<string, readonly IncidentSummary[]> {
    return this.#indexes().byCheck;
  }

  /** Incidents each result is linked to, by result id. */
  get incidentsByResult(): ReadonlyMap<string, readonly IncidentSummary[]> {
    return this.#indexes().byResult;
  }

  /**
   * One incident with its description, notes and timeline, read through the shared schema:
   * undefined if unknown (yet), or `{ok: false}` with the problems while a bad write awaits repair.
   */
  incidentRead(id: string): ParsedIncident | undefined {
    let signal = this.#incidentSignals.get(id);
    if (!signal) this.#incidentSignals.set(id, (signal = new Signal()));
    signal.track();
    let full = this.#full.get(id);
    if (!full) {
      const m = incidentsMap(this.#doc).get(id);
      if (m === undefined) return undefined;
      full = parseIncident(id, m);
      this.#full.set(id, full);
    }
    return full;
  }

  incident(id: string): Incident | undefined {
    const read = this.incidentRead(id);
    return read?.ok ? read.incident : undefined;
  }

  create(input: IncidentCreate): string {
    return createIncident(this.#doc, input, this.#by());
  }
  setTitle(id: string, title: string): boolean {
    return setTitle(this.#doc, id, title, this.#by());
  }
  setSeverity(id: string, severity: Severity): boolean {
    return setSeverity(this.#doc, id, severity, this.#by());
  }
  setStatus(id: string, status: Status, resolutionNotes?: string): boolean {
    return setStatus(
      this.#doc,
      id,
      status,
      this.#by(),
      resolutionNotes === undefined ? undefined : { resolutionNotes }
    );
  }
  resolve(id: string, resolution: { notes: string; reason: ResolutionReason | null }): boolean {
    return resolveIncident(this.#doc, id, resolution, this.#by());
  }
  setLead(id: string, leadId: string | null): boolean {
    return setLead(this.#doc, id, leadId, this.#by());
  }
  setDescription(id: string, text: string): boolean {
    return setDescription(this.#doc, id, text, this.#by());
  }
  setResolutionNotes(id: string, text: string): boolean {
    return setResolutionNotes(this.#doc, id, text, this.#by());
  }
  linkResult(id: string, result: { resultId: string; checkId: string }): boolean {
    return linkResult(this.#doc, id, result, this.#by());
  }
  unlinkResult(id: string, resultId: string): boolean {
    return unlinkResult(this.#doc, id, resultId, this.#by());
  }

  // ---- system document (read-only) ---------------------------------------------------------

  /** Incident numbers assigned by the server, by incident id. */
  get numbers(): ReadonlyMap<string, number> {
    this.#numbersSignal.track();
    if (!this.#numbers) {
      const snapshot = this.#sysLoaded ? null : this.#snapshot;
      this.#numbers = new Map(snapshot ? snapshot.numbers : numbersMap(this.#sys).entries());
    }
    return this.#numbers;
  }

  /** The member directory, plus this browser's member before the server has listed them. */
  get memberMap(): ReadonlyMap<string, Member> {
    this.#membersSignal.track();
    if (!this.#members) {
      const snapshot = this.#sysLoaded ? null : this.#snapshot;
      const map = new Map(snapshot ? snapshot.members.map((m) => [m.id, m]) : membersMap(this.#sys).entries());
      const me = this.#actor;
      if (me && !map.has(me.id)) map.set(me.id, me);
      this.#members = map;
    }
    return this.#members;
  }

  /** Current members sorted by name, for the Lead select (removed ones still name their history). */
  get members(): readonly Member[] {
    const map = this.memberMap;
    return (this.#memberList ??= [...map.values()]
      .filter((m) => !m.removedAt)
      .sort((a, b) => a.name.localeCompare(b.name)));
  }

  /** What integrations wrote back for an incident (channel, ticket…), newest state; unreadable entries left out. */
  links(incidentId: string): readonly IntegrationLink[] {
    this.#linksSignal.track();
    return incidentLinks(this.#sys, incidentId);
  }

  /** The workspace's configured integrations as the server publishes them (live for every member). */
  get integrations(): readonly IntegrationSummary[] {
    this.#metaSignal.track();
    return (this.#integrations ??= integrationsList(this.#sys));
  }

  /** Bumped by the server on every ingest; the catalog pulls when it moves. */
  get catalogVersion(): number {
    this.#metaSignal.track();
    return catalogVersion(this.#sys);
  }
}
