import type * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';

/**
 * What the header says: `connecting` (first attempt of this page), `connected` (synced),
 * `reconnecting` (a live connection dropped), `unreachable` (the network is up but the server keeps
 * not answering), `offline` (the browser has no network), `refused` (the relay closed for good).
 */
export type SyncState = 'connecting' | 'connected' | 'reconnecting' | 'unreachable' | 'offline' | 'refused';

/** Attempts in a row that closed without syncing before the server counts as unreachable. */
const UNREACHABLE_AFTER = 2;
/** Retryable closes within this window… */
const THROTTLE_WINDOW_MS = 2 * 60_000;
/** …this many times are shown to the user; one or two are routine and stay silent. */
const THROTTLE_NOTICE_AFTER = 3;

function wsBase(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`;
}

/**
 * Where the workspace's documents come from and go to: y-indexeddb first, then the relay, and
 * the state the header shows. Follows the browser's online/offline events (Playwright's
 * `setOffline` fires them too).
 */
export class SyncConnection {
  #online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #status = $state<'connected' | 'connecting' | 'disconnected'>('disconnected');
  #synced = $state(false);
  /** Synced at least once since this page opened (before that, a connection is still "connecting"). */
  #everSynced = $state(false);
  /** Connections in a row that closed before syncing (reset by a sync or the network coming back). */
  #failures = $state(0);
  /** This browser has synced the workspace with the server before (now or in an earlier visit). */
  #syncedOnce = $state(false);
  readonly #syncedKey: string;
  /** The relay closed a connection for good (4400-4499: bad message, too large, forbidden…). */
  #refused = $state.raw<{ code: number; reason: string } | null>(null);
  /** Incidents changed here while not synced; persisted so a reload offline still knows. */
  #pending = $state.raw<ReadonlySet<string>>(new Set());
  readonly #pendingKey: string;
  #providers: WebsocketProvider[] = [];
  #throttles: number[] = [];
  /** Why the server keeps asking this browser to reconnect later, once it has happened repeatedly. */
  #throttled = $state<string | null>(null);
  #persistence: IndexeddbPersistence[] = [];
  #cleanup: Array<() => void> = [];
  #destroyed = false;

  constructor(workspaceId: string) {
    this.#pendingKey = `firebreak:pending:${workspaceId}`;
    this.#syncedKey = `firebreak:synced:${workspaceId}`;
    try {
      this.#syncedOnce = localStorage.getItem(this.#syncedKey) === '1';
    } catch {
      // No storage: counts as never synced, so an empty list says "loading", not "none".
    }
    try {
      const saved: unknown = JSON.parse(localStorage.getItem(this.#pendingKey) ?? '[]');
      if (Array.isArray(saved)) this.#pending = new Set(saved.filter((v): v is string => typeof v === 'string'));
    } catch {
      // Unreadable: the count is a hint only, the edits themselves are in IndexedDB.
    }
  }

  get state(): SyncState {
    if (!this.#online) return 'offline';
    if (this.#refused) return 'refused';
    if (this.#status === 'connected' && this.#synced) return 'connected';
    if (this.#failures >= UNREACHABLE_AFTER) return 'unreachable';
    return this.#everSynced ? 'reconnecting' : 'connecting';
  }

  /**
   * The local copy has been synced with the server at least once (in this visit or an earlier
   * one): an empty list is then really empty, not "not loaded yet".
   */
  get syncedOnce(): boolean {
    return this.#syncedOnce;
  }

  /** Set when the server asked this browser to back off several times in a row (cleared on sync). */
  get throttled(): string | null {
    return this.#throttled;
  }

  /** Why the relay refused this browser, when it did. */
  get refusal(): { code: number; reason: string } | null {
    return this.#refused;
  }

  /** How many incidents have local edits the server has not seen yet. */
  get pendingIncidents(): number {
    return this.#pending.size;
  }

  /** Records incidents edited locally; they count as waiting unless the relay is live. */
  noteLocalChange(ids: Iterable<string>): void {
    if (this.state === 'connected') return;
    const next = new Set(this.#pending);
    for (const id of ids) next.add(id);
    if (next.size !== this.#pending.size) this.#setPending(next);
  }

  #setPending(ids: ReadonlySet<string>) {
    this.#pending = ids;
    if (ids.size) localStorage.setItem(this.#pendingKey, JSON.stringify([...ids]));
    else localStorage.removeItem(this.#pendingKey);
  }

  /** Follows the browser's network state. */
  listen(): void {
    const onOnline = () => {
      this.#online = true;
      this.#refused = null;
      this.#failures = 0;
      for (const p of this.#providers) p.connect();
    };
    const onOffline = () => {
      this.#online = false;
      for (const p of this.#providers) p.disconnect();
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    this.#cleanup.push(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    });
  }

  /**
   * Loads `doc` from IndexedDB, then connects it to its room (so sync step 1 carries the local
   * state vector and only the difference travels). Resolves once loaded. `tracked` marks the
   * document whose connection the header reports.
   */
  async open(doc: Y.Doc, room: string, tracked: boolean): Promise<void> {
    const persistence = new IndexeddbPersistence(`firebreak:${room}`, doc);
    this.#persistence.push(persistence);
    // While any 'update' listener exists, Yjs encodes every transaction, and the load
    // transaction is the whole document: y-indexeddb's own listener (which ignores its own
    // transactions anyway) cost a third of the start-up with 10,000 incidents. It is detached
    // for the load; nothing writes before then (the workspace refuses writes until loaded).
    doc.off('update', persistence._storeUpdate);
    await persistence.whenSynced;
    doc.on('update', persistence._storeUpdate);
    if (this.#destroyed) return;
    const provider = new WebsocketProvider(wsBase(), room, doc, { connect: false });
    this.#providers.push(provider);
    // y-websocket stops retrying after a 44xx close; say so instead of "Reconnecting…" forever.
    provider.on('closed', (event) => (this.#refused = event));
    // 45xx ("try again later": too fast, too slow, busy) reconnect by themselves; only a run of
    // them is worth a word to the user.
    provider.on('connection-close', (event) => {
      if (!event || event.code < 4500 || event.code >= 4600) return;
      const now = Date.now();
      this.#throttles = [...this.#throttles.filter((t) => now - t < THROTTLE_WINDOW_MS), now];
      if (this.#throttles.length >= THROTTLE_NOTICE_AFTER)
        this.#throttled = event.reason || `closed with ${event.code}`;
    });
    provider.on('sync', (synced: boolean) => {
      if (synced) this.#throttled = null;
    });
    if (tracked) {
      provider.on('status', ({ status }) => (this.#status = status));
      provider.on('connection-close', () => {
        if (!this.#synced || this.#status !== 'connected') this.#failures++;
      });
      provider.on('sync', (synced: boolean) => {
        this.#synced = synced;
        if (synced) {
          this.#failures = 0;
          this.#everSynced = true;
          if (!this.#syncedOnce) {
            this.#syncedOnce = true;
            try {
              localStorage.setItem(this.#syncedKey, '1');
            } catch {
              // Kept for this page only.
            }
          }
        }
        // Sync step 2 went both ways: the server has everything this browser had.
        if (synced && this.#pending.size) this.#setPending(new Set());
      });
    }
    // Connecting encodes the whole document for other tabs (BroadcastChannel sync step 2);
    // a macrotask later lets the first render go out before that work.
    setTimeout(() => {
      if (this.#online && !this.#destroyed) provider.connect();
    }, 0);
  }

  destroy(): void {
    this.#destroyed = true;
    for (const c of this.#cleanup) c();
    for (const p of this.#providers) p.destroy();
    for (const p of this.#persistence) void p.destroy();
  }
}
