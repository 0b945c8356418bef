import { afterEach, describe, expect, it } from 'vitest';
import { createIncident, incidentsMap } from '@firebreak/shared';
import {
  apiCall,
  connectWorkspace,
  join,
  postScan,
  readFixture,
  signIn,
  startTestServer,
  until
} from '../test/harness.ts';
import { loadConfig } from '../config.ts';
import type { RunningServer } from '../server.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(extra: Parameters<typeof startTestServer>[0] = {}) {
  const { server: s, dataDir } = await startTestServer(extra);
  cleanups.push(() => s.close());
  return { s, dataDir };
}

function client(s: RunningServer, session: Awaited<ReturnType<typeof signIn>>) {
  const c = connectWorkspace(s, session);
  cleanups.push(() => c.destroy());
  return c;
}

describe('workspaces and access', () => {
  it('[AC1] nothing crosses between workspaces: documents, catalog rows, awareness, API answers', async () => {
    const { s } = await server();
    s.access.createWorkspace('payments', 'Payments');
    const a = await signIn(s, { name: 'Ann' });
    const p = await signIn(s, { workspaceId: 'payments', name: 'Pat' });
    const token = s.access.tokens.create('payments', 'ci').token;
    expect((await postScan(s, readFixture('soda-scan-orders.json'), token)).body.workspaceId).toBe('payments');
    expect((await apiCall(s, p, 'GET', '/api/v1/w/payments/checks')).body.checks).toHaveLength(3);
    expect((await apiCall(s, a, 'GET', '/api/v1/w/default/checks')).body.checks).toHaveLength(0);
    expect((await apiCall(s, a, 'GET', '/api/v1/w/payments/checks')).status).toBe(403);
    const ca = client(s, a);
    const cp = client(s, p);
    await Promise.all([ca.synced(), cp.synced()]);
    createIncident(ca.doc, { title: 'Only in default', severity: 'minor' }, a.member.id);
    ca.providers[0]!.awareness.setLocalStateField('name', 'Ann');
    cp.providers[0]!.awareness.setLocalStateField('name', 'Pat');
    const marker = createIncident(cp.doc, { title: 'Only in payments', severity: 'minor' }, p.member.id);
    await until(async () => (await s.relay.getRoom('payments')).doc.getMap('incidents').has(marker), 5000, 'stored');
    await new Promise((r) => setTimeout(r, 200));
    expect([...incidentsMap(cp.doc).values()].map((m) => m.get('title'))).toEqual(['Only in payments']);
    expect([...cp.providers[0]!.awareness.getStates().values()].map((v) => v.name)).toEqual(['Pat']);
    const members = await apiCall(s, p, 'GET', '/api/v1/w/payments/members');
    expect(members.body.members.map((m: any) => m.name)).toEqual(['Pat']);
  });

  it('[AC2] the first start prints an admin link that also claims the ownerless demo; later starts print none', async () => {
    const { s, dataDir } = await server({ demo: true });
    expect(s.bootstrapUrl).toMatch(/\/join\/fbj_/);
    const admin = await join(s.url, s.bootstrapUrl!.split('/join/')[1]!, { name: 'Owner', email: 'o@example.com' });
    const mine = await apiCall(s, admin, 'GET', '/api/v1/session');
    expect(mine.body.workspaces.map((g: any) => [g.workspace.id, g.member.role])).toEqual([
      ['default', 'admin'],
      ['demo', 'admin']
    ]);
    expect(mine.body.canCreateWorkspaces).toBe(true);
    expect((await apiCall(s, admin, 'GET', '/api/v1/w/demo/checks')).body.checks.length).toBeGreaterThan(30);
    await s.close();
    const { s: again } = await server({ dataDir, demo: true });
    expect(again.bootstrapUrl).toBeNull();
    expect(again.access.workspaces.list().map((w) => w.id)).toEqual(['default', 'demo']);
  });

  it('[AC3] FIREBREAK_OPEN lets a browser join the default workspace as an editor without an invite, on loopback only', async () => {
    expect(() => loadConfig({ FIREBREAK_OPEN: '1', HOST: '0.0.0.0' })).toThrow(/loopback HOST/);
    expect(loadConfig({ FIREBREAK_OPEN: '1', HOST: '127.0.0.1' }).open).toBe(true);
    const { s } = await server({ open: true });
    s.access.createWorkspace('other', 'Other');
    const res = await apiCall(s, null, 'POST', '/api/v1/w/default/open-join', {
      name: 'Local',
      email: 'l@example.com'
    });
    expect(res.status).toBe(200);
    expect(res.body.member.role).toBe('editor');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const session = { cookie, member: res.body.member, workspaceId: 'default' };
    expect((await apiCall(s, session, 'GET', '/api/v1/w/default/config')).status).toBe(200);
    const c = client(s, session);
    await c.synced();
    const other = await apiCall(s, null, 'POST', '/api/v1/w/other/open-join', { name: 'L', email: 'l@example.com' });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('invite_required');
  });

  it('[AC4] the session cookie is HttpOnly and SameSite=Lax, Secure when PUBLIC_URL is https; tokens are stored hashed', async () => {
    const { s } = await server();
    const { token } = s.access.createInvite('default', { role: 'editor' });
    const res = await apiCall(s, null, 'POST', '/api/v1/join', { token, name: 'C', email: 'c@example.com' });
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Secure/);
    const ingest = s.access.tokens.create('default', 'ci').token;
    const dump = JSON.stringify([
      s.db.prepare('SELECT * FROM invites').all(),
      s.db.prepare('SELECT * FROM ingest_tokens').all(),
      s.db.prepare('SELECT * FROM sessions').all()
    ]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(ingest.slice('fbi_'.length + 26 + 1)); // the secret part
    expect(dump).not.toContain(set.split(';')[0]!.split('=')[1]!.split('.')[0]!);

    const { s: https } = await server({ publicUrl: 'https://firebreak.example.com' });
    const invite = https.access.createInvite('default', { role: 'editor' });
    const secure = await apiCall(https, null, 'POST', '/api/v1/join', {
      token: invite.token,
      name: 'S',
      email: 's@example.com'
    });
    expect(secure.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('[AC5] a workspace keeps an admin: the last one can be neither demoted nor removed', async () => {
    const { s } = await server();
    const admin = await signIn(s, { role: 'admin', name: 'Solo' });
    const demote = await apiCall(s, admin, 'PATCH', `/api/v1/w/default/members/${admin.member.id}`, { role: 'editor' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/at least one admin/);
    expect((await apiCall(s, admin, 'DELETE', `/api/v1/w/default/members/${admin.member.id}`)).status).toBe(409);
    const second = await signIn(s, { role: 'admin', name: 'Second' });
    expect(
      (await apiCall(s, second, 'PATCH', `/api/v1/w/default/members/${admin.member.id}`, { role: 'editor' })).status
    ).toBe(200);
  });

  it('[AC6] bodies over their limit are refused while they stream in, with the limit stated; deep nesting is a 400', async () => {
    const { s } = await server({ maxIngestBytes: 64 * 1024 });
    const me = await signIn(s);
    const huge = await fetch(`${s.url}/api/v1/w/default/me`, {
      method: 'PUT',
      headers: { cookie: me.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(200 * 1024), email: 'e@example.com' })
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).error.message).toMatch(/limited to 65536 bytes/);
    const scan = readFixture('soda-scan-orders.json');
    scan.padding = 'x'.repeat(128 * 1024);
    const big = await postScan(s, scan);
    expect(big.status).toBe(413);
    expect(big.body.error.message).toMatch(/limited to 65536 bytes.*FIREBREAK_MAX_INGEST_BYTES/);
    const deep = '['.repeat(5000) + '1' + ']'.repeat(5000);
    const body = JSON.stringify(readFixture('soda-scan-orders.json')).replace(/^\{/, `{"deep":${deep},`);
    const nested = await postScan(s, body);
    expect(nested.status).toBe(400);
    expect(nested.body.error.issues[0].path).toMatch(/^deep(\[0\])+$/);
    expect((await apiCall(s, me, 'GET', '/api/v1/w/default/checks')).body.checks).toEqual([]);
  });
});
