/**
 * Our relay under test: the `Relay` class with `SqliteDocStore`, every room writable, bound to a
 * `ws` server the way sync-server/src/server.ts and relay/socket.ts bind it, without the HTTP app
 * or auth. Everything about how the relay is constructed lives in this file: when the Relay's
 * constructor or socket binding changes, change it here (and only here).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ulid } from '@firebreak/shared';
import { openDatabase } from '@firebreak/sync-server/src/db.ts';
import { CloseCode } from '@firebreak/sync-server/src/relay/protocol.ts';
import { MAX_MESSAGE_BYTES, Relay } from '@firebreak/sync-server/src/relay/relay.ts';
import type { Conn } from '@firebreak/sync-server/src/relay/room.ts';
import { PING_INTERVAL_MS } from '@firebreak/sync-server/src/relay/socket.ts';
import { SqliteDocStore } from '@firebreak/sync-server/src/store/sqlite-doc-store.ts';
import { announce, dataDir, onStop } from './contract.ts';

/** Same cut-off for a client that stops reading as relay/socket.ts uses. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
const SYNC_PREFIX = '/sync/';

const db = openDatabase(dataDir());
const relay = new Relay({
  store: new SqliteDocStore(db),
  log: pino({ level: 'silent' }),
  resolveRoom: () => ({ writable: true })
});

// ws's own cap sits above the relay's, as in server.ts, so oversized frames get the relay's 4413.
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES * 2 });
const server = http.createServer((_req, res) => res.writeHead(404).end());

server.on('upgrade', (req, socket, head) => {
  const path = (req.url ?? '').split('?')[0]!;
  if (!path.startsWith(SYNC_PREFIX)) return socket.destroy();
  const room = decodeURIComponent(path.slice(SYNC_PREFIX.length));
  wss.handleUpgrade(req, socket, head, (ws) => bind(ws, room));
});

/** relay/socket.ts's syncSocket, on a bare `ws` socket instead of Hono's wrapper. */
function bind(raw: WebSocket, room: string) {
  const conn: Conn = {
    id: ulid(),
    send(data) {
      if (raw.readyState !== raw.OPEN) return;
      if (raw.bufferedAmount > MAX_BUFFERED_BYTES) return raw.close(CloseCode.TooLarge, 'client too slow');
      raw.send(data);
    },
    close(code, reason) {
      if (raw.readyState === raw.OPEN || raw.readyState === raw.CONNECTING) raw.close(code, reason.slice(0, 120));
    }
  };
  let alive = true;
  raw.on('pong', () => (alive = true));
  const heartbeat = setInterval(() => {
    if (!alive) return raw.terminate();
    alive = false;
    raw.ping();
  }, PING_INTERVAL_MS);
  const handler = relay.connect(room, conn);
  raw.on('message', (data: Buffer, isBinary: boolean) => handler.onMessage(isBinary ? data : data.toString()));
  raw.on('close', () => {
    clearInterval(heartbeat);
    handler.onClose();
  });
  raw.on('error', () => {});
}

server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));

onStop(async () => {
  await relay.close();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
});
