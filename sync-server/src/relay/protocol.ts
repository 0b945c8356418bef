import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

/** y-websocket message types (the first varUint of every frame). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

/**
 * Close codes the relay uses. 44xx mirror HTTP 4xx statuses: y-websocket clients stop retrying
 * after them (retrying the same frame cannot help) and the app shows "Sync stopped" with the
 * reason. Everything else (1001, 1011, a dropped socket) is retried with backoff.
 */
export const CloseCode = {
  /** The frame could not be decoded as a y-websocket message. */
  BadMessage: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  /** No such room (unknown workspace). */
  NotFound: 4404,
  /** A message over MAX_MESSAGE_BYTES. */
  TooLarge: 4413,
  /** The store could not persist an update; reconnecting resends it. */
  StorageFailure: 1011,
  ShuttingDown: 1001
} as const;

export function syncStep1Message(doc: Y.Doc): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(enc, doc);
  return encoding.toUint8Array(enc);
}

export function updateMessage(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

export function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(enc);
}

export type Reply = Uint8Array | null;

/**
 * Handles one incoming frame against a room's doc and awareness; returns the reply to send to
 * the sender (if any). Throws on a malformed frame. When `writable` is false (the system
 * document), sync step 1 is answered but the client's updates are dropped.
 */
export function handleMessage(
  data: Uint8Array,
  doc: Y.Doc,
  awareness: awarenessProtocol.Awareness,
  writable: boolean,
  origin: unknown
): Reply {
  const dec = decoding.createDecoder(data);
  const type = decoding.readVarUint(dec);
  switch (type) {
    case MESSAGE_SYNC: {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_SYNC);
      const syncType = decoding.readVarUint(dec);
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        syncProtocol.readSyncStep1(dec, enc, doc);
      } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
        const update = decoding.readVarUint8Array(dec);
        // Y.applyUpdate directly: y-protocols' readSyncStep2 logs and swallows a broken update,
        // and a broken update must close the connection that sent it.
        if (writable) Y.applyUpdate(doc, update, origin);
      } else {
        throw new Error(`unknown sync message type ${syncType}`);
      }
      return encoding.length(enc) > 1 ? encoding.toUint8Array(enc) : null;
    }
    case MESSAGE_AWARENESS:
      awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(dec), origin);
      return null;
    case MESSAGE_QUERY_AWARENESS:
      return awarenessMessage(awareness, Array.from(awareness.getStates().keys()));
    default:
      throw new Error(`unknown message type ${type}`);
  }
}
