import type { Member } from '@firebreak/shared';
import type { IncidentSummary } from '../incidents/list.ts';

/**
 * What the Incidents dashboard shows (summaries, numbers, member names), mirrored in its own
 * IndexedDB database. Decoding a workspace document with 10,000 incidents takes several hundred
 * milliseconds; this mirror is read in a few dozen, so the list appears at once and the
 * document replaces it when loaded. A cache only: never merged, never a source of edits.
 *
 * Layout, like y-indexeddb's own: one `base` record holding every summary (one array reads
 * several times faster than 10,000 records) plus `deltas`, one record per incident changed
 * since, written right after each change. Nothing waits for a debounce or for unload (a
 * document being unloaded aborts its IndexedDB transactions). Compaction folds the deltas
 * into the base.
 */
export interface IncidentSnapshot {
  incidents: IncidentSummary[];
  numbers: Array<[string, number]>;
  members: Member[];
}

type Delta = { id: string; summary: IncidentSummary | null };

/** Where the mirror reads what to write: the workspace's loaded documents. */
export interface MirrorSource {
  /** Which documents have loaded; nothing of a document is mirrored before. */
  loaded(): { incidents: boolean; system: boolean };
  summary(id: string): IncidentSummary | undefined;
  all(): IncidentSummary[];
  numbers(): Array<[string, number]>;
  members(): Member[];
}

/** Deltas the mirror may hold before they are folded into its base (a read merges them all). */
const COMPACT_AFTER = 200;

const VERSION = 1;
const BASE = 'base';
const DELTAS = 'deltas';
const META = 'meta';

function open(workspaceId: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(`firebreak-cache:${workspaceId}`, VERSION);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(BASE);
      req.result.createObjectStore(DELTAS, { keyPath: 'id' });
      req.result.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function result<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class IncidentCache {
  #db: Promise<IDBDatabase | null>;
  #source: MirrorSource;
  /** Deltas on top of the base; starts high so a first start writes a base. */
  #deltas = COMPACT_AFTER;
  #queue = { ids: new Set<string>(), numbers: false, members: false };
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(workspaceId: string, source: MirrorSource) {
    this.#db = open(workspaceId).catch(() => null);
    this.#source = source;
  }

  /** Mirrors changes in the next task (one transaction per burst of changes). */
  queue(change: { ids?: Iterable<string>; numbers?: boolean; members?: boolean }): void {
    const q = this.#queue;
    for (const id of change.ids ?? []) q.ids.add(id);
    q.numbers ||= !!change.numbers;
    q.members ||= !!change.members;
    this.#timer ??= setTimeout(() => this.flush(), 0);
  }

  /** Writes what is queued and what the source has loaded; the rest waits for the next call. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const q = this.#queue;
    const loaded = this.#source.loaded();
    // Only what the documents say goes into the mirror, never the mirror's own rows.
    const ids = loaded.incidents ? [...q.ids] : [];
    const numbers = q.numbers && loaded.system;
    const members = q.members && loaded.system;
    if (loaded.incidents) q.ids.clear();
    if (numbers) q.numbers = false;
    if (members) q.members = false;
    if (!ids.length && !numbers && !members) return;
    // Many changes (a first start, a big sync) rewrite the base instead of piling up deltas.
    const compact = this.#deltas + ids.length > COMPACT_AFTER;
    if (compact) void this.#compact(this.#source.all());
    this.#deltas = compact ? 0 : this.#deltas + ids.length;
    void this.#write({
      summaries: compact
        ? []
        : ids.map((id): [string, IncidentSummary | null] => [id, this.#source.summary(id) ?? null]),
      numbers: numbers ? this.#source.numbers() : undefined,
      members: members ? this.#source.members() : undefined
    });
  }

  /** The mirror, or null when there is none (first start, or storage unavailable). */
  async read(): Promise<IncidentSnapshot | null> {
    const db = await this.#db;
    if (!db) return null;
    try {
      const tx = db.transaction([BASE, DELTAS, META], 'readonly');
      const [base, deltas, numbers, members] = await Promise.all([
        result(tx.objectStore(BASE).get('incidents') as IDBRequest<IncidentSummary[] | undefined>),
        result(tx.objectStore(DELTAS).getAll() as IDBRequest<Delta[]>),
        result(tx.objectStore(META).get('numbers') as IDBRequest<Array<[string, number]> | undefined>),
        result(tx.objectStore(META).get('members') as IDBRequest<Member[] | undefined>)
      ]);
      let incidents = base ?? [];
      if (deltas.length) {
        const byId = new Map(incidents.map((s) => [s.id, s]));
        for (const d of deltas) {
          if (d.summary) byId.set(d.id, d.summary);
          else byId.delete(d.id);
        }
        incidents = [...byId.values()];
      }
      this.#deltas = deltas.length;
      if (!incidents.length) return null;
      return { incidents, numbers: numbers ?? [], members: members ?? [] };
    } catch {
      return null;
    }
  }

  /** Records changed summaries (null = removed) as deltas; `numbers`/`members` replace theirs. */
  async #write(changes: {
    summaries?: ReadonlyArray<[string, IncidentSummary | null]>;
    numbers?: Array<[string, number]>;
    members?: Member[];
  }): Promise<void> {
    const db = await this.#db;
    if (!db) return;
    try {
      const tx = db.transaction([DELTAS, META], 'readwrite');
      const deltas = tx.objectStore(DELTAS);
      for (const [id, summary] of changes.summaries ?? []) deltas.put({ id, summary } satisfies Delta);
      if (changes.numbers) tx.objectStore(META).put(changes.numbers, 'numbers');
      if (changes.members) tx.objectStore(META).put(changes.members, 'members');
    } catch {
      // Quota or a closing database: the next start decodes the document instead.
    }
  }

  /** Replaces base and deltas with every summary, in one transaction. */
  async #compact(all: readonly IncidentSummary[]): Promise<void> {
    const db = await this.#db;
    if (!db) return;
    try {
      const tx = db.transaction([BASE, DELTAS], 'readwrite');
      tx.objectStore(BASE).put(all, 'incidents');
      tx.objectStore(DELTAS).clear();
    } catch {
      // As in write().
    }
  }

  /** Flushes what is queued, then closes. */
  async close(): Promise<void> {
    this.flush();
    (await this.#db)?.close();
  }
}
