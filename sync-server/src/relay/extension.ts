import type * as Y from 'yjs';
import type { Room } from './room.ts';
import type { ConnectionContext } from './types.ts';

/** An applied transaction on a loaded room (a client's update or the server's own write). */
export interface ChangeEvent {
  room: Room;
  doc: Y.Doc;
  /** Yjs's record of the transaction: `beforeState`/`afterState`, `changed`, `deleteSet`, `origin`. */
  txn: Y.Transaction;
  /** The connection that sent it, or null for the server's own writes. */
  context: ConnectionContext | null;
}

/** Updates of one room about to be committed, with the hooks' chance to write in the same transaction. */
export interface StoreEvent {
  room: Room;
  updates: readonly Uint8Array[];
  /** Sequence number of the last appended update. */
  seq: number;
}

/**
 * A relay extension, Hocuspocus-style: numbering, validation, the integrations watcher and the
 * outbox plug in through these hooks rather than through special cases in the relay.
 * Hooks must not throw for bad document content: a throwing `onLoad` fails the load (1011), a
 * throwing `onStore` rolls that room's batch back (its connections close with 1011 and resend).
 */
export interface Extension {
  name: string;
  /** Once a room's persisted state is applied, before any client sees it. */
  onLoad?(room: Room): void | Promise<void>;
  /** Synchronously after every applied transaction; may write (compensate) with the server origin. */
  onChange?(event: ChangeEvent): void;
  /** Inside the store transaction of a batch, after its updates are appended, before any is broadcast. */
  onStore?(event: StoreEvent): void;
  /** A connection joined a room (after authentication). */
  onConnect?(room: Room, context: ConnectionContext): void;
  onDisconnect?(room: Room, context: ConnectionContext): void;
  /** The room is being dropped from memory (idle, failed, or shutdown). */
  onUnload?(room: Room): void;
}
