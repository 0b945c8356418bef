import { afterEach, describe, expect, it } from 'vitest';
import { catalogVersion, membersMap } from '@firebreak/shared';
import {
  apiCall,
  connectWorkspace,
  postScan,
  readFixture,
  signIn,
  startTestServer,
  until,
  type Session
} from '../test/harness.ts';
import type { RunningServer } from '../server.ts';
import fs from 'node:fs';
import path from 'node:path';

const readSharedFixture = (rel: string) =>
  JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../shared/src', rel), 'utf8'));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let me: Session;
async function server() {
  const { server: s } = await startTestServer();
  cleanups.push(() => s.close());
  me = await signIn(s, { role: 'viewer' });
  return s;
}

/** GET as a signed-in viewer of the default workspace; paths are relative to /api/v1/w/default. */
const get = (s: RunningServer, path: string) =>
  apiCall(
    s,
    me,
    'GET',
    path.startsWith('/api/v1/w/') || !path.startsWith('/api/v1/')
      ? path
      : path.replace('/api/v1/', '/api/v1/w/default/')
  );

describe('ingest API', () => {
  it('[A1] stores a -srf scan: one result per check, latest per check listed', async () => {
    const s = await server();
    const res = await postScan(s, readFixture('soda-scan-orders.json'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      definitionName: 'orders_daily',
      stored: 3,
      newChecks: 3,
      outcomes: { pass: 1, warn: 1, fail: 1, error: 0 }
    });
    const { body } = await get(s, '/api/v1/checks');
    expect(body.checks).toHaveLength(3);
    const missing = body.checks.find((c: any) => c.identity === 'c41d07b9');
    expect(missing).toMatchObject({
      id: 'postgres:c41d07b9',
      dataset: 'postgres/orders',
      column: 'email',
      outcome: 'fail',
      value: 3
    });
    expect(missing.evaluatedAt).toBe('2024-05-02T09:00:00.000Z');
    expect(missing.valueText).toBeNull();
  });

  it('[A9] freshness values keep their wording in the list and the history', async () => {
    const s = await server();
    const scan = readFixture('soda-scan-orders.json');
    scan.checks[0].diagnostics = { value: 97384, measure: 'time', freshness: '1 day, 3:03:04', blocks: [] };
    await postScan(s, scan);
    const { body } = await get(s, '/api/v1/checks');
    expect(body.checks.find((c: any) => c.identity === '3f1a9c2e')).toMatchObject({
      value: 97384,
      valueText: '1 day, 3:03:04'
    });
    const history = await get(s, `/api/v1/checks/${encodeURIComponent('postgres:3f1a9c2e')}/results`);
    expect(history.body.results[0].valueText).toBe('1 day, 3:03:04');
  });

  it('[A2] each ingest appends history; the cursor returns only what changed', async () => {
    const s = await server();
    const scan = readFixture('soda-scan-orders.json');
    await postScan(s, scan);
    const first = await get(s, '/api/v1/checks');
    const later = structuredClone(scan);
    later.dataTimestamp = '2024-05-03T09:00:00+00:00';
    later.scanEndTimestamp = '2024-05-03T09:00:05+00:00';
    later.checks = [later.checks[1]];
    later.checks[0].diagnostics.value = 7;
    const res = await postScan(s, later);
    expect(res.body).toMatchObject({ stored: 1, newChecks: 0 });
    const delta = await get(s, `/api/v1/checks?cursor=${first.body.cursor}`);
    expect(delta.body.checks.map((c: any) => c.identity)).toEqual(['c41d07b9']);
    expect(delta.body.checks[0]).toMatchObject({ value: 7, resultCount: 2 });
    const history = await get(s, `/api/v1/checks/${encodeURIComponent('postgres:c41d07b9')}/results`);
    expect(history.body.results.map((r: any) => r.value)).toEqual([3, 7]);
    expect(history.body.results[0].diagnostics.blocks[0].type).toBe('failedRowsAnalysis');
  });

  it('[A3] pages through checks with hasMore', async () => {
    const s = await server();
    await postScan(s, readFixture('soda-scan-orders.json'));
    const p1 = await get(s, '/api/v1/checks?limit=2');
    expect(p1.body).toMatchObject({ hasMore: true });
    expect(p1.body.checks).toHaveLength(2);
    const p2 = await get(s, `/api/v1/checks?limit=2&cursor=${p1.body.cursor}`);
    expect(p2.body).toMatchObject({ hasMore: false });
    expect(p2.body.checks).toHaveLength(1);
  });

  it('[A4] a malformed file is a 400 naming every bad path, and nothing is stored', async () => {
    const s = await server();
    const scan = readFixture('soda-scan-orders.json');
    scan.checks[0].outcome = 'exploded';
    delete scan.checks[1].identity;
    delete scan.checks[1].identities;
    scan.dataTimestamp = 'yesterday';
    const res = await postScan(s, scan);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_scan');
    const paths = res.body.error.issues.map((i: any) => i.path).sort();
    expect(paths).toEqual(['checks[0].outcome', 'checks[1].identity', 'dataTimestamp']);
    expect(res.body.error.message).toMatch(/3 problems; nothing was stored/);
    expect((await get(s, '/api/v1/checks')).body.checks).toEqual([]);
  });

  it('[A5] not JSON is a 400; no or a wrong token is a 401', async () => {
    const s = await server();
    expect((await postScan(s, '{"checks": [')).body.error.code).toBe('invalid_json');
    expect((await postScan(s, '{"checks": [')).status).toBe(400);
    expect((await postScan(s, readFixture('soda-scan-orders.json'), 'wrong')).status).toBe(401);
    const res = await apiCall(s, null, 'POST', '/api/v1/scans', {});
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/Bearer/);
    expect((await get(s, '/api/v1/checks')).body.checks).toEqual([]);
  });

  it('[A6] an ingest moves the catalog version that browsers watch', async () => {
    const s = await server();
    const c = connectWorkspace(s, me);
    cleanups.push(() => c.destroy());
    await c.synced();
    const before = catalogVersion(c.sys);
    await postScan(s, readFixture('soda-scan-orders.json'));
    await until(() => catalogVersion(c.sys) === before + 1, 5000, 'catalog version');
  });

  it('[A7] members edit their own profile, which the system document mirrors', async () => {
    const s = await server();
    const c = connectWorkspace(s, me);
    cleanups.push(() => c.destroy());
    await c.synced();
    const res = await apiCall(s, me, 'PUT', '/api/v1/w/default/me', { name: 'Ada', email: 'ada@example.com' });
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ id: me.member.id, name: 'Ada', email: 'ada@example.com', role: 'viewer' });
    await until(() => membersMap(c.sys).get(me.member.id)?.email === 'ada@example.com', 5000, 'member');
    const bad = await apiCall(s, me, 'PUT', '/api/v1/w/default/me', { name: '', email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: any) => i.path).sort()).toEqual(['email', 'name']);
  });

  it('[A8] unknown checks and API routes are 404 with an error body', async () => {
    const s = await server();
    expect((await get(s, '/api/v1/checks/nope/results')).status).toBe(404);
    const r = await apiCall(s, me, 'GET', '/api/v1/nothing');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });

  it('[A10] the same scan sent twice is stored once; the second answer says it was already stored', async () => {
    const s = await server();
    const scan = readFixture('soda-scan-orders.json');
    const first = await postScan(s, scan);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ alreadyStored: false, format: 'soda' });
    const again = await postScan(s, scan);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyStored: true, scanId: first.body.scanId, stored: 0 });
    const list = await get(s, '/api/v1/checks');
    expect(list.body.checks.every((c: any) => c.resultCount === 1)).toBe(true);
    // Without a scan end time, the same body is the same scan.
    const { scanEndTimestamp: _, ...noEnd } = readFixture('soda-scan-orders.json');
    noEnd.dataTimestamp = '2030-01-01T00:00:00+00:00';
    expect((await postScan(s, noEnd)).status).toBe(201);
    expect((await postScan(s, noEnd)).body.alreadyStored).toBe(true);
  });

  it('[A11] dbt run results (with or without a manifest) and GX validation results are stored with their source', async () => {
    const s = await server();
    const dbt = await postScan(s, readSharedFixture('dbt/fixtures/run_results.v6.json'));
    expect(dbt.status).toBe(201);
    expect(dbt.body.format).toBe('dbt');
    const bundle = {
      run_results: readSharedFixture('dbt/fixtures/run_results.v5.json'),
      manifest: readSharedFixture('dbt/fixtures/manifest.json')
    };
    expect((await postScan(s, bundle)).body.format).toBe('dbt');
    const gx = await postScan(s, readSharedFixture('gx/fixtures/gx-1.x-validation.json'));
    expect(gx.status).toBe(201);
    expect(gx.body.format).toBe('gx');
    const list = await get(s, '/api/v1/checks');
    const sources = new Set(list.body.checks.map((c: any) => c.source));
    expect(sources).toEqual(new Set(['dbt', 'gx']));
    // The normalized detail is what the history serves (dbt's zones, GX's observed values).
    const withManifest = list.body.checks.find((c: any) => c.source === 'dbt' && c.table);
    expect(withManifest).toBeTruthy();
    const history = await get(s, `/api/v1/checks/${encodeURIComponent(withManifest.id)}/results`);
    expect(history.body.results.at(-1)).toHaveProperty('diagnostics');
    // Neither format: a 400 that says what was expected, nothing stored.
    const neither = await postScan(s, { hello: 'world' });
    expect(neither.status).toBe(400);
    expect(neither.body.error.code).toBe('unrecognized_format');
    expect(neither.body.error.message).toMatch(/Soda scan results.*dbt run_results\.json.*Great Expectations/);
  });
});
