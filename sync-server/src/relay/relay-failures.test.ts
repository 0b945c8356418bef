import { describe, expect, it } from 'vitest';
import pino from 'pino';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { openDatabase } from '../db/open.ts';
import { WorkspaceStore } from '../access/workspaces.ts';
import { SqliteDocStore } from '../store/sqlite-doc-store.ts';
import type { DocStore } from '../store/doc-store.ts';
import { CloseCode, updateMessage } from './protocol.ts';
import { Relay } from './relay.ts';
import { Room } from './room.ts';
import { editorContext, fakeConn } from '../test/relay-conns.ts';

/** A store that fails on demand, around the real SQLite one. */
class FlakyStore implements DocStore {
  failLoads = 0;
  failAppends = false;
  readonly inner: SqliteDocStore;
  constructor() {
    const db = openDatabase(':memory:');
    new WorkspaceStore(db).create('w', 'W');
    this.inner = new SqliteDocStore(db);
  }
  async load(room: string) {
    if (this.failLoads > 0) {
      this.failLoads--;
      throw new Error('disk on fire');
    }
    return this.inner.load(room);
  }
  append(ws: string, room: string, update: Uint8Array) {
    if (this.failAppends) throw new Error('disk full');
    return this.inner.append(ws, room, update);
  }
  transaction = <T>(fn: () => T) => this.inner.transaction(fn);
  compact = (ws: string, room: string, snapshot: Uint8Array, seq: number) =>
    this.inner.compact(ws, room, snapshot, seq);
  parts = (room: string) => this.inner.parts(room);
  pendingCount = (room: string) => this.inner.pendingCount(room);
  close = () => this.inner.close();
}

const ctx = editorContext;

const flush = () => new Promise((r) => setTimeout(r, 20));

/**
 * The intervals set and not yet cleared while `fn` runs (each room's Awareness sets one): the real
 * timers, counted on their way through the globals.
 */
async function countingIntervals<T>(fn: (live: () => number) => Promise<T>): Promise<T> {
  const live = new Set<unknown>();
  const { setInterval: set, clearInterval: clear } = globalThis;
  globalThis.setInterval = ((...args: Parameters<typeof set>) => {
    const handle = set(...args);
    live.add(handle);
    return handle;
  }) as typeof set;
  globalThis.clearInterval = ((handle: Parameters<typeof clear>[0]) => {
    live.delete(handle);
    clear(handle);
  }) as typeof clear;
  try {
    return await fn(() => live.size);
  } finally {
    globalThis.setInterval = set;
    globalThis.clearInterval = clear;
  }
}

function anUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('m').set('k', 'v');
  return Y.encodeStateAsUpdate(doc);
}

describe('relay under storage failures', () => {
  const setup = () => {
    const store = new FlakyStore();
    const relay = new Relay({
      store,
      log: pino({ level: 'silent' }),
      resolveRoom: () => ({ workspaceId: 'w', writable: true })
    });
    return { store, relay };
  };

  it('[R12] a room that fails to load closes its connection with 1011, and the next one loads it', async () => {
    const { store, relay } = setup();
    store.failLoads = 1;
    const a = fakeConn('a');
    relay.connect('w', a.conn, ctx('a'));
    await flush();
    expect(a.closed()).toBe(CloseCode.StorageFailure);
    const b = fakeConn('b');
    relay.connect('w', b.conn, ctx('b'));
    await flush();
    expect(b.closed()).toBeNull();
    expect(b.sent.length).toBeGreaterThan(0);
    await relay.close();
  });

  it('[R13] an update the store cannot append is never broadcast; every connection is closed with 1011', async () => {
    const { store, relay } = setup();
    const a = fakeConn('a');
    const b = fakeConn('b');
    const ha = relay.connect('w', a.conn, ctx('a'));
    relay.connect('w', b.conn, ctx('b'));
    await flush();
    const before = b.sent.length;
    store.failAppends = true;
    ha.onMessage(updateMessage(anUpdate()));
    await flush();
    expect(b.sent.length).toBe(before);
    expect(a.closed()).toBe(CloseCode.StorageFailure);
    expect(b.closed()).toBe(CloseCode.StorageFailure);
    expect((await store.inner.load('w')).state).toBeNull();
    // The broken room is forgotten: the next connection gets it reloaded from what the store has.
    store.failAppends = false;
    const c = fakeConn('c');
    const hc = relay.connect('w', c.conn, ctx('c'));
    await flush();
    expect((await relay.getRoom('w')).doc.getMap('m').size).toBe(0);
    hc.onMessage(updateMessage(anUpdate()));
    await flush();
    expect(c.closed()).toBeNull();
    expect((await store.inner.load('w')).state).not.toBeNull();
    await relay.close();
  });

  it('[R21] updates arriving in one turn are stored in one transaction and broadcast as one frame', async () => {
    const { store, relay } = setup();
    let transactions = 0;
    const inner = store.transaction;
    store.transaction = <T>(fn: () => T) => {
      transactions++;
      return inner(fn);
    };
    const a = fakeConn('a');
    const b = fakeConn('b');
    const ha = relay.connect('w', a.conn, ctx('a'));
    relay.connect('w', b.conn, ctx('b'));
    await flush();
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 10; i++) doc.getArray('a').push([i]);
    const before = { sent: b.sent.length, tx: transactions };
    for (const u of updates) ha.onMessage(updateMessage(u));
    await flush();
    // One transaction, one frame carrying all ten.
    expect(transactions - before.tx).toBe(1);
    expect(b.sent.length - before.sent).toBe(1);
    const receiver = new Y.Doc();
    const dec = decoding.createDecoder(b.sent.at(-1)!);
    expect([decoding.readVarUint(dec), decoding.readVarUint(dec)]).toEqual([0, 2]);
    Y.applyUpdate(receiver, decoding.readVarUint8Array(dec));
    expect(receiver.getArray('a').toArray()).toEqual([...Array(10).keys()]);
    expect(store.pendingCount('w')).toBe(10);
    await relay.close();
  });

  it('[R23] rooms that fail to load or to store are destroyed: their Awareness timers stop', async () => {
    await countingIntervals(async (timers) => {
      const { store, relay } = setup();
      // The measure sees one room's Awareness timer, and its going away.
      const base = timers();
      const probe = new Room('probe', { workspaceId: 'w', writable: true });
      expect(timers()).toBe(base + 1);
      probe.destroy();
      expect(timers()).toBe(base);

      store.failLoads = 10;
      const failed = Array.from({ length: 10 }, (_, i) => fakeConn(`c${i}`));
      failed.forEach((c, i) => relay.connect(`room-${i}`, c.conn, ctx(`c${i}`)));
      await flush();
      for (const c of failed) expect(c.closed()).toBe(CloseCode.StorageFailure);
      expect(relay.openRooms()).toEqual([]);
      expect(timers()).toBe(base);

      const a = fakeConn('a');
      const ha = relay.connect('w', a.conn, ctx('a'));
      await flush();
      const room = relay.loadedRoom('w')!;
      const released: string[] = [];
      room.awareness.on('destroy', () => released.push('awareness'));
      room.doc.on('destroy', () => released.push('doc'));
      expect(timers()).toBe(base + 1);
      store.failAppends = true;
      ha.onMessage(updateMessage(anUpdate()));
      await flush();
      expect(a.closed()).toBe(CloseCode.StorageFailure);
      expect(room.destroyed).toBe(true);
      expect(released.sort()).toEqual(['awareness', 'doc']);
      expect(relay.openRooms()).toEqual([]);
      expect(timers()).toBe(base);
      await relay.close();
    });
  });
});
