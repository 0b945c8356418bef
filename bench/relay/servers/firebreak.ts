/**
 * Our relay under test: the `Relay` class with `SqliteDocStore` (compacting in a worker thread,
 * as the real server does), every room writable, bound to a
 * `ws` server by the same `bindSyncSocket` the real server uses (relay/socket.ts), without the HTTP
 * app, sessions or the document hooks (numbering, validation). Every connection is its own member
 * (the per-member connection cap would otherwise count all bench clients as one person). When the
 * Relay's constructor or socket binding changes, change it here (and only here).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { ulid } from '@firebreak/shared';
import { openDatabase } from '@firebreak/sync-server/src/db/open.ts';
import { WorkspaceStore } from '@firebreak/sync-server/src/access/workspaces.ts';
import { MAX_MESSAGE_BYTES, Relay } from '@firebreak/sync-server/src/relay/relay.ts';
import { bindSyncSocket } from '@firebreak/sync-server/src/relay/socket.ts';
import { ClientOwnerStore } from '@firebreak/sync-server/src/store/client-owner-store.ts';
import { SqliteDocStore } from '@firebreak/sync-server/src/store/sqlite-doc-store.ts';
import { compactorFor } from '@firebreak/sync-server/src/store/compaction.ts';
import { announce, dataDir, onStop } from './contract.ts';

const WORKSPACE = 'bench';
const SYNC_PREFIX = '/sync/';

const db = openDatabase(dataDir());
const workspaces = new WorkspaceStore(db);
if (!workspaces.get(WORKSPACE)) workspaces.create(WORKSPACE, 'Bench');
const log = pino({ level: 'silent' });
const store = new SqliteDocStore(db);
const relay = new Relay({
  store,
  compactor: compactorFor(db, store),
  log,
  clientOwners: new ClientOwnerStore(db),
  resolveRoom: () => ({ workspaceId: WORKSPACE, writable: true })
});

const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
const server = http.createServer((_req, res) => res.writeHead(404).end());

server.on('upgrade', (req, socket, head) => {
  const path = (req.url ?? '').split('?')[0]!;
  if (!path.startsWith(SYNC_PREFIX)) return socket.destroy();
  const room = decodeURIComponent(path.slice(SYNC_PREFIX.length));
  const id = ulid();
  wss.handleUpgrade(req, socket, head, (ws) =>
    bindSyncSocket(
      ws,
      relay,
      room,
      { workspaceId: WORKSPACE, member: { id, name: id, email: `${id}@bench` }, role: 'editor', readOnly: false },
      log
    )
  );
});

server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));

onStop(async () => {
  await relay.close();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
});
