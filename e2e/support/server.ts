import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER_DIR = path.join(ROOT, 'sync-server');
export const WEB_DIR = path.join(ROOT, 'web/build');
export const FIXTURES = path.join(ROOT, 'shared/src/soda/fixtures');
export const INGEST_TOKEN = 'e2e-ingest-token';
/** The server compacts every loaded room on SIGTERM; 10,000 incidents take well under this. */
const STOP_GRACE_MS = 15_000;

export interface ServerProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The real server (`tsx src/main.ts`) serving the built SPA, on a free loopback port. */
export async function startServer(opts: { dataDir?: string; demo?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> {
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error('web/build is missing: run `pnpm build` first');
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-e2e-'));
  const proc = spawn(path.join(SERVER_DIR, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      FIREBREAK_DEMO: opts.demo ? '1' : '0',
      FIREBREAK_WEB_DIR: WEB_DIR,
      FIREBREAK_INGEST_TOKEN: INGEST_TOKEN,
      LOG_LEVEL: 'warn',
      ...opts.env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
  return {
    url,
    dataDir,
    proc,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        // A server that has not shut down cleanly in time is killed, so no run can hang here.
        const force = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
        proc.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        proc.kill(signal);
      });
    }
  };
}

export async function ingest(server: Pick<ServerProcess, 'url'>, scan: unknown) {
  const res = await fetch(`${server.url}/api/v1/scans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
    body: JSON.stringify(scan)
  });
  if (!res.ok) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function fixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}
