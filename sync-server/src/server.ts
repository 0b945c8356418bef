import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import pino, { type Logger } from 'pino';
import { createApp } from './app.ts';
import { isLoopback, type Config } from './config.ts';
import { openDatabase, type Db } from './db/open.ts';
import { SqliteCatalogStore } from './catalog/catalog-store.ts';
import { AccessService } from './access/access-service.ts';
import { loadServerKey } from './access/crypto.ts';
import { Relay, type RelayOptions } from './relay/relay.ts';
import { syncUpgradeHandler } from './relay/upgrade.ts';
import { SqliteDocStore } from './store/sqlite-doc-store.ts';
import { compactorFor } from './store/compaction.ts';
import { ClientOwnerStore } from './store/client-owner-store.ts';
import { WorkspaceService } from './workspace/workspace-service.ts';
import { validationExtension } from './workspace/validation.ts';
import { WorkspaceStore } from './access/workspaces.ts';
import { seedDemo, DEMO_WORKSPACE } from './demo/seed.ts';
import { createSafeFetch } from './integrations/egress.ts';
import { IntegrationStore } from './integrations/integration-store.ts';
import { Outbox } from './integrations/outbox-store.ts';
import { OutboxWorker, type RetryPolicy } from './integrations/outbox-worker.ts';
import { SecretBox } from './integrations/secrets.ts';
import { IntegrationService } from './integrations/service.ts';
import { ViewBuilder } from './integrations/views.ts';
import { watcherExtension } from './integrations/watcher.ts';
import { Grouping } from './workspace/grouping.ts';
import type { IntegrationApiDeps } from './api/integration-routes.ts';

export interface RunningServer {
  url: string;
  /** PUBLIC_URL, else `url`. */
  publicUrl: string;
  relay: Relay;
  port: number;
  access: AccessService;
  db: Db;
  /** The admin join link printed at start while the default workspace has no admin, else null. */
  bootstrapUrl: string | null;
  /** The default workspace's ingest token when it was made by this start (first start), else null. */
  ingestToken: string | null;
  log: Logger;
  integrations: IntegrationStore;
  outbox: Outbox;
  worker: OutboxWorker;
  integrationApi: IntegrationApiDeps;
  close(): Promise<void>;
}

export const TOKEN_FILE = 'ingest-token';
/** The first start's admin link stays valid this long (a later start prints a fresh one while nobody claimed it). */
const BOOTSTRAP_INVITE_TTL_MS = 7 * 86_400_000;

/** Test-only tuning of the relay (small frame caps, fast unloading). */
export interface ServerOverrides {
  relay?: Pick<RelayOptions, 'maxMessageBytes' | 'roomIdleMs' | 'compactAfterUpdates' | 'compactAfterMs'>;
  /** Faster retries for fault tests. */
  retry?: Partial<RetryPolicy>;
}

/** A token in DATA_DIR/ingest-token written by a server from before per-workspace tokens. */
function legacyIngestToken(dataDir: string): string | null {
  const file = path.join(dataDir, TOKEN_FILE);
  if (!fs.existsSync(file)) return null;
  const token = fs.readFileSync(file, 'utf8').trim();
  return token && !token.startsWith('fbi_') ? token : null;
}

