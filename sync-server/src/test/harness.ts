import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { systemRoomName, type Member, type MemberRole } from '@firebreak/shared';
import { loadConfig, type Config } from '../config.ts';
import { startServer, type RunningServer, type ServerOverrides } from '../server.ts';

export { TEST_TOKEN } from './spawn.ts';
import { TEST_TOKEN } from './spawn.ts';
export const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/src/soda/fixtures');

export function tempDir(prefix = 'firebreak-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(dataDir: string, extra: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      FIREBREAK_INGEST_TOKEN: TEST_TOKEN,
      FIREBREAK_DEMO: '0',
      FIREBREAK_WEB_DIR: ''
    }),
    ...extra
  };
}

/** The real server on a loopback port with a fresh data folder. */
export async function startTestServer(extra: Partial<Config> = {}, overrides: ServerOverrides = {}) {
  const dataDir = extra.dataDir ?? tempDir();
  const server = await startServer(
    testConfig(dataDir, extra),
    pino({ level: process.env.TEST_LOG ?? 'silent' }),
    overrides
  );
  return { server, dataDir };
}

export function wsBase(server: Pick<RunningServer, 'url'>): string {
  return server.url.replace(/^http/, 'ws') + '/sync';
}

/** A browser's identity in tests: the session cookie it got by joining, and the member it became. */
export interface Session {
  cookie: string;
  member: Member;
  workspaceId: string;
}

/** Redeems an invite link through the real `POST /api/v1/join`, as the join page does. */
export async function join(
  url: string,
  token: string,
  profile = { name: 'Ada Lovelace', email: 'ada@example.com' },
  cookie?: string
): Promise<Session> {
  const res = await fetch(`${url}/api/v1/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ token, ...profile })
  });
  const body = (await res.json()) as any;
  if (!res.ok) throw new Error(`join failed: ${res.status} ${JSON.stringify(body)}`);
  const set = res.headers.get('set-cookie');
  return {
    cookie: set ? set.split(';')[0]! : cookie!,
    member: body.member,
    workspaceId: body.workspace.id
  };
}

/** A member of `workspaceId` with `role`, signed in through an invite the way a browser is. */
export async function signIn(
  server: RunningServer,
  opts: { workspaceId?: string; role?: MemberRole; name?: string; email?: string; cookie?: string } = {}
): Promise<Session> {
  const workspaceId = opts.workspaceId ?? 'default';
  const { token } = server.access.createInvite(workspaceId, { role: opts.role ?? 'editor' });
  const name = opts.name ?? `Member ${Math.random().toString(36).slice(2, 7)}`;
  return join(
    server.url,
    token,
    { name, email: opts.email ?? `${name.replace(/\W+/g, '.')}@example.com` },
    opts.cookie
  );
}

/** `ws` with the browser's cookie on the upgrade request (browsers send it themselves). */
function cookieWebSocket(cookie: string | undefined) {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, cookie ? { headers: { cookie } } : {});
    }
  };
}

/** A real y-websocket client in Node, as a browser tab would run it. */
export function connectClient(url: string, room: string, session: Session | null, doc = new Y.Doc()) {
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: cookieWebSocket(session?.cookie) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200
  });
  return { doc, provider };
}

export function connectWorkspace(server: Pick<RunningServer, 'url'>, session: Session) {
  const ws = connectClient(wsBase(server), session.workspaceId, session);
  const sys = connectClient(wsBase(server), systemRoomName(session.workspaceId), session);
  return {
    doc: ws.doc,
    sys: sys.doc,
    member: session.member,
    providers: [ws.provider, sys.provider],
    synced: () => Promise.all([synced(ws.provider), synced(sys.provider)]),
    destroy() {
      ws.provider.destroy();
      sys.provider.destroy();
    }
  };
}

export function synced(provider: WebsocketProvider): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (s: boolean) => {
      if (s) {
        provider.off('sync', on);
        resolve();
      }
    };
    provider.on('sync', on);
  });
}

/** Polls until `fn` returns truthy, or fails after `ms` (a correctness bound, not a speed test). */
export async function until<T>(fn: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function postScan(server: Pick<RunningServer, 'url'>, body: unknown, token = TEST_TOKEN) {
  const res = await fetch(`${server.url}/api/v1/scans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** An API call as a signed-in browser makes it (same-origin, with its cookie). */
export async function apiCall(
  server: Pick<RunningServer, 'url'>,
  session: Session | null,
  method: string,
  path: string,
  body?: unknown
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(session ? { cookie: session.cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export function readFixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}
