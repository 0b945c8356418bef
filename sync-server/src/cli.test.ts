import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  FIXTURES,
  join,
  postScan,
  readFixture,
  startTestServer,
  TEST_TOKEN,
  tempDir
} from './test/harness.ts';
import type { RunningServer } from './server.ts';

const run = promisify(execFile);
const SERVER_DIR = path.resolve(import.meta.dirname, '..');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env }
  }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string })
  );

const ORDERS = path.join(FIXTURES, 'soda-scan-orders.json');
/** `firebreak ingest FILE --server URL --token TOKEN` */
const ingest = (file: string, server: string, token: string) =>
  cli(['ingest', file, '--server', server, '--token', token]);

describe('firebreak ingest', () => {
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    ({ server, dataDir } = await startTestServer());
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

  it('[C4] invite prints a one-time join link for the role that works, on a running server', async () => {
    const env = { DATA_DIR: dataDir, PUBLIC_URL: server.url };
    const r = await cli(['invite', '--role', 'viewer', '--expires', '2d'], env);
    expect(r.code).toBe(0);
    const link = /(http:\/\/\S+\/join\/(fbj_\S+))/.exec(r.stdout);
    expect(link?.[1]).toMatch(new RegExp(`^${server.url}/join/`));
    const session = await join(server.url, link![2]!, { name: 'Via CLI', email: 'cli@example.com' });
    expect(session.member.role).toBe('viewer');
    await expect(join(server.url, link![2]!)).rejects.toThrow(/410/);
    const bad = await cli(['invite', '--role', 'owner'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--role must be admin, editor or viewer/);
    const badTtl = await cli(['invite', '--expires', 'soon'], env);
    expect(badTtl.stderr).toMatch(/--expires: "soon" is not a duration/);
    const nowhere = await cli(['invite'], { DATA_DIR: tempDir() });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/No Firebreak data in/);
  }, 120_000);

  it('[C5] workspace create makes a workspace and prints its first admin’s link; token create an ingest token for it', async () => {
    const env = { DATA_DIR: dataDir, PUBLIC_URL: server.url };
    const r = await cli(['workspace', 'create', 'payments', '--name', 'Payments data'], env);
    expect(r.code).toBe(0);
    const token = /\/join\/(fbj_\S+)/.exec(r.stdout)![1]!;
    const admin = await join(server.url, token, { name: 'Pat', email: 'pat@example.com' });
    expect(admin).toMatchObject({ workspaceId: 'payments', member: { role: 'admin' } });
    expect((await cli(['workspace', 'create', 'payments'], env)).stderr).toMatch(/already exists/);
    expect((await cli(['workspace', 'create', 'Bad Id!'], env)).code).toBe(2);

    const t = await cli(['token', 'create', '--workspace', 'payments', '--name', 'nightly'], env);
    expect(t.code).toBe(0);
    const ingestToken = /(fbi_\S+)/.exec(t.stdout)![1]!;
    const res = await postScan(server, readFixture('soda-scan-orders.json'), ingestToken);
    expect(res).toMatchObject({ status: 201, body: { workspaceId: 'payments' } });
    const checks = await apiCall(server, admin, 'GET', '/api/v1/w/payments/checks');
    expect(checks.body.checks).toHaveLength(3);
  }, 120_000);
});