function titleCase(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/** Opens the data folder, wires stores, relay and app, and listens. */
export async function startServer(
  config: Config,
  log: Logger = pino({ level: config.logLevel }),
  overrides: ServerOverrides = {}
): Promise<RunningServer> {
  const db = openDatabase(config.dataDir, { defaultWorkspaceId: config.workspaceId });
  const firstStart = new WorkspaceStore(db).list().length === 0;
  const serverKey = loadServerKey(config.dataDir);
  const docStore = new SqliteDocStore(db);
  const catalog = new SqliteCatalogStore(db);
  const workspaceService = new WorkspaceService(new WorkspaceStore(db), log);
  const integrations = new IntegrationStore(db, new SecretBox(serverKey));
  const outbox = new Outbox(db);
  let access: AccessService | null = null;
  const relay = new Relay({
    store: docStore,
    compactor: compactorFor(db, docStore),
    log,
    resolveRoom: workspaceService.resolveRoom,
    clientOwners: new ClientOwnerStore(db),
    extensions: [
      validationExtension({
        log,
        isMember: (ws, id) => {
          const m = access?.members.get(ws, id);
          return !!m && !m.removedAt;
        }
      }),
      workspaceService.numbering(),
      watcherExtension({ db, integrations, outbox, log })
    ],
    maxMessageBytes: config.maxMessageBytes,
    ...overrides.relay
  });
  workspaceService.attach(relay);
  access = new AccessService({
    db,
    serverKey,
    relay,
    workspaceService,
    log,
    defaultWorkspaceId: config.workspaceId,
    envIngestToken: config.ingestToken ?? legacyIngestToken(config.dataDir),
    open: config.open
  });

  let ingestToken: string | null = null;
  if (!access.workspaces.get(config.workspaceId)) {
    access.createWorkspace(config.workspaceId, titleCase(config.workspaceId));
    if (!config.ingestToken) {
      ingestToken = access.tokens.create(config.workspaceId, 'First token (data folder)').token;
      fs.writeFileSync(path.join(config.dataDir, TOKEN_FILE), ingestToken + '\n', { mode: 0o600 });
    }
  }
  if (config.demo && firstStart && !access.workspaces.get(DEMO_WORKSPACE)) {
    access.createWorkspace(DEMO_WORKSPACE, 'Demo: Acme Analytics');
    await seedDemo({ catalog, members: access.members, workspace: workspaceService, now: new Date() });
    log.info('seeded the demo workspace');
  }

  let publicUrl = config.publicUrl ?? '';
  const safeFetch = createSafeFetch({ allow: config.egressAllow });
  const views = new ViewBuilder(db, access.members, () => publicUrl);
  const worker = new OutboxWorker({
    db,
    outbox,
    integrations,
    views,
    relay,
    fetch: safeFetch,
    log,
    serverKey,
    publicUrl: () => publicUrl,
    retry: overrides.retry
  });
  const integrationService = new IntegrationService({
    db,
    integrations,
    outbox,
    worker,
    relay,
    members: access.members,
    fetch: safeFetch,
    log,
    publicUrl: () => publicUrl
  });
  const fromEnv = integrations.syncFromEnv(config.workspaceId, config.integrationEnv);
  if (fromEnv.length)
    log.info(
      { workspace: config.workspaceId, integrations: fromEnv.map((i) => i.kind) },
      'integrations from the environment'
    );

  const integrationApi: IntegrationApiDeps = { integrations, outbox, worker, service: integrationService };

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });
  let origins: ReadonlySet<string> = new Set();
  const app = createApp({
    catalog,
    access,
    workspace: workspaceService,
    log,
    webDir: config.webDir,
    publicUrl: () => publicUrl,
    allowedOrigins: () => origins,
    cookie: { secure: (config.publicUrl ?? '').startsWith('https:') },
    maxIngestBytes: config.maxIngestBytes,
    integrations: integrationApi,
    grouping: new Grouping({ db, workspaces: access.workspaces, workspace: workspaceService, log })
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  // The relay takes upgrades itself: Hono's websocket wrapper would copy every frame.
  server.on(
    'upgrade',
    syncUpgradeHandler(
      { relay, access, resolveRoom: workspaceService.resolveRoom, allowedOrigins: () => origins, log },
      wss
    )
  );
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl ||= url;
  const allowed = new Set([new URL(publicUrl).origin, new URL(url).origin]);
  if (isLoopback(config.host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) allowed.add(`http://${h}:${port}`);
  if (config.devOrigin) allowed.add(new URL(config.devOrigin).origin);
  origins = allowed;

  // Until the default workspace has an admin, every start prints a fresh link to become it.
  let bootstrapUrl: string | null = null;
  if (access.members.adminCount(config.workspaceId) === 0) {
    const { token } = access.createInvite(config.workspaceId, {
      role: 'admin',
      bootstrap: true,
      ttlMs: BOOTSTRAP_INVITE_TTL_MS
    });
    bootstrapUrl = `${publicUrl}/join/${token}`;
  }

  // Every workspace's system document lists its integrations (names only) for the tiles.
  for (const w of access.workspaces.list())
    if (integrations.list(w.id).length) await worker.tiles.publishIntegrations(w.id);
  worker.start();

  let closed: Promise<void> | null = null;
  return {
    url,
    publicUrl,
    relay,
    port,
    access,
    db,
    bootstrapUrl,
    ingestToken,
    log,
    integrations,
    outbox,
    worker,
    integrationApi,
    close() {
      closed ??= (async () => {
        await worker.stop();
        await relay.close();
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        db.close();
      })();
      return closed;
    }
  };
}
