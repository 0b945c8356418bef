import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mulberry32 } from '@firebreak/shared';
import { openDatabase } from '../db/open.ts';
import { WorkspaceStore } from '../access/workspaces.ts';
import { tempDir } from '../test/harness.ts';
import { SqliteDocStore } from './sqlite-doc-store.ts';
import { compactStored, foldParts, WorkerCompactor, type Compaction } from './compaction.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A SQLite store in a data folder of its own, with workspace `w`. */
function fileStore(dir = tempDir()) {
  const db = openDatabase(dir);
  const workspaces = new WorkspaceStore(db);
  if (!workspaces.get('w')) workspaces.create('w', 'W');
  cleanups.push(() => db.close());
  return { dir, db, store: new SqliteDocStore(db) };
}

/** A document whose every change is appended to the store's log of room `r`, as the relay does. */
function logged(store: SqliteDocStore, onSeq: (seq: number) => void = () => {}) {
  const doc = new Y.Doc();
  doc.on('update', (u: Uint8Array) => onSeq(store.append('w', 'r', u)));
  return doc;
}

/** One random edit (always one update): overwritten map keys, array pushes and deletes, text inserts and deletes. */
function edit(doc: Y.Doc, rnd: () => number, i: number) {
  const pick = rnd();
  const arr = doc.getArray<number>('a');
  const text = doc.getText('t');
  doc.transact(() => {
    if (pick < 0.4) doc.getMap('m').set(`k${Math.floor(rnd() * 20)}`, `value ${i} `.repeat(4));
    else if (pick < 0.7 && arr.length) arr.delete(Math.floor(rnd() * arr.length), 1);
    else if (pick < 0.9 || text.length <= 3) text.insert(Math.floor(rnd() * (text.length + 1)), `w${i} `);
    else text.delete(Math.floor(rnd() * (text.length - 3)), 3);
    if (pick >= 0.4 && pick < 0.55) arr.push([i]);
  });
}

function content(doc: Y.Doc) {
  const m = doc.getMap('m').toJSON();
  return {
    m: Object.fromEntries(
      Object.keys(m)
        .sort()
        .map((k) => [k, m[k]])
    ),
    a: doc.getArray('a').toJSON(),
    t: doc.getText('t').toString()
  };
}

/** What a fresh connection to the data folder loads (another process after a crash would). */
async function reloaded(dir: string): Promise<{ doc: Y.Doc; pending: number }> {
  const { store } = fileStore(dir);
  const stored = await store.load('r');
  const doc = new Y.Doc();
  if (stored.state) Y.applyUpdate(doc, stored.state);
  return { doc, pending: stored.pending };
}

function expectSame(a: Y.Doc, b: Y.Doc) {
  expect(content(a)).toEqual(content(b));
  expect(Y.decodeStateVector(Y.encodeStateVector(a))).toEqual(Y.decodeStateVector(Y.encodeStateVector(b)));
}

// Worker threads start slowly on a busy machine: a generous guard against hangs, not a timing.
const TIMEOUT = 90_000;

