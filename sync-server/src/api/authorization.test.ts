import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../relay/protocol.ts';
import { apiCall, postScan, readFixture, signIn, startTestServer, wsBase, type Session } from '../test/harness.ts';
import { createApp } from '../app.ts';
import type { RunningServer } from '../server.ts';

/**
 * Every HTTP route and the websocket, for every kind of caller, with the exact answer expected.
 * A route the app serves that has no row here fails `[AZ0]`: access is decided on purpose, never
 * by omission.
 */
type Caller = 'none' | 'otherWorkspace' | 'viewer' | 'editor' | 'admin' | 'removed';
const CALLERS: Caller[] = ['none', 'otherWorkspace', 'viewer', 'editor', 'admin', 'removed'];

interface Ctx {
  server: RunningServer;
  sessions: Record<Exclude<Caller, 'none'>, Session>;
  checkId: string;
  /** A fresh member to act on (role changes and removals must not touch the callers). */
  victim(): Promise<Session>;
}

interface Row {
  method: string;
  path: string;
  /** The request changes the caller's own session (joining, logging out): use a throwaway caller. */
  mutatesCaller?: boolean;
  /** Concrete path and body for one request (fresh targets per request where it changes state). */
  request(ctx: Ctx): Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
  expect: Record<Caller, number>;
}

const member = { none: 401, otherWorkspace: 403, viewer: 200, editor: 200, admin: 200, removed: 401 };
const adminOnly = (ok: number) => ({
  none: 401,
  otherWorkspace: 403,
  viewer: 403,
  editor: 403,
  admin: ok,
  removed: 401
});
const everyone = (status: number) => Object.fromEntries(CALLERS.map((c) => [c, status])) as Record<Caller, number>;

