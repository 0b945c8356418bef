import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { awarenessMessage, updateMessage } from './protocol.ts';
import type { ConnectionContext, RoomPolicy } from './types.ts';

/** One websocket as the relay sees it (a thin wrapper over `ws`, so tests can count frames). */
export interface Conn {
  readonly id: string;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Member id under which the server's own writes are recorded as the owner of its client ids. */
export const SERVER_MEMBER = '@server';

/** A connection of a room with what the relay knows about it. */
export interface RoomConn {
  conn: Conn;
  context: ConnectionContext;
  /** Awareness client ids this connection speaks for (removed when it goes). */
  awarenessIds: Set<number>;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * A loaded document and the connections editing it. Updates applied to `doc` collect in
 * `pending` until the relay's next group commit appends them (with whatever the hooks write) in
 * one transaction; only then are they broadcast, merged into one frame, to every connection
 * (the sender too: y-websocket clients rely on the echo).
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly conns = new Map<Conn, RoomConn>();
  readonly workspaceId: string;
  readonly clientWritable: boolean;
  /** Yjs client id → the member who introduced it; only they may write under it. */
  readonly clientOwners = new Map<number, string>();
  /** Awareness client id → the connection speaking for it. */
  readonly awarenessOwners = new Map<number, Conn>();
  /** Applied, not yet stored (and so not yet broadcast). */
  pending: Uint8Array[] = [];
  /** Client ids claimed since the last commit, stored with the next batch. */
  claims: Array<[number, string]> = [];
  /** Sequence number of the last stored update of this room. */
  seq = 0;
  /** Log entries stored since the last compaction. */
  sinceCompaction = 0;
  lastCompactionAt = Date.now();
  /** Compactions that folded something, since the room loaded. */
  compactions = 0;
  /** The compaction under way, if any. */
  compacting: Promise<void> | null = null;
  idleSince: number | null = Date.now();
  broken = false;
  destroyed = false;
  private waiters: Waiter[] = [];
  /** The whole document encoded, reused for full-state sync replies until the next change. */
  private fullState: Uint8Array | null = null;

  constructor(
    readonly name: string,
    policy: RoomPolicy
  ) {
    this.workspaceId = policy.workspaceId;
    this.clientWritable = policy.writable;
    this.awareness.setLocalState(null);
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      // The server has no presence of its own ('local' is its own empty state, also set on destroy).
      if (origin === 'local') return;
      const owner = this.conns.get(origin as Conn);
      if (owner) {
        for (const id of added) {
          owner.awarenessIds.add(id);
          this.awarenessOwners.set(id, owner.conn);
        }
      }
      for (const id of removed) {
        const holder = this.awarenessOwners.get(id);
        if (holder) this.conns.get(holder)?.awarenessIds.delete(id);
        this.awarenessOwners.delete(id);
      }
      this.broadcast(awarenessMessage(this.awareness, [...added, ...updated, ...removed]));
    });
  }

  /** Applies the persisted state (before any listener or client sees the document). */
  applyStored(state: Uint8Array | null, seq: number, pending: number, owners: Iterable<[number, string]>): void {
    if (state) Y.applyUpdate(this.doc, state);
    // What the store holds is the whole document: the first full-state replies send it as it is
    // (no encoding on a cold join); the first change drops it.
    this.fullState = state;
    this.seq = seq;
    this.sinceCompaction = pending;
    for (const [client, member] of owners) this.clientOwners.set(client, member);
    this.claim(this.doc.clientID, SERVER_MEMBER);
  }

  claim(clientId: number, memberId: string): void {
    if (this.clientOwners.has(clientId)) return;
    this.clientOwners.set(clientId, memberId);
    this.claims.push([clientId, memberId]);
  }

  /** Records an applied update; the relay stores it with the next batch. */
  queue(update: Uint8Array): void {
    this.pending.push(update);
    this.fullState = null;
  }

  /** Hands the pending updates and claims to a commit. */
  takeBatch(): { updates: Uint8Array[]; claims: Array<[number, string]> } {
    const batch = { updates: this.pending, claims: this.claims };
    this.pending = [];
    this.claims = [];
    return batch;
  }

  /** After a commit: one frame for the whole batch, to every connection; waiters resume. */
  committed(updates: readonly Uint8Array[], seq: number): void {
    this.seq = seq;
    this.sinceCompaction += updates.length;
    const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates as Uint8Array[]);
    this.broadcast(updateMessage(merged));
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  /** Resolves once everything applied so far is stored and broadcast (rejects if the room breaks). */
  flushed(): Promise<void> {
    if (!this.pending.length) return this.broken ? Promise.reject(new Error('room is broken')) : Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The whole document as one update, encoded once per change. */
  encodedState(): Uint8Array {
    return (this.fullState ??= Y.encodeStateAsUpdate(this.doc));
  }

  broadcast(message: Uint8Array) {
    for (const c of this.conns.keys()) c.send(message);
  }

  add(conn: Conn, context: ConnectionContext): RoomConn {
    const rc: RoomConn = { conn, context, awarenessIds: new Set() };
    this.conns.set(conn, rc);
    this.idleSince = null;
    return rc;
  }

  remove(conn: Conn): RoomConn | undefined {
    const rc = this.conns.get(conn);
    if (!rc) return undefined;
    this.conns.delete(conn);
    if (rc.awarenessIds.size) awarenessProtocol.removeAwarenessStates(this.awareness, [...rc.awarenessIds], null);
    if (this.conns.size === 0) this.idleSince = Date.now();
    return rc;
  }

  /** Releases the document and the awareness timer; pending waiters are told the room is gone. */
  destroy(err?: unknown): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err ?? new Error('room unloaded'));
    this.conns.clear();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}
