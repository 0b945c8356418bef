import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIncident, getIncidentMap, SERVER_ACTOR, type TimelineEvent } from '@firebreak/shared';
import {
  apiCall,
  connectWorkspace,
  postScan,
  readFixture,
  signIn,
  startTestServer,
  tempDir,
  until
} from '../test/harness.ts';
import type { RunningServer } from '../server.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const EMAILS = 'c41d07b9'; // fails in the fixture
const VOLUME = '9e77ab10'; // warns in the fixture

/** The orders fixture as the scan of `day` (its own scan end, so each is a new scan), outcomes overridden. */
function scanOf(day: number, outcomes: Record<string, 'pass' | 'warn' | 'fail'> = {}) {
  const scan = readFixture('soda-scan-orders.json');
  const ts = new Date(Date.UTC(2024, 4, day, 9)).toISOString();
  scan.dataTimestamp = ts;
  scan.scanEndTimestamp = ts;
  for (const c of scan.checks) if (outcomes[c.identity]) c.outcome = outcomes[c.identity];
  return scan;
}

async function setup(dataDir = tempDir()) {
  const { server } = await startTestServer({ dataDir });
  cleanups.push(() => server.close());
  const admin = await signIn(server, { role: 'admin' });
  const client = connectWorkspace(server, admin);
  cleanups.push(() => client.destroy());
  await client.synced();
  return { server, admin, client, dataDir };
}

async function failingResult(server: RunningServer, session: { cookie: string } & object, identity: string) {
  const res = await apiCall(
    server,
    session as never,
    'GET',
    `/api/v1/w/default/checks/${encodeURIComponent(`postgres:${identity}`)}/results`
  );
  return res.body.results.at(-1) as { id: string; checkId: string };
}

const timeline = (doc: Y.Doc, id: string) =>
  (getIncidentMap(doc, id)!.get('timeline') as Y.Array<TimelineEvent>).toArray();
const linkedCount = (doc: Y.Doc, id: string) => (getIncidentMap(doc, id)!.get('results') as Y.Map<unknown>).size;

describe('grouping and recovery', () => {
  it('[G1] new failing results of a linked check link themselves, one timeline entry per scan, once per result', async () => {
    const { server, admin, client } = await setup();
    await postScan(server, scanOf(1));
    const r = await failingResult(server, admin, EMAILS);
    const id = createIncident(
      client.doc,
      { title: 'Emails missing', severity: 'major', results: [{ resultId: r.id, checkId: r.checkId }] },
      admin.member.id
    );
    await until(
      () => server.relay.loadedRoom('default')?.doc && getIncidentMap(server.relay.loadedRoom('default')!.doc, id),
      5000,
      'incident on the server'
    );
    await postScan(server, scanOf(2));
    const third = scanOf(3);
    await postScan(server, third);
    await until(() => linkedCount(client.doc, id) === 3, 5000, 'two more results linked');
    const auto = timeline(client.doc, id).filter((e) => e.by === SERVER_ACTOR);
    expect(auto).toHaveLength(2);
    expect(
      auto.every((e) => e.kind === 'linked' && (e.to as { scan: { name: string } }).scan.name === 'orders_daily')
    ).toBe(true);
    // The warning check is not linked to this incident: its results stay out.
    const linked = [...(getIncidentMap(client.doc, id)!.get('results') as Y.Map<{ checkId: string }>).values()];
    expect(linked.every((l) => l.checkId === `postgres:${EMAILS}`)).toBe(true);
    // The same scan again (a retry, another process): already stored, nothing linked twice.
    expect((await postScan(server, third)).body.alreadyStored).toBe(true);
    await new Promise((res) => setTimeout(res, 300));
    expect(linkedCount(client.doc, id)).toBe(3);
    expect(timeline(client.doc, id).filter((e) => e.by === SERVER_ACTOR)).toHaveLength(2);
    // Turned off by the workspace setting.
    const off = await apiCall(server, admin, 'PATCH', '/api/v1/w/default', { settings: { autoLink: false } });
    expect(off.status).toBe(200);
    await postScan(server, scanOf(4));
    await new Promise((res) => setTimeout(res, 300));
    expect(linkedCount(client.doc, id)).toBe(3);
  });

  it('[G2] with autoResolveAfterScans, an incident resolves after that many consecutive passing scans (counted by scan, not result)', async () => {
    const { server, admin, client } = await setup();
    await apiCall(server, admin, 'PATCH', '/api/v1/w/default', { settings: { autoResolveAfterScans: 2 } });
    await postScan(server, scanOf(1));
    const a = await failingResult(server, admin, EMAILS);
    const b = await failingResult(server, admin, VOLUME);
    const id = createIncident(
      client.doc,
      {
        title: 'Orders broken',
        severity: 'critical',
        results: [
          { resultId: a.id, checkId: a.checkId },
          { resultId: b.id, checkId: b.checkId }
        ]
      },
      admin.member.id
    );
    await until(
      () => server.relay.loadedRoom('default') && getIncidentMap(server.relay.loadedRoom('default')!.doc, id),
      5000,
      'incident on the server'
    );
    // One passing scan with both checks: one scan, not two results' worth.
    await postScan(server, scanOf(2, { [EMAILS]: 'pass', [VOLUME]: 'pass' }));
    await new Promise((res) => setTimeout(res, 300));
    expect(getIncidentMap(client.doc, id)!.get('status')).toBe('reported');
    // A scan where one still fails resets the count.
    await postScan(server, scanOf(3, { [EMAILS]: 'pass', [VOLUME]: 'warn' }));
    await postScan(server, scanOf(4, { [EMAILS]: 'pass', [VOLUME]: 'pass' }));
    await new Promise((res) => setTimeout(res, 300));
    expect(getIncidentMap(client.doc, id)!.get('status')).toBe('reported');
    await postScan(server, scanOf(5, { [EMAILS]: 'pass', [VOLUME]: 'pass' }));
    await until(() => getIncidentMap(client.doc, id)!.get('status') === 'resolved', 5000, 'auto-resolved');
    const last = timeline(client.doc, id).at(-1)!;
    expect(last).toMatchObject({ kind: 'status', to: 'resolved', by: SERVER_ACTOR });
    expect(String(getIncidentMap(client.doc, id)!.get('resolutionNotes'))).toMatch(/passed in the last 2 scans/);
  });

  it('[G3] a restarted server seeing the same scans links nothing twice', async () => {
    const first = await setup();
    await postScan(first.server, scanOf(1));
    const r = await failingResult(first.server, first.admin, EMAILS);
    const id = createIncident(
      first.client.doc,
      { title: 'Emails', severity: 'minor', results: [{ resultId: r.id, checkId: r.checkId }] },
      first.admin.member.id
    );
    await until(
      () =>
        first.server.relay.loadedRoom('default') && getIncidentMap(first.server.relay.loadedRoom('default')!.doc, id),
      5000,
      'incident on the server'
    );
    await postScan(first.server, scanOf(2));
    await until(() => linkedCount(first.client.doc, id) === 2, 5000, 'linked');
    first.client.destroy();
    await first.server.close();
    const { server } = await startTestServer({ dataDir: first.dataDir });
    cleanups.push(() => server.close());
    expect((await postScan(server, scanOf(2))).body.alreadyStored).toBe(true);
    const again = connectWorkspace(server, first.admin);
    cleanups.push(() => again.destroy());
    await again.synced();
    await new Promise((res) => setTimeout(res, 300));
    expect(linkedCount(again.doc, id)).toBe(2);
    expect(timeline(again.doc, id).filter((e) => e.by === SERVER_ACTOR)).toHaveLength(1);
  });
});