const ROWS: Row[] = [
  { method: 'GET', path: '/api/v1/health', request: () => ({ path: '/api/v1/health' }), expect: everyone(200) },
  { method: 'GET', path: '/api/v1/session', request: () => ({ path: '/api/v1/session' }), expect: everyone(200) },
  {
    method: 'GET',
    path: '/api/v1/invites/:token',
    request: ({ server }) => ({
      path: `/api/v1/invites/${server.access.createInvite('default', { role: 'editor' }).token}`
    }),
    expect: everyone(200)
  },
  {
    method: 'POST',
    path: '/api/v1/join',
    mutatesCaller: true,
    request: ({ server }) => ({
      path: '/api/v1/join',
      body: {
        token: server.access.createInvite('default', { role: 'viewer' }).token,
        name: 'Joiner',
        email: 'j@example.com'
      }
    }),
    // A browser already in the workspace keeps who it is (409); anyone else joins.
    expect: { none: 200, otherWorkspace: 200, viewer: 409, editor: 409, admin: 409, removed: 200 }
  },
  {
    method: 'POST',
    path: '/api/v1/logout',
    mutatesCaller: true,
    request: () => ({ path: '/api/v1/logout' }),
    expect: everyone(200)
  },
  {
    method: 'POST',
    path: '/api/v1/workspaces',
    request: () => ({
      path: '/api/v1/workspaces',
      body: { id: `ws-${Math.random().toString(36).slice(2, 8)}`, name: 'New' }
    }),
    expect: { none: 401, otherWorkspace: 403, viewer: 403, editor: 403, admin: 201, removed: 401 }
  },
  {
    method: 'POST',
    path: '/api/v1/scans',
    // Browser sessions do not ingest: only a bearer token does (its cells are in [AZ2]).
    request: () => ({ path: '/api/v1/scans', body: readFixture('soda-scan-orders.json') }),
    expect: everyone(401)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/open-join',
    request: () => ({ path: '/api/v1/w/default/open-join', body: { name: 'Open', email: 'o@example.com' } }),
    expect: everyone(403)
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/config',
    request: () => ({ path: '/api/v1/w/default/config' }),
    expect: member
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/checks',
    request: () => ({ path: '/api/v1/w/default/checks' }),
    expect: member
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/checks/:id',
    request: ({ checkId }) => ({ path: `/api/v1/w/default/checks/${encodeURIComponent(checkId)}` }),
    expect: member
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/checks/:id/results',
    request: ({ checkId }) => ({ path: `/api/v1/w/default/checks/${encodeURIComponent(checkId)}/results` }),
    expect: member
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/members',
    request: () => ({ path: '/api/v1/w/default/members' }),
    expect: member
  },
  {
    method: 'PUT',
    path: '/api/v1/w/:ws/me',
    request: () => ({ path: '/api/v1/w/default/me', body: { name: 'Renamed', email: 'renamed@example.com' } }),
    expect: member
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/me/sign-in-link',
    request: () => ({ path: '/api/v1/w/default/me/sign-in-link' }),
    expect: { ...member, viewer: 201, editor: 201, admin: 201 }
  },
  {
    method: 'PATCH',
    path: '/api/v1/w/:ws/members/:id',
    request: async ({ victim }) => ({
      path: `/api/v1/w/default/members/${(await victim()).member.id}`,
      body: { role: 'viewer' }
    }),
    expect: adminOnly(200)
  },
  {
    method: 'DELETE',
    path: '/api/v1/w/:ws/members/:id',
    request: async ({ victim }) => ({ path: `/api/v1/w/default/members/${(await victim()).member.id}` }),
    expect: adminOnly(200)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/members/:id/sign-in-link',
    request: async ({ victim }) => ({ path: `/api/v1/w/default/members/${(await victim()).member.id}/sign-in-link` }),
    expect: adminOnly(201)
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/invites',
    request: () => ({ path: '/api/v1/w/default/invites' }),
    expect: adminOnly(200)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/invites',
    request: () => ({ path: '/api/v1/w/default/invites', body: { role: 'editor', expires: '1d' } }),
    expect: adminOnly(201)
  },
  {
    method: 'DELETE',
    path: '/api/v1/w/:ws/invites/:id',
    request: ({ server }) => ({
      path: `/api/v1/w/default/invites/${server.access.createInvite('default', { role: 'editor' }).invite.id}`
    }),
    expect: adminOnly(200)
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/tokens',
    request: () => ({ path: '/api/v1/w/default/tokens' }),
    expect: adminOnly(200)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/tokens',
    request: () => ({ path: '/api/v1/w/default/tokens', body: { name: 'CI' } }),
    expect: adminOnly(201)
  },
  {
    method: 'DELETE',
    path: '/api/v1/w/:ws/tokens/:id',
    request: ({ server }) => ({
      path: `/api/v1/w/default/tokens/${server.access.tokens.create('default', 'to revoke').record.id}`
    }),
    expect: adminOnly(200)
  },
  {
    method: 'PATCH',
    path: '/api/v1/w/:ws',
    request: () => ({ path: '/api/v1/w/default', body: { name: 'Default' } }),
    expect: adminOnly(200)
  },
  // Vendors' requests carry no session: Slack's are checked by signature, callbacks by capability URL.
  {
    method: 'POST',
    path: '/api/v1/integrations/slack/events',
    request: () => ({ path: '/api/v1/integrations/slack/events', body: { type: 'url_verification', challenge: 'x' } }),
    expect: everyone(404)
  },
  {
    method: 'POST',
    path: '/api/v1/integrations/callback/:token',
    request: () => ({ path: '/api/v1/integrations/callback/not-a-token', body: { url: 'https://example.com' } }),
    expect: everyone(404)
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/integrations',
    request: () => ({ path: '/api/v1/w/default/integrations' }),
    expect: adminOnly(200)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/integrations',
    request: () => ({
      path: '/api/v1/w/default/integrations',
      body: { kind: 'webhook', config: { url: 'https://hooks.example.com/firebreak' } }
    }),
    expect: adminOnly(201)
  },
  {
    method: 'PATCH',
    path: '/api/v1/w/:ws/integrations/:id',
    request: ({ server }) => ({
      path: `/api/v1/w/default/integrations/${aWebhook(server)}`,
      body: { name: 'Renamed' }
    }),
    expect: adminOnly(200)
  },
  {
    method: 'DELETE',
    path: '/api/v1/w/:ws/integrations/:id',
    request: ({ server }) => ({ path: `/api/v1/w/default/integrations/${aWebhook(server)}` }),
    expect: adminOnly(200)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/integrations/:id/test',
    // Loopback is refused by the egress policy: the test runs, and fails with a 502 that says why.
    request: ({ server }) => ({
      path: `/api/v1/w/default/integrations/${aWebhook(server, 'http://127.0.0.1:9/hook')}/test`
    }),
    expect: adminOnly(502)
  },
  {
    method: 'GET',
    path: '/api/v1/w/:ws/integrations/:id/deliveries',
    request: ({ server }) => ({ path: `/api/v1/w/default/integrations/${aWebhook(server)}/deliveries` }),
    expect: adminOnly(200)
  },
  {
    method: 'POST',
    path: '/api/v1/w/:ws/deliveries/:id/retry',
    request: ({ server }) => ({ path: `/api/v1/w/default/deliveries/${aDeadDelivery(server)}/retry` }),
    expect: adminOnly(200)
  }
];

