import path from 'node:path';
import { MAX_MESSAGE_BYTES } from './relay/relay.ts';

/** Runtime configuration, from the environment only (12-factor), with the embedded defaults. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where people reach this server; used in links the server writes (webhooks, Slack cards). */
  publicUrl: string;
  /** Fixed ingest token; when unset one is generated on first start and kept in the data folder. */
  ingestToken: string | null;
  workspaceId: string;
  /** Seed the demo workspace (scan history, members, incidents) into an empty data folder. */
  demo: boolean;
  /** Built SPA to serve; null serves the API only. */
  webDir: string | null;
  logLevel: string;
  /** Largest websocket frame the relay accepts (FIREBREAK_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
}

const here = path.dirname(new URL(import.meta.url).pathname);
export const DEFAULT_WEB_DIR = path.resolve(here, '../../web/build');

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive whole number of bytes, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST ?? '127.0.0.1';
  const workspaceId = env.FIREBREAK_WORKSPACE ?? 'default';
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(workspaceId))
    throw new Error(`FIREBREAK_WORKSPACE must be lowercase letters, digits, - or _ (got "${workspaceId}")`);
  return {
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    publicUrl: (env.PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, ''),
    ingestToken: env.FIREBREAK_INGEST_TOKEN || null,
    workspaceId,
    demo: env.FIREBREAK_DEMO !== '0',
    webDir: env.FIREBREAK_WEB_DIR === '' ? null : path.resolve(env.FIREBREAK_WEB_DIR ?? DEFAULT_WEB_DIR),
    logLevel: env.LOG_LEVEL ?? 'info',
    maxMessageBytes: positiveInt(env.FIREBREAK_MAX_MESSAGE_BYTES, 'FIREBREAK_MAX_MESSAGE_BYTES', MAX_MESSAGE_BYTES)
  };
}
