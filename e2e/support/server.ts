import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { killed, spawnServer } from '../../sync-server/src/test/spawn.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER_DIR = path.join(ROOT, 'sync-server');
const run = promisify(execFile);
export const WEB_DIR = path.join(ROOT, 'web/build');
export const FIXTURES = path.join(ROOT, 'shared/src/soda/fixtures');
export const INGEST_TOKEN = 'e2e-ingest-token';
/** The server compacts every loaded room on SIGTERM; 10,000 incidents take well under this. */
const STOP_GRACE_MS = 15_000;

export interface ServerProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** The first-admin link the server printed at start (null once a data folder has an admin). */
  bootstrapUrl: string | null;
  /** A one-time join link made with `pnpm firebreak invite`, as an admin would on the server's machine. */
  invite(role?: 'admin' | 'editor' | 'viewer', workspace?: string): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The real server (`tsx src/main.ts`) serving the built SPA, on a free loopback port. */
export async function startServer(
  opts: { dataDir?: string; demo?: boolean; env?: NodeJS.ProcessEnv } = {}
): Promise<ServerProcess> {
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error('web/build is missing: run `pnpm build` first');
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-e2e-'));
  const { url, proc, bootstrapUrl } = await spawnServer(dataDir, {
    HOST: '127.0.0.1',
    FIREBREAK_DEMO: opts.demo ? '1' : '0',
    FIREBREAK_WEB_DIR: WEB_DIR,
    FIREBREAK_INGEST_TOKEN: INGEST_TOKEN,
    ...opts.env
  });
  return {
    url,
    dataDir,
    proc,
    bootstrapUrl,
    async invite(role = 'editor', workspace = 'default') {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', 'invite', '--role', role, '--workspace', workspace],
        {
          cwd: SERVER_DIR,
          env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: url }
        }
      );
      const link = /(http:\/\/\S+\/join\/\S+)/.exec(stdout)?.[1];
      if (!link) throw new Error(`firebreak invite printed no link:\n${stdout}`);
      return link;
    },
    stop(signal = 'SIGTERM') {
      // A server that has not shut down cleanly in time is killed, so no run can hang here.
      const force = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      const done = killed(proc).then(() => clearTimeout(force));
      proc.kill(signal);
      return done;
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
