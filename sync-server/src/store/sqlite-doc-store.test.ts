import fs from 'node:fs';
import * as Y from 'yjs';
import { expect, it } from 'vitest';
import { DB_FILE, openDatabase, type Db } from '../db/open.ts';
import { WorkspaceStore } from '../access/workspaces.ts';
import { tempDir } from '../test/harness.ts';
import { registerDocStoreContractTests } from './doc-store.contract.ts';
import { SqliteDocStore } from './sqlite-doc-store.ts';

function withWorkspace(db: Db): Db {
  new WorkspaceStore(db).create('w', 'W');
  return db;
}

registerDocStoreContractTests(
  'sqlite (in memory)',
  async () => new SqliteDocStore(withWorkspace(openDatabase(':memory:')))
);
registerDocStoreContractTests('sqlite (file)', async () => new SqliteDocStore(withWorkspace(openDatabase(tempDir()))));

it('[DS4] the SQLite store keeps its data in DATA_DIR/firebreak.sqlite across reopen', async () => {
  const dir = tempDir();
  const db = withWorkspace(openDatabase(dir));
  const doc = new Y.Doc();
  doc.getMap('m').set('k', 'v');
  new SqliteDocStore(db).append('w', 'w', Y.encodeStateAsUpdate(doc));
  db.close();
  expect(fs.existsSync(`${dir}/${DB_FILE}`)).toBe(true);
  const again = new Y.Doc();
  Y.applyUpdate(again, (await new SqliteDocStore(openDatabase(dir)).load('w')).state!);
  expect(again.getMap('m').get('k')).toBe('v');
});
