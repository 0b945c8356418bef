import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startTestServer, TEST_TOKEN, tempDir } from './test/harness.ts';
import type { RunningServer } from './server.ts';

const run = promisify(execFile);
const SERVER_DIR = path.resolve(import.meta.dirname, '..');
const cli = (args: string[]) =>
  run(path.join(SERVER_DIR, 'node_modules/.bin/tsx'), ['src/cli.ts', ...args], { cwd: SERVER_DIR }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string })
  );

const ORDERS = path.join(FIXTURES, 'soda-scan-orders.json');
/** `firebreak ingest FILE --server URL --token TOKEN` */
const ingest = (file: string, server: string, token: string) =>
  cli(['ingest', file, '--server', server, '--token', token]);

describe('firebreak ingest', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = (await startTestServer()).server;
  });
  afterAll(() => server.close());

  it('[C1] posts a file and prints what was stored', async () => {
    const r = await ingest(ORDERS, server.url, TEST_TOKEN);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /stored 3 results of "orders_daily" at 2024-05-02T09:00:00.000Z \(1 fail, 1 warn, 1 pass, 0 not evaluated; 3 new checks\)/
    );
  });

  it('[C2] a bad file exits 1 and lists each bad path', async () => {
    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({ checks: [{ identity: 'x', outcome: 'boom', dataSource: 'pg' }], dataTimestamp: 'no' })
    );
    const r = await ingest(bad, server.url, TEST_TOKEN);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 problems; nothing was stored/);
    expect(r.stderr).toMatch(/checks\[0\]\.outcome: /);
    expect(r.stderr).toMatch(/dataTimestamp: not an ISO-8601 timestamp/);
  });

  it('[C3] a wrong token and an unreachable server are explained', async () => {
    const r = await ingest(ORDERS, server.url, 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/token is not valid/);
    const down = await ingest(ORDERS, 'http://127.0.0.1:1', 'x');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Cannot reach http:\/\/127.0.0.1:1/);
  });
});
