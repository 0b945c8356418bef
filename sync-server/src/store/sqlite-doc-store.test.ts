import fs from 'node:fs';
import * as Y from 'yjs';
import { expect, it } from 'vitest';
import { openDatabase } from '../db.ts';
import { tempDir } from '../test/harness.ts';
import { registerDocStoreContractTests } from './doc-store.contract.ts';
import { SqliteDocStore } from './sqlite-doc-store.ts';

registerDocStoreContractTests('sqlite (in memory)', async () => new SqliteDocStore(openDatabase(':memory:')));
registerDocStoreContractTests('sqlite (file)', async () => new SqliteDocStore(openDatabase(tempDir())));

it('[DS4] the SQLite store keeps its data in DATA_DIR/firebreak.sqlite across reopen', async () => {
  const dir = tempDir();
  const db = openDatabase(dir);
  const doc = new Y.Doc();
  doc.getMap('m').set('k', 'v');
  await new SqliteDocStore(db).append('room', Y.encodeStateAsUpdate(doc));
  db.close();
  expect(fs.existsSync(`${dir}/firebreak.sqlite`)).toBe(true);
  const again = new Y.Doc();
  Y.applyUpdate(again, (await new SqliteDocStore(openDatabase(dir)).load('room'))!);
  expect(again.getMap('m').get('k')).toBe('v');
});
