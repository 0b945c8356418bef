import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocStore } from '../store/doc-store.ts';
import type { ClientOwnerStore } from '../store/client-owner-store.ts';
import { inlineCompactor, type Compactor } from '../store/compaction.ts';
import {
  AWARENESS_BURST,
  AWARENESS_PER_SECOND,
  MAX_AWARENESS_IDS_PER_CONNECTION,
  MAX_AWARENESS_STATE_BYTES,
  MAX_CONNECTIONS_PER_MEMBER,
  MAX_MESSAGE_BYTES,
  MAX_PENDING_BYTES_BEFORE_LOAD,
  RateLimit,
  SYNC_REQUEST_BURST,
  SYNC_REQUESTS_PER_MINUTE,
  UPDATE_BURST,
  UPDATES_PER_SECOND
} from './limits.ts';
import {
  asksForEverything,
  awarenessMessage,
  checkUpdate,
  CloseCode,
  decodeAwarenessUpdate,
  decodeFrame,
  encodeAwarenessEntries,
  syncStep1Message,
  syncStep2Message,
  type AwarenessEntry
} from './protocol.ts';
import * as awarenessProtocol from 'y-protocols/awareness';
import { Room, SERVER_MEMBER, type Conn, type RoomConn } from './room.ts';
import type { Extension } from './extension.ts';
import { remoteContext, type ConnectionContext, type RemoteOrigin, type RoomPolicy } from './types.ts';

export { MAX_MESSAGE_BYTES };
/** A room nobody is connected to is compacted and dropped from memory after this long. */
export const ROOM_IDLE_MS = 30_000;
/** Rooms whose log grew by this many updates are compacted in the background… */
export const COMPACT_AFTER_UPDATES = 500;
/** …and any room with a log at all, at least this often, so a slow trickle does not grow forever. */
export const COMPACT_AFTER_MS = 5 * 60_000;
/** Every this many compactions of a room, the snapshot is rebuilt with deleted content collected. */
export const GC_EVERY_COMPACTIONS = 10;
/** How often idle rooms and long logs are looked at. */
const SWEEP_INTERVAL_MS = 10_000;

export interface RelayOptions {
  store: DocStore;
  /**
   * Folds logs into snapshots from the store, off the event loop where it can (compactorFor);
   * inline by default. The relay closes it when it closes.
   */
  compactor?: Compactor;
  log: Logger;
  /** Which rooms exist and whose they are; null closes the connection with 4404. */
  resolveRoom(name: string): RoomPolicy | null;
  /** Numbering, validation, the watcher…: see Extension. */
  extensions?: Extension[];
  /** Persists who owns which Yjs client id; without it ownership lasts as long as the room is loaded. */
  clientOwners?: ClientOwnerStore;
  maxMessageBytes?: number;
  roomIdleMs?: number;
  compactAfterUpdates?: number;
  compactAfterMs?: number;
}

export interface ConnectionHandler {
  onMessage(data: ArrayBuffer | Uint8Array | string): void;
  onClose(): void;
}

/** One live connection, for closing or changing it when the member's access changes. */
interface Handle {
  conn: Conn;
  context: ConnectionContext;
  room: string;
}

const memberKey = (workspaceId: string, memberId: string) => `${workspaceId}\u0000${memberId}`;

export class Relay {
  private readonly rooms = new Map<string, Promise<Room>>();
  /** The rooms of `rooms` that finished loading, for synchronous bookkeeping. */
  private readonly loaded = new Map<string, Room>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly maxMessageBytes: number;
  private readonly extensions: Extension[];
  private readonly byMember = new Map<string, Set<Handle>>();
  private readonly dirty = new Set<Room>();
  private readonly compactor: Compactor;
  private flushScheduled = false;
  private closing = false;

