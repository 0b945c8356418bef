import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocStore } from './doc-store.ts';

function update(fn: (doc: Y.Doc) => void, doc = new Y.Doc()): Uint8Array {
  let out: Uint8Array | null = null;
  doc.once('update', (u: Uint8Array) => (out = u));
  fn(doc);
  return out!;
}

function loaded(state: Uint8Array | null): Y.Doc {
  const doc = new Y.Doc();
  if (state) Y.applyUpdate(doc, state);
  return doc;
}

/**
 * The behaviour every DocStore implementation must have. `create` gives a fresh store whose
 * database already has workspaces `w` (the tests write rooms of it).
 */
export function registerDocStoreContractTests(name: string, create: () => Promise<DocStore>) {
  describe(`DocStore contract: ${name}`, () => {
    it('[DS1] a room never written loads as null at sequence 0', async () => {
      const store = await create();
      expect(await store.load('nothing')).toEqual({ state: null, seq: 0, pending: 0 });
    });

    it('[DS2] appended updates load back merged, per room, with increasing sequence numbers', async () => {
      const store = await create();
      const doc = new Y.Doc();
      const s1 = store.append(
        'w',
        'w',
        update((d) => d.getMap('m').set('x', 1), doc)
      );
      const s2 = store.append(
        'w',
        'w',
        update((d) => d.getMap('m').set('y', 2), doc)
      );
      const s3 = store.append(
        'w',
        'w.system',
        update((d) => d.getMap('m').set('z', 3))
      );
      expect(s2).toBeGreaterThan(s1);
      expect(s3).toBeGreaterThan(s2);
      const a = await store.load('w');
      expect(loaded(a.state).getMap('m').toJSON()).toEqual({ x: 1, y: 2 });
      expect(a).toMatchObject({ seq: s2, pending: 2 });
      expect(store.pendingCount('w')).toBe(2);
    });

    it('[DS3] compaction replaces the log up to its sequence number and keeps every later append', async () => {
      const store = await create();
      const doc = new Y.Doc();
      let seq = 0;
      for (let i = 0; i < 20; i++)
        seq = store.append(
          'w',
          'w',
          update((d) => d.getArray('a').push([i]), doc)
        );
      const snapshot = Y.encodeStateAsUpdate(doc);
      // Written after the snapshot was taken (another process, or the live relay): must survive.
      const later = store.append(
        'w',
        'w',
        update((d) => d.getArray('a').push([20]), doc)
      );
      store.compact('w', 'w', snapshot, seq);
      expect(store.pendingCount('w')).toBe(1);
      const after = await store.load('w');
      expect(loaded(after.state).getArray('a').toArray()).toEqual([...Array(21).keys()]);
      expect(after.seq).toBe(later);
    });

    it('[DS5] an older snapshot never replaces a newer one', async () => {
      const store = await create();
      const doc = new Y.Doc();
      const s1 = store.append(
        'w',
        'w',
        update((d) => d.getArray('a').push([1]), doc)
      );
      const old = Y.encodeStateAsUpdate(doc);
      const s2 = store.append(
        'w',
        'w',
        update((d) => d.getArray('a').push([2]), doc)
      );
      store.compact('w', 'w', Y.encodeStateAsUpdate(doc), s2);
      store.compact('w', 'w', old, s1);
      expect(
        loaded((await store.load('w')).state)
          .getArray('a')
          .toArray()
      ).toEqual([1, 2]);
    });

    it('[DS6] a transaction that throws stores none of its appends; a failing nested one only undoes itself', async () => {
      const store = await create();
      const doc = new Y.Doc();
      expect(() =>
        store.transaction(() => {
          store.append(
            'w',
            'w',
            update((d) => d.getMap('m').set('lost', 1), doc)
          );
          throw new Error('hook failed');
        })
      ).toThrow('hook failed');
      expect(await store.load('w')).toMatchObject({ state: null, pending: 0 });

      const kept = new Y.Doc();
      store.transaction(() => {
        store.append(
          'w',
          'w',
          update((d) => d.getMap('m').set('kept', 1), kept)
        );
        try {
          store.transaction(() => {
            store.append(
              'w',
              'w.system',
              update((d) => d.getMap('m').set('undone', 1))
            );
            throw new Error('one room failed');
          });
        } catch {
          // the other room goes on
        }
      });
      expect(
        loaded((await store.load('w')).state)
          .getMap('m')
          .toJSON()
      ).toEqual({ kept: 1 });
      expect((await store.load('w.system')).state).toBeNull();
    });
  });
}
