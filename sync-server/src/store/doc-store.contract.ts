import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocStore } from './doc-store.ts';

function update(fn: (doc: Y.Doc) => void, doc = new Y.Doc()): Uint8Array {
  let out: Uint8Array | null = null;
  doc.once('update', (u: Uint8Array) => (out = u));
  fn(doc);
  return out!;
}

/** The behaviour every DocStore implementation must have (SQLite today, Postgres next). */
export function registerDocStoreContractTests(name: string, create: () => Promise<DocStore>) {
  describe(`DocStore contract: ${name}`, () => {
    it('[DS1] a room never written loads as null', async () => {
      const store = await create();
      expect(await store.load('nothing')).toBeNull();
    });

    it('[DS2] appended updates load back merged, per room', async () => {
      const store = await create();
      const doc = new Y.Doc();
      await store.append(
        'a',
        update((d) => d.getMap('m').set('x', 1), doc)
      );
      await store.append(
        'a',
        update((d) => d.getMap('m').set('y', 2), doc)
      );
      await store.append(
        'b',
        update((d) => d.getMap('m').set('z', 3))
      );
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, (await store.load('a'))!);
      expect(loaded.getMap('m').toJSON()).toEqual({ x: 1, y: 2 });
      expect(await store.pendingCount('a')).toBe(2);
    });

    it('[DS3] compaction replaces the log by the snapshot and keeps later appends', async () => {
      const store = await create();
      const doc = new Y.Doc();
      for (let i = 0; i < 20; i++)
        await store.append(
          'r',
          update((d) => d.getArray('a').push([i]), doc)
        );
      await store.compact('r', Y.encodeStateAsUpdate(doc));
      expect(await store.pendingCount('r')).toBe(0);
      await store.append(
        'r',
        update((d) => d.getArray('a').push([20]), doc)
      );
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, (await store.load('r'))!);
      expect(loaded.getArray('a').toArray()).toEqual([...Array(21).keys()]);
      expect(await store.pendingCount('r')).toBe(1);
    });
  });
}