/** A paused webhook integration to act on (paused: nothing is delivered while the matrix runs). */
function aWebhook(server: RunningServer, url = 'https://hooks.example.com/firebreak'): string {
  const i = server.integrations.create('default', 'webhook', 'Matrix hook', { url });
  server.integrations.update('default', i.id, { paused: true });
  return i.id;
}

let deadCount = 0;
function aDeadDelivery(server: RunningServer): number {
  const integrationId = aWebhook(server);
  server.outbox.enqueue({
    workspaceId: 'default',
    integrationId,
    subject: 'incident-x',
    event: { type: 'incident', change: { kind: 'created' }, at: new Date().toISOString() },
    key: `matrix-dead-${++deadCount}`
  });
  const row = server.db
    .prepare<[string], { id: number }>('SELECT id FROM outbox WHERE idempotency_key = ?')
    .get(`matrix-dead-${deadCount}`)!;
  server.db.prepare("UPDATE outbox SET state = 'dead' WHERE id = ?").run(row.id);
  return row.id;
}

let ctx: Ctx;
let server: RunningServer;

async function makeCaller(kind: Exclude<Caller, 'none'>): Promise<Session> {
  switch (kind) {
    case 'otherWorkspace':
      return signIn(server, { workspaceId: 'other', role: 'admin', name: 'Outsider' });
    case 'removed': {
      const s = await signIn(server, { role: 'editor', name: 'Removed' });
      await server.access.removeMember('default', s.member.id);
      return s;
    }
    default:
      return signIn(server, { role: kind, name: kind });
  }
}

beforeAll(async () => {
  ({ server } = await startTestServer());
  server.access.createWorkspace('other', 'Other team');
  const sessions = {
    otherWorkspace: await makeCaller('otherWorkspace'),
    viewer: await makeCaller('viewer'),
    editor: await makeCaller('editor'),
    admin: await makeCaller('admin'),
    removed: await makeCaller('removed')
  };
  const scan = await postScan(server, readFixture('soda-scan-orders.json'));
  const checks = await apiCall(server, sessions.admin, 'GET', '/api/v1/w/default/checks');
  ctx = {
    server,
    sessions,
    checkId: checks.body.checks[0].id,
    victim: () => signIn(server, { name: 'Victim' })
  };
  expect(scan.status).toBe(201);
});
afterAll(() => ctx.server.close());

