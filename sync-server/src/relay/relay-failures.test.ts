import { describe, expect, it } from 'vitest';
import pino from 'pino';
import * as Y from 'yjs';
import { openDatabase } from '../db.ts';
import { SqliteDocStore } from '../store/sqlite-doc-store.ts';
import type { DocStore } from '../store/doc-store.ts';
import { CloseCode, updateMessage } from './protocol.ts';
import { Relay } from './relay.ts';
import type { Conn } from './room.ts';

/** A store that fails on demand, around the real SQLite one. */
class FlakyStore implements DocStore {
  failLoads = 0;
  failAppends = false;
  readonly inner = new SqliteDocStore(openDatabase(':memory:'));
  async load(room: string) {
    if (this.failLoads > 0) {
      this.failLoads--;
      throw new Error('disk on fire');
    }
    return this.inner.load(room);
  }
  async append(room: string, update: Uint8Array) {
    if (this.failAppends) throw new Error('disk full');
    return this.inner.append(room, update);
  }
  compact = (room: string, snapshot: Uint8Array) => this.inner.compact(room, snapshot);
  pendingCount = (room: string) => this.inner.pendingCount(room);
  close = () => this.inner.close();
}

function fakeConn(id: string) {
  const sent: Uint8Array[] = [];
  let closed: number | null = null;
  const conn: Conn = { id, send: (d) => sent.push(d), close: (code) => (closed ??= code) };
  return { conn, sent, closed: () => closed };
}

const flush = () => new Promise((r) => setTimeout(r, 20));

function anUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('m').set('k', 'v');
  return Y.encodeStateAsUpdate(doc);
}

describe('relay under storage failures', () => {
  const setup = () => {
    const store = new FlakyStore();
    const relay = new Relay({ store, log: pino({ level: 'silent' }), resolveRoom: () => ({ writable: true }) });
    return { store, relay };
  };

  it('[R12] a room that fails to load closes its connection with 1011, and the next one loads it', async () => {
    const { store, relay } = setup();
    store.failLoads = 1;
    const a = fakeConn('a');
    relay.connect('room', a.conn);
    await flush();
    expect(a.closed()).toBe(CloseCode.StorageFailure);
    const b = fakeConn('b');
    relay.connect('room', b.conn);
    await flush();
    expect(b.closed()).toBeNull();
    expect(b.sent.length).toBeGreaterThan(0);
    await relay.close();
  });

  it('[R13] an update the store cannot append is never broadcast; every connection is closed with 1011', async () => {
    const { store, relay } = setup();
    const a = fakeConn('a');
    const b = fakeConn('b');
    const ha = relay.connect('room', a.conn);
    relay.connect('room', b.conn);
    await flush();
    const before = b.sent.length;
    store.failAppends = true;
    ha.onMessage(updateMessage(anUpdate()));
    await flush();
    expect(b.sent.length).toBe(before);
    expect(a.closed()).toBe(CloseCode.StorageFailure);
    expect(b.closed()).toBe(CloseCode.StorageFailure);
    expect(await store.inner.load('room')).toBeNull();
    // The broken room is forgotten: the next connection gets it reloaded from what the store has.
    store.failAppends = false;
    const c = fakeConn('c');
    const hc = relay.connect('room', c.conn);
    await flush();
    expect((await relay.getRoom('room')).doc.getMap('m').size).toBe(0);
    hc.onMessage(updateMessage(anUpdate()));
    await flush();
    expect(c.closed()).toBeNull();
    expect(await store.inner.load('room')).not.toBeNull();
    await relay.close();
  });
});
