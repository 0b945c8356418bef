import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocStore } from '../store/doc-store.ts';
import { awarenessMessage, CloseCode, updateMessage } from './protocol.ts';

/** One websocket as the relay sees it (a thin wrapper over `ws`, so tests can count frames). */
export interface Conn {
  readonly id: string;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * A loaded document and the connections editing it. Every update, whoever wrote it, is appended
 * to the store and only then broadcast to every connection (the sender too: y-websocket clients
 * rely on the echo), through one promise chain so the order on disk is the order on the wire.
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Connection → the awareness client ids it controls (removed when it goes). */
  readonly conns = new Map<Conn, Set<number>>();
  /** Updates appended since the last compaction. */
  appendedSinceCompaction = 0;
  idleSince: number | null = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private broken = false;

  constructor(
    readonly name: string,
    readonly clientWritable: boolean,
    private readonly store: DocStore,
    private readonly log: Logger,
    /** Called once when an update could not be stored: the relay forgets this room. */
    private readonly onBroken: () => void = () => {}
  ) {
    this.awareness.setLocalState(null);
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      const ids = this.conns.get(origin as Conn);
      if (ids) {
        for (const id of added) ids.add(id);
        for (const id of removed) ids.delete(id);
      }
      this.broadcast(awarenessMessage(this.awareness, changed));
    });
  }

  /** Applies the persisted state; only then is the update listener attached. */
  async load(): Promise<void> {
    const state = await this.store.load(this.name);
    if (state) Y.applyUpdate(this.doc, state);
    this.appendedSinceCompaction = await this.store.pendingCount(this.name);
    this.doc.on('update', (update: Uint8Array) => this.persistThenBroadcast(update));
  }

  private persistThenBroadcast(update: Uint8Array) {
    this.chain = this.chain
      .then(() => this.store.append(this.name, update))
      .then(
        () => {
          this.appendedSinceCompaction++;
          this.broadcast(updateMessage(update));
        },
        (err: unknown) => {
          // Not stored, so not sent: drop every connection; the clients still hold the edit and
          // send it again on reconnect, into a room reloaded from what the store really has.
          this.log.error({ err, room: this.name }, 'could not persist update; closing room');
          if (!this.broken) this.onBroken();
          this.broken = true;
          for (const conn of this.conns.keys()) conn.close(CloseCode.StorageFailure, 'storage failure');
        }
      );
  }

  /** Resolves once every update so far is stored (and broadcast). */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** Merges the stored log into one snapshot, in order with the appends. */
  compact(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.broken) return;
      await this.store.compact(this.name, Y.encodeStateAsUpdate(this.doc));
      this.appendedSinceCompaction = 0;
    });
    return this.chain;
  }

  broadcast(message: Uint8Array) {
    for (const conn of this.conns.keys()) conn.send(message);
  }

  add(conn: Conn) {
    this.conns.set(conn, new Set());
    this.idleSince = null;
  }

  remove(conn: Conn) {
    const ids = this.conns.get(conn);
    this.conns.delete(conn);
    if (ids?.size) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
    if (this.conns.size === 0) this.idleSince = Date.now();
  }

  destroy() {
    this.awareness.destroy();
    this.doc.destroy();
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}
