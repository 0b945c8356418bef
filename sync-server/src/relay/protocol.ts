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
 * reason. 45xx are "try again later": clients reconnect with backoff, and the app mentions it only
 * when it keeps happening. Everything else (1001, 1011, a dropped socket) is retried too.
 */
export const CloseCode = {
  /** The frame could not be decoded as a y-websocket message. */
  BadMessage: 4400,
  /** No valid session, or the member was removed. */
  Unauthorized: 4401,
  /** Not a member of this workspace, a refused Origin, or another member's client id. */
  Forbidden: 4403,
  /** No such room (unknown workspace). */
  NotFound: 4404,
  /** A message over the frame cap. */
  TooLarge: 4413,
  /** More simultaneous connections than one member may hold. */
  TooManyConnections: 4429,
  /** The room is still loading and this connection sent more than may wait for it. */
  Busy: 4503,
  /** The client does not read what it is sent fast enough. */
  SlowReader: 4508,
  /** More updates or full-state requests per second than allowed: back off and come back. */
  SlowDown: 4529,
  /**
   * The room's document was thrown away and is reloaded from the store (an update failed halfway
   * through being applied, so memory no longer matched the store): reconnecting resends what the
   * store lacks. Retried by y-websocket like every 45xx.
   */
  RoomReset: 4500,
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

/** One client's entry of an awareness update: y-protocols' wire format, decoded. */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** JSON text; "null" when the client left. */
  state: string;
}

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  const out: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      clientId: decoding.readVarUint(dec),
      clock: decoding.readVarUint(dec),
      state: decoding.readVarString(dec)
    });
  }
  return out;
}

export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(enc, e.clientId);
    encoding.writeVarUint(enc, e.clock);
    encoding.writeVarString(enc, e.state);
  }
  return encoding.toUint8Array(enc);
}

/** A decoded frame: what the relay acts on, checked before anything is applied. */
export type Frame =
  | { type: 'syncStep1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'queryAwareness' };

/** Decodes one frame; throws on anything that is not a y-websocket message. */
export function decodeFrame(data: Uint8Array): Frame {
  const dec = decoding.createDecoder(data);
  const type = decoding.readVarUint(dec);
  switch (type) {
    case MESSAGE_SYNC: {
      const syncType = decoding.readVarUint(dec);
      const payload = decoding.readVarUint8Array(dec);
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        Y.decodeStateVector(payload); // throws when malformed
        return { type: 'syncStep1', stateVector: payload };
      }
      if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate)
        return { type: 'update', update: payload };
      throw new Error(`unknown sync message type ${syncType}`);
    }
    case MESSAGE_AWARENESS:
      return { type: 'awareness', update: decoding.readVarUint8Array(dec) };
    case MESSAGE_QUERY_AWARENESS:
      return { type: 'queryAwareness' };
    default:
      throw new Error(`unknown message type ${type}`);
  }
}

/** An empty state vector: the client has nothing and asks for everything. */
export const asksForEverything = (stateVector: Uint8Array) => stateVector.length === 1 && stateVector[0] === 0;

/**
 * Sync step 2 answering `stateVector` with the difference, from an already encoded full state
 * when given (sent as it is when the client asks for everything: no decoding of a large document).
 */
export function syncStep2Message(doc: Y.Doc, stateVector: Uint8Array, fullState?: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep2);
  const diff = !fullState
    ? Y.encodeStateAsUpdate(doc, stateVector)
    : asksForEverything(stateVector)
      ? fullState
      : Y.diffUpdate(fullState, stateVector);
  encoding.writeVarUint8Array(enc, diff);
  return encoding.toUint8Array(enc);
}

/**
 * Decodes a whole update, structs and delete set, so that a malformed one is refused before any of
 * it is applied: `Y.applyUpdate` integrates the structs before it reads the delete set, so an
 * update whose delete set is bad (an empty range, a cut-off tail) would throw halfway and leave the
 * room's document changed by an update that is neither stored nor broadcast. Returns, per client,
 * the clock after its last struct (`Y.parseUpdateMeta(update).to`).
 */
export function checkUpdate(update: Uint8Array): Map<number, number> {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const [client, ranges] of ds.clients)
    for (const r of ranges)
      if (!(r.len > 0) || r.clock < 0) throw new Error(`empty or negative delete range of client ${client}`);
  const to = new Map<number, number>();
  for (const s of structs) to.set(s.id.client, Math.max(to.get(s.id.client) ?? 0, s.id.clock + s.length));
  return to;
}
