import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocStore } from '../store/doc-store.ts';
import { awarenessMessage, CloseCode, handleMessage, syncStep1Message } from './protocol.ts';
import { Room, type Conn } from './room.ts';

/** Largest frame accepted: a client back from a long offline stretch sends its whole difference
 * in one sync step 2, and 10,000 incidents with history encode to a few MiB. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** A room nobody is connected to is compacted and dropped from memory after this long. */
export const ROOM_IDLE_MS = 30_000;
/** Rooms whose log grew by this many updates are compacted in the background. */
export const COMPACT_AFTER_UPDATES = 500;
/** How often idle rooms and long logs are looked at. */
const SWEEP_INTERVAL_MS = 10_000;

export interface RoomPolicy {
  /** Whether clients' updates are applied (false for the server-written system document). */
  writable: boolean;
}

export interface RelayOptions {
  store: DocStore;
  log: Logger;
  /** Which rooms exist; null closes the connection with 4404. */
  resolveRoom(name: string): RoomPolicy | null;
  /** Called once a room's persisted state is loaded, before any client sees it. */
  onRoomLoaded?(room: Room): void | Promise<void>;
  maxMessageBytes?: number;
  roomIdleMs?: number;
  compactAfterUpdates?: number;
}

export interface ConnectionHandler {
  onMessage(data: ArrayBuffer | Uint8Array | string): void;
  onClose(): void;
}

export class Relay {
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly maxMessageBytes: number;
  private closing = false;

  constructor(private readonly opts: RelayOptions) {
    this.maxMessageBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** The loaded room, loading it from the store first if needed. */
  getRoom(name: string): Promise<Room> {
    let p = this.rooms.get(name);
    if (!p) {
      const policy = this.opts.resolveRoom(name);
      if (!policy) return Promise.reject(new Error(`unknown room ${name}`));
      // A room whose update could not be stored is forgotten at once: the next connection gets
      // a room reloaded from what the store really has, never the unstored in-memory state.
      const room = new Room(name, policy.writable, this.opts.store, this.opts.log, () => {
        if (this.rooms.get(name) === p) this.rooms.delete(name);
      });
      p = room.load().then(async () => {
        await this.opts.onRoomLoaded?.(room);
        return room;
      });
      const loading = p;
      // A failed load is forgotten so the next connection retries it (but never a newer load).
      loading.catch(() => {
        if (this.rooms.get(name) === loading) this.rooms.delete(name);
      });
      this.rooms.set(name, p);
    }
    return p;
  }

  /** Runs a server-side change against a room's document (numbers, members, catalog version). */
  async withDoc<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const room = await this.getRoom(name);
    const out = fn(room.doc);
    await room.flushed();
    return out;
  }

  loadedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** Wires one websocket to a room: queues its frames until the room is loaded. */
  connect(name: string, conn: Conn): ConnectionHandler {
    const log = this.opts.log.child({ room: name, conn: conn.id });
    const policy = this.opts.resolveRoom(name);
    if (!policy || this.closing) {
      conn.close(policy ? CloseCode.ShuttingDown : CloseCode.NotFound, policy ? 'shutting down' : `no room ${name}`);
      return { onMessage() {}, onClose() {} };
    }
    let room: Room | null = null;
    let closed = false;
    const fail = (code: number, reason: string, err?: unknown) => {
      if (closed) return;
      closed = true;
      log.warn({ err, code }, reason);
      conn.close(code, reason);
    };
    // The first sync reply waits for the persisted state: everything goes through this chain.
    let queue: Promise<void> = this.getRoom(name).then(
      (r) => {
        if (closed) return;
        room = r;
        r.add(conn);
        conn.send(syncStep1Message(r.doc));
        const states = r.awareness.getStates();
        if (states.size) conn.send(awarenessMessage(r.awareness, [...states.keys()]));
      },
      (err) => fail(CloseCode.StorageFailure, 'could not load room', err)
    );
    const origin = { kind: 'remote', connId: conn.id } as const;
    return {
      onMessage: (data) => {
        if (closed) return;
        if (typeof data === 'string') return fail(CloseCode.BadMessage, 'text frames are not part of the protocol');
        if (data.byteLength > this.maxMessageBytes)
          return fail(CloseCode.TooLarge, `message of ${data.byteLength} bytes exceeds ${this.maxMessageBytes}`);
        const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
        queue = queue.then(() => {
          if (closed || !room) return;
          try {
            const reply = handleMessage(
              bytes,
              room.doc,
              room.awareness,
              room.clientWritable,
              room.clientWritable ? origin : null
            );
            if (reply) conn.send(reply);
          } catch (err) {
            fail(CloseCode.BadMessage, 'malformed message', err);
          }
        });
      },
      onClose: () => {
        closed = true;
        void queue.then(() => room?.remove(conn));
      }
    };
  }

  /** Compacts long logs and unloads rooms nobody has used for a while. */
  async sweep(now = Date.now()): Promise<void> {
    const idleMs = this.opts.roomIdleMs ?? ROOM_IDLE_MS;
    const compactAfter = this.opts.compactAfterUpdates ?? COMPACT_AFTER_UPDATES;
    for (const [name, p] of [...this.rooms]) {
      const room = await p.catch(() => null);
      if (!room) continue;
      try {
        const idle = room.idleSince !== null && now - room.idleSince >= idleMs;
        if (idle || room.appendedSinceCompaction >= compactAfter) await room.compact();
        // Re-check after the await: a client may have joined, or the server written, meanwhile.
        if (idle && room.conns.size === 0 && room.appendedSinceCompaction === 0 && this.rooms.get(name) === p) {
          this.drop(name, p, room);
        }
      } catch (err) {
        this.opts.log.error({ err, room: name }, 'compaction failed');
      }
    }
  }

  private drop(name: string, p: Promise<Room>, room: Room) {
    if (this.rooms.get(name) === p) this.rooms.delete(name);
    room.destroy();
    this.opts.log.debug({ room: name }, 'room unloaded');
  }

  /** Stops accepting, persists and compacts everything, closes every connection. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const [name, p] of this.rooms) {
      const room = await p.catch(() => null);
      if (!room) continue;
      await room.compact().catch((err) => this.opts.log.error({ err, room: name }, 'final compaction failed'));
      for (const conn of room.conns.keys()) conn.close(CloseCode.ShuttingDown, 'server shutting down');
      room.destroy();
    }
    this.rooms.clear();
  }
}
