import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { systemRoomName } from '@firebreak/shared';
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

/** A real y-websocket client in Node, as a browser tab would run it. */
export function connectClient(url: string, room: string, doc = new Y.Doc()) {
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200
  });
  return { doc, provider };
}

export function connectWorkspace(server: Pick<RunningServer, 'url'>, workspaceId = 'default') {
  const ws = connectClient(wsBase(server), workspaceId);
  const sys = connectClient(wsBase(server), systemRoomName(workspaceId));
  return {
    doc: ws.doc,
    sys: sys.doc,
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

export function readFixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}
