/**
 * Hocuspocus with its SQLite extension, stock settings (2 s debounced store of the whole document,
 * 10 s at most), only the database file and the listening address set.
 */
import path from 'node:path';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';
import { announce, dataDir, onStop } from './contract.ts';

const sqlite = new SQLite({ database: path.join(dataDir(), 'hocuspocus.sqlite') });
const server = new Server({
  port: 0,
  address: '127.0.0.1',
  quiet: true,
  // Our own handler below also waits for sqlite3 to finish writing before the process exits.
  stopOnSignals: false,
  extensions: [sqlite]
});

await server.listen();
announce(server.address.port);

onStop(async () => {
  await server.destroy();
  // The extension's store() does not wait for its write; closing the handle does.
  await new Promise<void>((resolve, reject) =>
    sqlite.db ? sqlite.db.close((err) => (err ? reject(err) : resolve())) : resolve()
  );
});
