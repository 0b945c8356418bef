/**
 * @y/websocket-server 0.1.1 (the yjs 13 release) with its built-in LevelDB persistence
 * (y-leveldb, enabled by YPERSISTENCE), wired to a ws server the way its own bin/server.js does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { announce, dataDir, onStop } from './contract.ts';

// utils.js reads YPERSISTENCE when it is first imported.
process.env.YPERSISTENCE = path.join(dataDir(), 'leveldb');
const { setupWSConnection, getPersistence } = await import('@y/websocket-server/utils');

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('okay'));
wss.on('connection', setupWSConnection);
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));

onStop(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // y-leveldb queues its writes; destroy() runs after them and closes the database.
  const persistence = getPersistence() as { provider?: { destroy(): Promise<void> } } | null;
  await persistence?.provider?.destroy();
});