describe('authorization matrix', () => {
  it('[AZ0] every route the app serves has a row in the matrix', () => {
    const app = createApp({
      ...({} as Parameters<typeof createApp>[0]),
      access: ctx.server.access,
      log: ctx.server.log,
      webDir: null,
      publicUrl: () => '',
      allowedOrigins: () => new Set(),
      cookie: { secure: false },
      integrations: ctx.server.integrationApi
    });
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replace(/\/$/, '')}`)
    );
    const covered = new Set(ROWS.map((r) => `${r.method} ${r.path}`));
    expect([...served].filter((r) => !covered.has(r)).sort()).toEqual([]);
    expect([...covered].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  for (const row of ROWS) {
    it(`[AZ1] ${row.method} ${row.path}`, async () => {
      const got: Record<string, number> = {};
      for (const caller of CALLERS) {
        const session = caller === 'none' ? null : row.mutatesCaller ? await makeCaller(caller) : ctx.sessions[caller];
        const { path, body } = await row.request(ctx);
        const res = await apiCall(ctx.server, session, row.method, path, body);
        got[caller] = res.status;
      }
      expect(got).toEqual(row.expect);
    });
  }

  it('[AZ2] ingest: a valid token stores, a revoked or unknown one is 401; a session is no token', async () => {
    const fixture = readFixture('soda-scan-orders.json');
    // A scan of its own (the matrix's setup stored the fixture once; the same scan again is not stored again).
    fixture.scanEndTimestamp = '2031-01-01T00:00:00+00:00';
    const { token, record } = ctx.server.access.tokens.create('default', 'ci');
    expect((await postScan(ctx.server, fixture, token)).status).toBe(201);
    ctx.server.access.tokens.revoke('default', record.id);
    const revoked = await postScan(ctx.server, fixture, token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/not valid/);
    expect((await postScan(ctx.server, fixture, `${token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await postScan(ctx.server, fixture, 'fbi_garbage')).status).toBe(401);
  });

  it('[AZ3] invites: expired, used and revoked links are 410 with what to do; unknown ones 404', async () => {
    const { access } = ctx.server;
    const expired = access.createInvite('default', { role: 'editor', ttlMs: -1000 });
    const used = access.createInvite('default', { role: 'editor' });
    const revoked = access.createInvite('default', { role: 'editor' });
    access.invites.revoke('default', revoked.invite.id);
    const join = (token: string) =>
      apiCall(ctx.server, null, 'POST', '/api/v1/join', { token, name: 'Late', email: 'late@example.com' });
    expect((await join(used.token)).status).toBe(200);
    for (const [token, code] of [
      [expired.token, 'invite_expired'],
      [used.token, 'invite_used'],
      [revoked.token, 'invite_revoked']
    ] as const) {
      const look = await apiCall(ctx.server, null, 'GET', `/api/v1/invites/${token}`);
      expect(look.status).toBe(410);
      expect(look.body.error.code).toBe(code);
      expect(look.body.error.message).toMatch(/Ask an admin/);
      const res = await join(token);
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe(code);
    }
    expect((await apiCall(ctx.server, null, 'GET', '/api/v1/invites/fbj_nope')).status).toBe(404);
    expect((await join('fbj_nope')).status).toBe(404);
  });

  it('[AZ4] the websocket: refused callers are closed with the exact code; members connect', async () => {
    const connect = (session: Session | null, room = 'default') =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`${wsBase(ctx.server)}/${room}`, {
          headers: session ? { cookie: session.cookie } : {}
        });
        ws.on('message', () => {
          resolve('open');
          ws.close();
        });
        ws.on('close', (code) => resolve(code));
        ws.on('error', () => {});
      });
    const got: Record<string, number | 'open'> = {};
    for (const caller of CALLERS) {
      got[caller] = await connect(caller === 'none' ? null : ctx.sessions[caller]);
    }
    expect(got).toEqual({
      none: CloseCode.Unauthorized,
      otherWorkspace: CloseCode.Forbidden,
      viewer: 'open',
      editor: 'open',
      admin: 'open',
      removed: CloseCode.Unauthorized
    });
    expect(await connect(ctx.sessions.admin, 'no-such-workspace')).toBe(CloseCode.NotFound);
  });

  it('[AZ5] state-changing requests from another origin are refused even with a valid session', async () => {
    const res = await fetch(`${ctx.server.url}/api/v1/w/default/invites`, {
      method: 'POST',
      headers: {
        cookie: ctx.sessions.admin.cookie,
        origin: 'https://evil.example',
        'content-type': 'application/json'
      },
      body: JSON.stringify({ role: 'admin' })
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('bad_origin');
    const own = await fetch(`${ctx.server.url}/api/v1/w/default/invites`, {
      method: 'POST',
      headers: { cookie: ctx.sessions.admin.cookie, origin: ctx.server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'viewer' })
    });
    expect(own.status).toBe(201);
  });
});