describe('compaction', () => {
  it(
    '[DS7] merged and rebuilt snapshots both load as the whole document; the rebuild drops overwritten content',
    async () => {
      const { store } = fileStore();
      const doc = logged(store);
      const rnd = mulberry32(7);
      for (let i = 0; i < 400; i++) edit(doc, rnd, i);
      const parts = store.parts('r');
      expect(parts.updates.length).toBe(400);
      const merged = foldParts(parts, { gc: false });
      const rebuilt = foldParts(parts, { gc: true });
      for (const snapshot of [merged, rebuilt]) {
        const loaded = new Y.Doc();
        Y.applyUpdate(loaded, snapshot);
        expectSame(loaded, doc);
      }
      // mergeUpdates keeps the payload of overwritten map values and deleted text; a rebuild does not.
      expect(rebuilt.byteLength).toBeLessThan(merged.byteLength);
    },
    TIMEOUT
  );

  it(
    '[DS8] a compaction stopped between any two steps loses nothing and the next one folds everything',
    async () => {
      const { dir, db, store } = fileStore();
      const doc = logged(store);
      const rnd = mulberry32(8);
      for (let i = 0; i < 200; i++) edit(doc, rnd, i);
      const crash = new Error('crash');
      // Stopped after reading the log, and after merging it (nothing written yet).
      for (const step of ['read', 'folded'] as const) {
        expect(
          () =>
        compactStored(store, 'w', 'r', { gc: false }, { [step]: () => { throw crash; } }) // prettier-ignore
        ).toThrow(crash);
        const after = await reloaded(dir);
        expectSame(after.doc, doc);
        expect(after.pending).toBe(200);
      }
      // Stopped while writing: the snapshot is in, the log delete fails; the transaction undoes both.
      db.exec(`CREATE TRIGGER no_delete BEFORE DELETE ON doc_updates BEGIN SELECT RAISE(ABORT, 'disk gone'); END`);
      expect(() => compactStored(store, 'w', 'r', { gc: true })).toThrow('disk gone');
      expect(db.prepare('SELECT count(*) AS n FROM doc_snapshots').get()).toEqual({ n: 0 });
      expectSame((await reloaded(dir)).doc, doc);
      db.exec('DROP TRIGGER no_delete');

      // A worker thread killed right after it read the log: nothing written, and a new worker takes over.
      let killed = 0;
      const compactor = new WorkerCompactor(db.name, (_room, _step, worker) => {
        if (killed++ === 0) void worker.terminate();
      });
      cleanups.push(() => compactor.close());
      const first = await compactor.compact('w', 'r', { gc: false }).then(
        (c) => c,
        (err: Error) => err
      );
      // Terminated while merging, or (rarely) just after its write committed: either way nothing is lost.
      const afterKill = await reloaded(dir);
      expectSame(afterKill.doc, doc);
      expect(afterKill.pending).toBe(first instanceof Error ? 200 : 0);
      for (let i = 200; i < 220; i++) edit(doc, rnd, i);
      const second = await compactor.compact('w', 'r', { gc: false });
      expect(second.entries).toBe(first instanceof Error ? 220 : 20);
      const final = await reloaded(dir);
      expectSame(final.doc, doc);
      expect(final.pending).toBe(0);
    },
    TIMEOUT
  );

  it(
    '[DS9] worker compactions while updates keep arriving lose nothing (seeded)',
    async () => {
      for (const seed of [1, 2, 3]) {
        const { dir, db, store } = fileStore();
        let lastSeq = 0;
        const doc = logged(store, (seq) => (lastSeq = seq));
        const rnd = mulberry32(seed);
        const compactor = new WorkerCompactor(db.name);
        cleanups.push(() => compactor.close());
        await compactor.compact('w', 'warm-up', { gc: false }); // the worker is running
        let running: Promise<Compaction> | null = null;
        /** Compactions that finished while later appends were already in the log. */
        let overlapped = 0;
        let folded = 0;
        for (let i = 0; i < 600; i++) {
          edit(doc, rnd, i);
          if (!running && rnd() < 0.05) {
            running = compactor.compact('w', 'r', { gc: rnd() < 0.3 });
            void running.then((c) => {
              folded += c.entries;
              if (lastSeq > c.upToSeq) overlapped++;
              running = null;
            });
          }
          // Let the event loop (and the worker's replies) run now and then, mid-compaction too.
          if (rnd() < 0.1) await new Promise((r) => setImmediate(r));
          else if (rnd() < 0.1) await new Promise((r) => setTimeout(r, 1));
        }
        await running;
        const rest = await compactor.compact('w', 'r', { gc: false });
        expect(folded + rest.entries).toBeGreaterThanOrEqual(600);
        expect(overlapped, `seed ${seed}: a compaction overlapped with appends`).toBeGreaterThan(0);
        const after = await reloaded(dir);
        expectSame(after.doc, doc);
        expect(after.pending).toBe(0);
      }
    },
    TIMEOUT
  );
});
