import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Ingest token of servers started by tests. */
export const TEST_TOKEN = 'test-ingest-token';

const SERVER_DIR = path.resolve(import.meta.dirname, '../..');
/**
 * Node itself with tsx's loader, not the `tsx` binary: that one runs the server as a child
 * process, so a SIGKILL meant for the server would only kill the wrapper and orphan the server.
 */
const NODE_ARGS = ['--import', 'tsx', 'src/main.ts'];

/**
 * The server as its own process (`node --import tsx src/main.ts`, port 0, no demo, API only unless `env` says
 * otherwise), so a test can SIGKILL it. Kept free of server imports: the e2e suite uses it too.
 */
export async function spawnServer(
  dataDir: string,
  env: NodeJS.ProcessEnv = {}
): Promise<{ url: string; proc: ChildProcess; bootstrapUrl: string | null; stdout: () => string }> {
  const proc = spawn(process.execPath, NODE_ARGS, {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      FIREBREAK_DEMO: '0',
      FIREBREAK_WEB_DIR: '',
      FIREBREAK_INGEST_TOKEN: TEST_TOKEN,
      LOG_LEVEL: process.env.FIREBREAK_TEST_SERVER_LOG ? 'info' : 'warn',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  // FIREBREAK_TEST_SERVER_LOG=<file>: keep every spawned server's log there, for debugging a test.
  const logFile = process.env.FIREBREAK_TEST_SERVER_LOG;
  if (logFile) for (const s of [proc.stdout!, proc.stderr!]) s.on('data', (d) => fs.appendFileSync(logFile, d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      // The banner is written in one piece, ending with a blank line.
      const m = /running at (http:\/\/\S+)[\s\S]*\n\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}\n${err}`)));
  });
  const bootstrapUrl = /first admin[^:]*: (http:\/\/\S+)/.exec(out)?.[1] ?? null;
  return { url, proc, bootstrapUrl, stdout: () => out };
}

export function killed(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
  });
}
