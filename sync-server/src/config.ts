import path from 'node:path';
import { MAX_MESSAGE_BYTES } from './relay/limits.ts';
import { DEFAULT_MAX_INGEST_BYTES } from './api/routes.ts';
import { parseEgressAllow } from './integrations/egress-policy.ts';

/** Runtime configuration, from the environment only (12-factor), with the embedded defaults. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where people reach this server (PUBLIC_URL); null: the address it listens on. */
  publicUrl: string | null;
  /** FIREBREAK_INGEST_TOKEN: an ingest token for the default workspace, besides the ones admins create. */
  ingestToken: string | null;
  /** The first workspace, created on first start (FIREBREAK_WORKSPACE). */
  workspaceId: string;
  /** Seed the `demo` workspace into a new data folder. */
  demo: boolean;
  /** FIREBREAK_OPEN=1: the default workspace lets browsers join without an invite (loopback only). */
  open: boolean;
  /** Extra origin allowed to use the API and relay with a session (`pnpm dev`'s Vite server). */
  devOrigin: string | null;
  /** Built SPA to serve; null serves the API only. */
  webDir: string | null;
  logLevel: string;
  /** Largest websocket frame the relay accepts (FIREBREAK_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** Largest scan file `POST /api/v1/scans` accepts (FIREBREAK_MAX_INGEST_BYTES). */
  maxIngestBytes: number;
  /** FIREBREAK_EGRESS_ALLOW: private hosts, IPs or CIDRs integrations may call (loopback fakes in tests). */
  egressAllow: string[];
  /** Where the default workspace's integrations come from (FIREBREAK_SLACK_BOT_TOKEN, …): the environment. */
  integrationEnv: NodeJS.ProcessEnv;
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

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST ?? '127.0.0.1';
  const workspaceId = env.FIREBREAK_WORKSPACE ?? 'default';
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(workspaceId))
    throw new Error(`FIREBREAK_WORKSPACE must be lowercase letters, digits, - or _ (got "${workspaceId}")`);
  const open = env.FIREBREAK_OPEN === '1';
  if (open && !isLoopback(host))
    throw new Error(
      `FIREBREAK_OPEN=1 lets anyone who reaches the server join without an invite, so it only works with a loopback HOST (127.0.0.1, ::1, localhost); HOST is "${host}"`
    );
  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/$/, '') : null;
  if (publicUrl && !/^https?:\/\/[^/]+$/.test(publicUrl))
    throw new Error(`PUBLIC_URL must be an origin such as https://firebreak.example.com (got "${env.PUBLIC_URL}")`);
  return {
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    publicUrl,
    ingestToken: env.FIREBREAK_INGEST_TOKEN || null,
    workspaceId,
    demo: env.FIREBREAK_DEMO !== '0',
    open,
    devOrigin: env.FIREBREAK_DEV_ORIGIN || null,
    webDir: env.FIREBREAK_WEB_DIR === '' ? null : path.resolve(env.FIREBREAK_WEB_DIR ?? DEFAULT_WEB_DIR),
    logLevel: env.LOG_LEVEL ?? 'info',
    maxMessageBytes: positiveInt(env.FIREBREAK_MAX_MESSAGE_BYTES, 'FIREBREAK_MAX_MESSAGE_BYTES', MAX_MESSAGE_BYTES),
    maxIngestBytes: positiveInt(env.FIREBREAK_MAX_INGEST_BYTES, 'FIREBREAK_MAX_INGEST_BYTES', DEFAULT_MAX_INGEST_BYTES),
    egressAllow: parseEgressAllow(env),
    integrationEnv: env
  };
}
