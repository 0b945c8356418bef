/** The compaction worker thread's work: see WorkerCompactor in compaction.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { compactStored, type CompactReply, type CompactRequest } from './compaction.ts';
import { SqliteDocStore } from './sqlite-doc-store.ts';

const db = new Database((workerData as { file: string }).file);
// The same settings as the relay's connection (journal_mode WAL is the file's, set there).
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
const store = new SqliteDocStore(db);
const port = parentPort!;

port.on('message', (req: CompactRequest) => {
  let reply: CompactReply;
  try {
    const result = compactStored(
      store,
      req.workspaceId,
      req.room,
      { gc: req.gc },
      {
        read: ({ seq, entries }) => port.postMessage({ id: req.id, step: 'read', seq, entries } satisfies CompactReply)
      }
    );
    reply = { id: req.id, ok: true, result };
  } catch (err) {
    reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
