import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import pino, { type Logger } from 'pino';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db.ts';
import { SqliteCatalogStore } from './catalog/catalog-store.ts';
import { MemberStore } from './members/member-store.ts';
import { MAX_MESSAGE_BYTES, Relay, type RelayOptions } from './relay/relay.ts';
import { SqliteDocStore } from './store/sqlite-doc-store.ts';
import { WorkspaceService } from './workspace/workspace-service.ts';
import { seedDemo } from './demo/seed.ts';

export interface RunningServer {
  url: string;
  relay: Relay;
  port: number;
  ingestToken: string;
  log: Logger;
  close(): Promise<void>;
}

const TOKEN_FILE = 'ingest-token';

/** FIREBREAK_INGEST_TOKEN, else the token kept in the data folder, else a new one written there. */
export function resolveIngestToken(config: Config, log: Logger): string {
  if (config.ingestToken) return config.ingestToken;
  const file = path.join(config.dataDir, TOKEN_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = `fbi_${randomBytes(24).toString('base64url')}`;
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  log.info({ file }, 'generated an ingest token');
  return token;
}

/** Opens the data folder, wires stores, relay and app, and listens. */
export interface ServerOverrides {
  /** Relay tuning, for tests that need a small frame cap or fast unloading. */
  relay?: Pick<RelayOptions, 'maxMessageBytes' | 'roomIdleMs' | 'compactAfterUpdates'>;
}

export async function startServer(
  config: Config,
  log: Logger = pino({ level: config.logLevel }),
  overrides: ServerOverrides = {}
): Promise<RunningServer> {
  const db = openDatabase(config.dataDir);
  const docStore = new SqliteDocStore(db);
  const catalog = new SqliteCatalogStore(db);
  const members = new MemberStore(db);
  const workspace = new WorkspaceService(config.workspaceId, log);
  const relay = new Relay({
    store: docStore,
    log,
    resolveRoom: workspace.resolveRoom,
    onRoomLoaded: workspace.onRoomLoaded,
    maxMessageBytes: config.maxMessageBytes,
    ...overrides.relay
  });
  workspace.attach(relay);
  const ingestToken = resolveIngestToken(config, log);

  if (config.demo && (await catalog.checkCount()) === 0) {
    await seedDemo({ catalog, members, workspace, now: new Date() });
    log.info('seeded the demo workspace');
  }

  const app = createApp({ catalog, members, workspace, relay, log, ingestToken, webDir: config.webDir });
  // Frames over the relay's own cap get a 4413 from the relay; ws's hard limit sits above it.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.max(config.maxMessageBytes, MAX_MESSAGE_BYTES) * 2
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, websocket: { server: wss } });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    relay,
    port,
    ingestToken,
    log,
    close() {
      closed ??= (async () => {
        await relay.close();
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        db.close();
      })();
      return closed;
    }
  };
}