  constructor(private readonly opts: RelayOptions) {
    this.maxMessageBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.extensions = opts.extensions ?? [];
    this.compactor = opts.compactor ?? inlineCompactor(opts.store);
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  // ---- rooms ----------------------------------------------------------------------------------

  /** The loaded room, loading it from the store first if needed. */
  getRoom(name: string): Promise<Room> {
    let p = this.rooms.get(name);
    if (!p) {
      const policy = this.opts.resolveRoom(name);
      if (!policy) return Promise.reject(new Error(`unknown room ${name}`));
      const loading = this.load(name, policy);
      p = loading;
      // A failed load is forgotten so the next connection retries it (but never a newer load).
      loading.catch(() => {
        if (this.rooms.get(name) === loading) this.rooms.delete(name);
      });
      this.rooms.set(name, p);
    }
    return p;
  }

  private async load(name: string, policy: RoomPolicy): Promise<Room> {
    const room = new Room(name, policy);
    try {
      const stored = await this.opts.store.load(name);
      room.applyStored(stored.state, stored.seq, stored.pending, this.opts.clientOwners?.load(name) ?? []);
      // Listeners first, then the hooks: whatever a hook writes on load is stored like any update.
      // A client's update is stored and broadcast as the bytes it sent (see applyUpdate below), so
      // Yjs need not encode it again; only the server's own transactions (numbering, repairs,
      // Slack buttons…) are encoded, by listening to 'update' just for them.
      const capture = (update: Uint8Array) => {
        room.queue(update);
        this.markDirty(room);
      };
      let capturing = false;
      room.doc.on('beforeTransaction', (txn: Y.Transaction) => {
        if (capturing || remoteContext(txn.origin)) return;
        capturing = true;
        room.doc.on('update', capture);
      });
      room.doc.on('afterTransaction', (txn: Y.Transaction) => this.changed(room, txn));
      room.doc.on('afterAllTransactions', () => {
        if (!capturing) return;
        capturing = false;
        room.doc.off('update', capture);
      });
      this.loaded.set(name, room);
      for (const ext of this.extensions) {
        if (!ext.onLoad) continue;
        try {
          await ext.onLoad(room);
        } catch (err) {
          // One extension's failure must not make a workspace unloadable: it is logged, the room works.
          this.opts.log.error({ err, room: name, extension: ext.name }, 'extension failed on load');
        }
      }
      return room;
    } catch (err) {
      this.forget(room);
      room.destroy(err);
      throw err;
    }
  }

  private changed(room: Room, txn: Y.Transaction) {
    if (room.destroyed) return;
    const context = remoteContext(txn.origin);
    for (const ext of this.extensions) {
      if (!ext.onChange) continue;
      try {
        ext.onChange({ room, doc: room.doc, txn, context });
      } catch (err) {
        this.opts.log.error({ err, room: room.name, extension: ext.name }, 'extension failed on change');
      }
    }
  }

  /** Runs a server-side change against a room's document and waits until it is stored and sent. */
  async withDoc<T>(name: string, fn: (doc: Y.Doc, room: Room) => T): Promise<T> {
    const room = await this.getRoom(name);
    const out = fn(room.doc, room);
    await room.flushed();
    return out;
  }

  /** The loaded room, if it is loaded (never loads it). */
  loadedRoom(name: string): Room | null {
    return this.loaded.get(name) ?? null;
  }

  loadedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** Every loaded room (synchronously). */
  openRooms(): Room[] {
    return [...this.loaded.values()];
  }

  // ---- group commit ---------------------------------------------------------------------------

  private markDirty(room: Room) {
    this.dirty.add(room);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Everything that arrives in this turn of the event loop is stored in one transaction.
    setImmediate(() => this.flush());
  }

  /**
   * Stores every room's pending updates in one transaction (retried room by room when it fails, so one room's
   * failure does not cost the others), then broadcasts each room's batch as one frame. Nothing is
   * broadcast that was not committed.
   */
  flush(): void {
    this.flushScheduled = false;
    if (!this.dirty.size) return;
    const rooms = [...this.dirty].filter((r) => !r.destroyed && r.pending.length);
    this.dirty.clear();
    const batches = rooms.map((room) => ({ room, ...room.takeBatch(), seq: room.seq }));
    if (!batches.length) return;
    try {
      // The fast path: every room's batch in one transaction.
      this.opts.store.transaction(() => {
        for (const b of batches) b.seq = this.storeBatch(b);
      });
    } catch {
      // Something failed (a hook, the disk): store room by room, so one room's failure does not
      // cost the others, and break only the rooms that still fail.
      for (const b of batches) {
        try {
          b.seq = this.opts.store.transaction(() => this.storeBatch(b));
        } catch (err) {
          b.seq = -1;
          this.breakRoom(b.room, err);
        }
      }
    }
    for (const b of batches) if (b.seq >= 0) b.room.committed(b.updates, b.seq);
  }

  /** Appends one room's batch and runs the store hooks; call inside a store transaction. */
  private storeBatch(b: { room: Room; updates: Uint8Array[]; claims: Array<[number, string]>; seq: number }): number {
    const { room } = b;
    let seq = room.seq;
    for (const u of b.updates) seq = this.opts.store.append(room.workspaceId, room.name, u);
    for (const [client, member] of b.claims) this.opts.clientOwners?.claim(room.workspaceId, room.name, client, member);
    for (const ext of this.extensions) ext.onStore?.({ room, updates: b.updates, seq });
    return seq;
  }

  /**
   * Not stored, so not sent: every connection of the room closes (the clients still hold their
   * edits and send them again on reconnect, into a room reloaded from what the store really has).
   */
  private breakRoom(
    room: Room,
    err: unknown,
    why: { code: number; reason: string; log: string } = {
      code: CloseCode.StorageFailure,
      reason: 'storage failure',
      log: 'could not store updates; closing room'
    }
  ) {
    if (room.broken) return;
    room.broken = true;
    this.opts.log.error({ err, room: room.name }, why.log);
    this.forget(room);
    for (const c of room.conns.keys()) c.close(why.code, why.reason);
    this.unload(room, err);
  }

  private forget(room: Room) {
    if (this.loaded.get(room.name) !== room) return;
    this.loaded.delete(room.name);
    this.rooms.delete(room.name);
  }

  private unload(room: Room, err?: unknown) {
    this.forget(room);
    for (const ext of this.extensions) {
      try {
        ext.onUnload?.(room);
      } catch (e) {
        this.opts.log.error({ err: e, room: room.name, extension: ext.name }, 'extension failed on unload');
      }
    }
    room.destroy(err);
  }

  // ---- connections ----------------------------------------------------------------------------

  /**
   * Wires one authenticated websocket to a room: frames wait until the room is loaded, then each
   * is checked (size, rate, ownership, role) before it is applied.
   */
  connect(name: string, conn: Conn, context: ConnectionContext): ConnectionHandler {
    const noop: ConnectionHandler = { onMessage() {}, onClose() {} };
    const policy = this.opts.resolveRoom(name);
    if (this.closing) {
      conn.close(CloseCode.ShuttingDown, 'server shutting down');
      return noop;
    }
    if (!policy) {
      conn.close(CloseCode.NotFound, `No workspace document "${name}"`);
      return noop;
    }
    if (policy.workspaceId !== context.workspaceId) {
      conn.close(CloseCode.Forbidden, 'This session is not for this workspace');
      return noop;
    }
    const key = memberKey(context.workspaceId, context.member.id);
    const handles = this.byMember.get(key) ?? new Set<Handle>();
    if (handles.size >= MAX_CONNECTIONS_PER_MEMBER) {
      conn.close(
        CloseCode.TooManyConnections,
        `Too many open connections (${MAX_CONNECTIONS_PER_MEMBER}) for one member; close some tabs`
      );
      return noop;
    }
    const handle: Handle = { conn, context, room: name };
    handles.add(handle);
    this.byMember.set(key, handles);

    const log = this.opts.log.child({ room: name, conn: conn.id, member: context.member.id });
    const origin: RemoteOrigin = { kind: 'remote', connId: conn.id, context };
    const limits = {
      updates: new RateLimit(UPDATES_PER_SECOND, UPDATE_BURST),
      syncRequests: new RateLimit(SYNC_REQUESTS_PER_MINUTE / 60, SYNC_REQUEST_BURST),
      awareness: new RateLimit(AWARENESS_PER_SECOND, AWARENESS_BURST)
    };
    let room: Room | null = null;
    let rc: RoomConn | null = null;
    let closed = false;
    let waiting: Uint8Array[] = [];
    let waitingBytes = 0;

    const fail = (code: number, reason: string, err?: unknown) => {
      if (closed) return;
      closed = true;
      if (err) log.warn({ err, code }, reason);
      else log.info({ code }, reason);
      conn.close(code, reason);
    };

    const process = (bytes: Uint8Array) => {
      if (closed || !room || !rc) return;
      let frame;
      try {
        frame = decodeFrame(bytes);
      } catch (err) {
        return fail(CloseCode.BadMessage, 'malformed message', err);
      }
      switch (frame.type) {
        case 'syncStep1': {
          if (!limits.syncRequests.take())
            return fail(CloseCode.SlowDown, 'Too many sync requests; reconnecting shortly');
          const sv = frame.stateVector;
          // An empty state vector asks for everything: answer from the encoding shared by every such request.
          conn.send(syncStep2Message(room.doc, sv, asksForEverything(sv) ? room.encodedState() : undefined));
          return;
        }
        case 'update':
          return applyUpdate(room, frame.update);
        case 'awareness':
          if (!limits.awareness.take()) return; // presence is best-effort: dropped, not fatal
          try {
            applyAwareness(room, rc, frame.update);
          } catch (err) {
            return fail(CloseCode.BadMessage, 'malformed awareness message', err);
          }
          return;
        case 'queryAwareness':
          conn.send(awarenessMessage(room.awareness, [...room.awareness.getStates().keys()]));
          return;
      }
    };

    const applyUpdate = (room: Room, update: Uint8Array) => {
      // A viewer (or the read-only system document) keeps syncing; its writes are dropped.
      if (!room.clientWritable || context.readOnly) return;
      if (!limits.updates.take()) return fail(CloseCode.SlowDown, 'Too many updates per second; reconnecting shortly');
      let to;
      try {
        to = checkUpdate(update);
      } catch (err) {
        return fail(CloseCode.BadMessage, 'malformed update', err);
      }
      const fresh: number[] = [];
      for (const [client, clock] of to) {
        if (clock <= Y.getState(room.doc.store, client)) continue; // nothing new under this id
        const owner = room.clientOwners.get(client);
        if (owner === undefined) fresh.push(client);
        else if (owner !== context.member.id) {
          log.warn({ client, owner }, 'refused an update written under another member’s client id');
          return fail(CloseCode.Forbidden, 'This update writes under another member’s client id');
        }
      }
      for (const client of fresh) room.claim(client, context.member.id);
      try {
        Y.applyUpdate(room.doc, update, origin);
      } catch (err) {
        // Decoded whole, yet Yjs failed while applying it: part of it may be in the document, which
        // is then no longer what the store holds. Reload the room from the store (everyone reconnects).
        // Not a storage failure: the retryable 4500 tells the others to reconnect at once.
        fail(CloseCode.BadMessage, 'update could not be applied', err);
        return this.breakRoom(room, err, {
          code: CloseCode.RoomReset,
          reason: 'The workspace was reloaded after a bad update; reconnecting',
          log: 'an update failed halfway through being applied; reloading the room'
        });
      }
      room.queue(update);
      this.markDirty(room);
    };

    const applyAwareness = (room: Room, rc: RoomConn, update: Uint8Array) => {
      const accepted: AwarenessEntry[] = [];
      for (const e of decodeAwarenessUpdate(update)) {
        if (e.state.length > MAX_AWARENESS_STATE_BYTES) continue;
        const holder = room.awarenessOwners.get(e.clientId);
        if (holder && holder !== conn) continue;
        if (!holder && rc.awarenessIds.size >= MAX_AWARENESS_IDS_PER_CONNECTION) continue;
        accepted.push({ ...e, state: stampMember(e.state, context) });
      }
      if (accepted.length)
        awarenessProtocol.applyAwarenessUpdate(room.awareness, encodeAwarenessEntries(accepted), conn);
    };

    this.getRoom(name).then(
      (r) => {
        if (closed) return;
        if (r.destroyed) return fail(CloseCode.RoomReset, 'The workspace was reloaded; reconnecting');
        room = r;
        rc = r.add(conn, context);
        for (const ext of this.extensions) ext.onConnect?.(r, context);
        conn.send(syncStep1Message(r.doc));
        const states = r.awareness.getStates();
        if (states.size) conn.send(awarenessMessage(r.awareness, [...states.keys()]));
        const queued = waiting;
        waiting = [];
        waitingBytes = 0;
        for (const bytes of queued) process(bytes);
      },
      (err) => fail(CloseCode.StorageFailure, 'could not load room', err)
    );

    return {
      onMessage: (data) => {
        if (closed) return;
        if (typeof data === 'string') return fail(CloseCode.BadMessage, 'text frames are not part of the protocol');
        if (data.byteLength > this.maxMessageBytes)
          return fail(
            CloseCode.TooLarge,
            `A message of ${data.byteLength} bytes exceeds the limit of ${this.maxMessageBytes} bytes`
          );
        const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
        if (room) return process(bytes);
        waitingBytes += bytes.byteLength;
        if (waitingBytes > MAX_PENDING_BYTES_BEFORE_LOAD)
          return fail(CloseCode.Busy, 'The workspace is still loading; reconnecting shortly');
        waiting.push(bytes);
      },
      onClose: () => {
        closed = true;
        waiting = [];
        handles.delete(handle);
        if (!handles.size) this.byMember.delete(key);
        if (room) {
          room.remove(conn);
          for (const ext of this.extensions) ext.onDisconnect?.(room, context);
        }
      }
    };
  }

  /** Closes every connection of a member (removed from the workspace, or signed out). */
  disconnectMember(workspaceId: string, memberId: string, code: number, reason: string): number {
    const handles = this.byMember.get(memberKey(workspaceId, memberId));
    if (!handles) return 0;
    for (const h of [...handles]) h.conn.close(code, reason);
    return handles.size;
  }

  /** Applies a role change to a member's open connections at once (a downgraded editor becomes read-only). */
  updateMemberAccess(workspaceId: string, memberId: string, access: Pick<ConnectionContext, 'role' | 'readOnly'>) {
    for (const h of this.byMember.get(memberKey(workspaceId, memberId)) ?? []) {
      h.context.role = access.role;
      h.context.readOnly = access.readOnly;
    }
  }

  // ---- housekeeping ---------------------------------------------------------------------------

  /** Compacts logs that grew (by size or age) and unloads rooms nobody has used for a while. */
  async sweep(now = Date.now()): Promise<void> {
    const idleMs = this.opts.roomIdleMs ?? ROOM_IDLE_MS;
    this.flush();
    for (const [name, p] of [...this.rooms]) {
      const room = await p.catch(() => null);
      if (!room || room.destroyed) continue;
      try {
        const idle = room.idleSince !== null && now - room.idleSince >= idleMs;
        if (this.shouldCompact(room, now, idle)) await this.compact(room, idle ? true : undefined);
        // Re-check after the await: a client may have joined, or the server written, meanwhile.
        if (idle && room.conns.size === 0 && !room.pending.length && this.rooms.get(name) === p) {
          this.unload(room);
          this.opts.log.debug({ room: name }, 'room unloaded');
        }
      } catch (err) {
        this.opts.log.error({ err, room: name }, 'compaction failed');
      }
    }
  }

  private shouldCompact(room: Room, now: number, idle: boolean): boolean {
    if (room.sinceCompaction === 0) return false; // nothing changed since the last one
    if (idle) return true;
    if (room.sinceCompaction >= (this.opts.compactAfterUpdates ?? COMPACT_AFTER_UPDATES)) return true;
    return now - room.lastCompactionAt >= (this.opts.compactAfterMs ?? COMPACT_AFTER_MS);
  }

  /**
   * Folds a room's stored log into its snapshot, from the store rather than the live document
   * (so with a worker compactor the event loop goes on serving every room meanwhile). Updates
   * stored while it runs stay in the log for the next one. One compaction per room at a time.
   * `gc` rebuilds the snapshot with deleted content collected (by default every
   * GC_EVERY_COMPACTIONS-th time, and when an idle room is unloaded).
   */
  compact(room: Room, gc = (room.compactions + 1) % GC_EVERY_COMPACTIONS === 0): Promise<void> {
    this.flush();
    if (room.broken || room.destroyed) return Promise.resolve();
    room.compacting ??= this.compactor
      .compact(room.workspaceId, room.name, { gc })
      .then((done) => {
        room.sinceCompaction = Math.max(0, room.sinceCompaction - done.entries);
        room.lastCompactionAt = Date.now();
        if (done.entries) room.compactions++;
      })
      .finally(() => (room.compacting = null));
    return room.compacting;
  }

  /** Stops accepting, stores and compacts everything, closes every connection. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    this.flush();
    for (const [name, p] of this.rooms) {
      const room = await p.catch(() => null);
      if (!room || room.destroyed) continue;
      await this.compact(room).catch((err) => this.opts.log.error({ err, room: name }, 'final compaction failed'));
      for (const conn of room.conns.keys()) conn.close(CloseCode.ShuttingDown, 'server shutting down');
      this.unload(room);
    }
    this.rooms.clear();
    this.loaded.clear();
    await this.compactor.close();
  }
}

/**
 * Presence says who someone is; the server, not the browser, knows that: a state's `member` is
 * always the connection's member, whatever the client wrote.
 */
function stampMember(state: string, context: ConnectionContext): string {
  if (state === 'null') return state;
  try {
    const parsed: unknown = JSON.parse(state);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'null';
    return JSON.stringify({ ...parsed, member: context.member.id });
  } catch {
    return 'null';
  }
}

export { SERVER_MEMBER };
