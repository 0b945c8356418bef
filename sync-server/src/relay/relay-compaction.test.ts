import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { openDatabase } from '../db/open.ts';
import { WorkspaceStore } from '../access/workspaces.ts';
import { SqliteDocStore } from '../store/sqlite-doc-store.ts';
import { WorkerCompactor } from '../store/compaction.ts';
import { tempDir } from '../test/harness.ts';
import { editorContext, fakeConn } from '../test/relay-conns.ts';
import { MESSAGE_SYNC, updateMessage } from './protocol.ts';
import { Relay } from './relay.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const flush = () => new Promise((r) => setTimeout(r, 20));

/** Our relay on a SQLite file, compacting in a worker whose progress `onStep` hears. */
function setup(dir = tempDir(), onStep?: (room: string, step: string) => void) {
  const db = openDatabase(dir);
  const workspaces = new WorkspaceStore(db);
  if (!workspaces.get('w')) workspaces.create('w', 'W');
  const store = new SqliteDocStore(db);
  const relay = new Relay({
    store,
    compactor: new WorkerCompactor(db.name, onStep),
    log: pino({ level: 'silent' }),
    resolveRoom: () => ({ workspaceId: 'w', writable: true })
  });
  cleanups.push(async () => {
    await relay.close();
    db.close();
  });
  return { dir, store, relay };
}

/** Stores `n` updates to `room` directly (a long log, as after a busy day). */
function storeLog(store: SqliteDocStore, room: string, n: number): Y.Doc {
  const doc = new Y.Doc();
  store.transaction(() => {
    doc.on('update', (u: Uint8Array) => store.append('w', room, u));
    for (let i = 0; i < n; i++) doc.getMap('m').set(`k${i}`, `entry ${i} `.repeat(3));
  });
  return doc;
}

const syncStep1 = (doc: Y.Doc) => {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint8Array(enc, Y.encodeStateVector(doc));
  return encoding.toUint8Array(enc);
};

/** The payloads of the sync step 2 frames among `frames`. */
function step2Payloads(frames: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const dec = decoding.createDecoder(f);
    if (decoding.readVarUint(dec) !== MESSAGE_SYNC || decoding.readVarUint(dec) !== 1) continue;
    out.push(decoding.readVarUint8Array(dec));
  }
  return out;
}

// Worker threads start slowly on a busy machine: a generous guard against hangs, not a timing.
const TIMEOUT = 90_000;

describe('relay compaction', () => {
  it(
    '[R22] a big room compacting in the worker does not hold up another room’s broadcasts',
    async () => {
      const events: string[] = [];
      const { store, relay } = setup(tempDir(), (room, step) => events.push(`${room} ${step}`));
      storeLog(store, 'big', 8_000);
      const big = await relay.getRoom('big');
      expect(big.sinceCompaction).toBe(8_000);
      const a = fakeConn('a');
      const b = fakeConn('b', () => events.push('other broadcast'));
      const ha = relay.connect('other', a.conn, editorContext('a'));
      relay.connect('other', b.conn, editorContext('b'));
      await flush();
      events.length = 0;

      const compacting = relay.compact(big).then(() => events.push('big compacted'));
      // The worker has read the big log and is merging it: the relay goes on meanwhile.
      while (!events.includes('big read')) await new Promise((r) => setImmediate(r));
      const edit = new Y.Doc();
      edit.getMap('m').set('during', 'compaction');
      ha.onMessage(updateMessage(Y.encodeStateAsUpdate(edit)));
      await compacting;
      expect(events).toEqual(['big read', 'other broadcast', 'big compacted']);
      expect(store.pendingCount('big')).toBe(0);
      expect(big.sinceCompaction).toBe(0);
    },
    TIMEOUT
  );

  it(
    '[R22] updates stored while the worker compacts stay in the log, counted for the next compaction',
    async () => {
      let onRead = () => {};
      const { dir, store, relay } = setup(tempDir(), () => onRead());
      const doc = storeLog(store, 'w', 2_000);
      const room = await relay.getRoom('w');
      const a = fakeConn('a');
      const ha = relay.connect('w', a.conn, editorContext('a'));
      await flush();
      const writer = new Y.Doc();
      Y.applyUpdate(writer, Y.encodeStateAsUpdate(doc));
      const sent: Uint8Array[] = [];
      writer.on('update', (u: Uint8Array) => sent.push(u));
      // Ten more updates reach the relay (and the log) while the worker merges what it read.
      onRead = () => {
        for (let i = 0; i < 10; i++) {
          writer.getMap('m').set(`late${i}`, i);
          ha.onMessage(updateMessage(sent.at(-1)!));
        }
      };
      await relay.compact(room);
      await flush();
      expect(store.pendingCount('w')).toBe(10);
      expect(room.sinceCompaction).toBe(10);
      await relay.close();
      const reopened = new SqliteDocStore(openDatabase(dir));
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, (await reopened.load('w')).state!);
      expect(loaded.getMap('m').toJSON()).toEqual(writer.getMap('m').toJSON());
    },
    TIMEOUT
  );

  it(
    '[R24] a cold join gets the whole stored document in its first sync reply, sent as stored',
    async () => {
      const dir = tempDir();
      const first = setup(dir);
      const doc = storeLog(first.store, 'w', 3_000);
      // The log folded into a snapshot, as a restart leaves it, plus a few later updates.
      await first.relay.compact(await first.relay.getRoom('w'));
      doc.on('update', (u: Uint8Array) => first.store.append('w', 'w', u));
      doc.getMap('m').set('after', 'snapshot');
      await first.relay.close();

      const { store, relay } = setup(dir);
      const stored = await store.load('w');
      const c = fakeConn('c');
      const handler = relay.connect('w', c.conn, editorContext('c'));
      // Asked at once, before the room has loaded: the answer waits for the load, it is never empty.
      handler.onMessage(syncStep1(new Y.Doc()));
      await flush();
      const replies = step2Payloads(c.sent);
      expect(replies.length).toBe(1);
      expect(replies[0]).toEqual(stored.state);
      const joined = new Y.Doc();
      Y.applyUpdate(joined, replies[0]!);
      expect(joined.getMap('m').toJSON()).toEqual(doc.getMap('m').toJSON());
    },
    TIMEOUT
  );
});
