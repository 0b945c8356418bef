import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { MemberJoinSchema, MemberRole } from '@firebreak/shared';
import type { AccessService, Grant } from '../access/access-service.ts';
import { parseDuration } from '../access/crypto.ts';
import { inviteRefusal, inviteState, type Invite } from '../access/invites.ts';
import { WorkspaceExistsError, WorkspaceIdSchema, WorkspaceNameSchema } from '../access/workspaces.ts';
import type { CatalogStore } from '../catalog/catalog-store.ts';
import { ingestScan } from '../catalog/ingest.ts';
import type { WorkspaceService } from '../workspace/workspace-service.ts';
import { ApiError } from './errors.ts';
import type { Logger } from 'pino';
import type { Grouping } from '../workspace/grouping.ts';
import { WorkspaceSettingsSchema } from '../access/workspaces.ts';
import { integrationPublicRoutes, integrationWorkspaceRoutes, type IntegrationApiDeps } from './integration-routes.ts';
import {
  clearSession,
  ensureSession,
  jsonLimit,
  readJson,
  requireRole,
  rethrow,
  session,
  type ApiEnv,
  type CookieOptions
} from './http.ts';

const DEFAULT_PAGE = 5_000;
const MAX_PAGE = 20_000;
const DEFAULT_HISTORY = 500;
/** `FIREBREAK_MAX_INGEST_BYTES` default: Soda files with tens of thousands of checks run to tens of MiB. */
export const DEFAULT_MAX_INGEST_BYTES = 32 * 1024 * 1024;

export interface ApiDeps {
  catalog: CatalogStore;
  access: AccessService;
  workspace: WorkspaceService;
  /** Where people reach the server (invite links are built from it). */
  publicUrl: () => string;
  cookie: CookieOptions;
  maxIngestBytes?: number;
  now?: () => Date;
  /** Settings → Integrations, Slack's inbound requests, webhook link callbacks, check alerts. */
  integrations?: IntegrationApiDeps;
  /** Links new failures to open incidents, resolves recovered ones (per workspace settings). */
  grouping?: Grouping;
  log?: Logger;
}

function intParam(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ApiError(400, 'invalid_parameter', `${name} must be a non-negative integer`);
  return Math.min(n, max);
}

const JoinSchema = MemberJoinSchema.extend({ token: z.string().min(1, 'The invite token is missing') });
const InviteSchema = z.object({
  role: MemberRole,
  expires: z
    .string()
    .default('7d')
    .refine((s) => {
      try {
        return parseDuration(s) <= 90 * 86_400_000;
      } catch {
        return false;
      }
    }, 'Use a duration such as 7d, 12h or 30m (at most 90d)')
});
const RoleSchema = z.object({ role: MemberRole });
const TokenSchema = z.object({ name: z.string().trim().min(1, 'Name the token (where it is used)').max(120) });
const WorkspaceCreateSchema = z.object({ id: WorkspaceIdSchema, name: WorkspaceNameSchema });

const inviteView = (i: Invite) => ({
  id: i.id,
  role: i.role,
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
  createdBy: i.createdBy,
  memberId: i.memberId
});

const grantView = (g: Grant) => ({
  workspace: { id: g.workspace.id, name: g.workspace.name },
  member: g.member
});

/**
 * The HTTP API (`/api/v1`). Public: health, the session, invite lookup and joining, ingest (by
 * token). Everything under `/w/:ws` needs a session that is a member of that workspace, with the
 * role each route names. `authorization.test.ts` holds the expected answer of every route for
 * every kind of caller; a route added here without an entry there fails that test.
 */
export function apiRoutes(deps: ApiDeps) {
  const { access } = deps;
  const api = new Hono<ApiEnv>();
  const now = () => deps.now?.() ?? new Date();
  const joinUrl = (token: string) => `${deps.publicUrl()}/join/${token}`;

  api.use('*', session(access));

  api.get('/health', (c) => c.json({ ok: true }));

  api.get('/session', (c) => {
    const grants = access.grants(c.get('sid'));
    return c.json({
      workspaces: grants.map(grantView),
      canCreateWorkspaces: access.canCreateWorkspaces(grants),
      open: access.openMode
        ? { workspaceId: access.defaultWorkspaceId, name: access.workspaces.get(access.defaultWorkspaceId)?.name }
        : null
    });
  });

  api.get('/invites/:token', (c) => {
    const found = access.describeInvite(c.req.param('token'));
    if (!found) throw new ApiError(404, 'invalid_invite', 'This invite link is not valid. Ask an admin for a new one.');
    if (found.state !== 'valid') throw new ApiError(410, `invite_${found.state}`, inviteRefusal(found.state));
    return c.json({
      workspace: { id: found.workspace.id, name: found.workspace.name },
      role: found.invite.role,
      state: found.state,
      expiresAt: found.invite.expiresAt,
      forMember: found.invite.memberId ? access.members.get(found.workspace.id, found.invite.memberId) : null
    });
  });

  api.post('/join', jsonLimit(), async (c) => {
    const body = await readJson(c, JoinSchema, 'Enter a display name and a valid email');
    const sid = ensureSession(c, access, deps.cookie);
    const grant = await access.join(body.token, sid, { name: body.name, email: body.email }).catch(rethrow);
    return c.json(grantView(grant));
  });

  api.post('/logout', async (c) => {
    const sid = c.get('sid');
    if (sid) access.sessions.revoke(sid);
    clearSession(c, deps.cookie);
    return c.json({ ok: true });
  });

  api.post('/workspaces', jsonLimit(), async (c) => {
    const grants = access.grants(c.get('sid'));
    if (!grants.length) throw new ApiError(401, 'unauthorized', 'Sign in first');
    if (!access.canCreateWorkspaces(grants))
      throw new ApiError(403, 'forbidden', `Only admins of ${access.defaultWorkspaceId} create workspaces`);
    const body = await readJson(c, WorkspaceCreateSchema, 'Give the workspace an id and a name');
    let created;
    try {
      created = access.createWorkspace(body.id, body.name);
    } catch (err) {
      if (err instanceof WorkspaceExistsError) throw new ApiError(409, 'exists', err.message);
      throw err;
    }
    // Its first admin joins through this link: the creator themselves, or whoever they send it to.
    const me = grants.find((g) => g.workspace.id === access.defaultWorkspaceId)!.member;
    const { token } = access.createInvite(created.id, { role: 'admin', createdBy: me.id });
    return c.json({ workspace: { id: created.id, name: created.name }, joinUrl: joinUrl(token) }, 201);
  });

  // ---- ingest (bearer token) ------------------------------------------------------------------

  const maxIngest = deps.maxIngestBytes ?? DEFAULT_MAX_INGEST_BYTES;
  api.post(
    '/scans',
    async function ingestToken(c, next) {
      const header = c.req.header('authorization') ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match) {
        c.header('WWW-Authenticate', 'Bearer realm="ingest"');
        throw new ApiError(401, 'unauthorized', 'Send the ingest token as "Authorization: Bearer <token>"');
      }
      const found = access.verifyIngestToken(match[1]!.trim());
      if (!found)
        throw new ApiError(
          401,
          'unauthorized',
          'The ingest token is not valid (revoked, or never issued); an admin can create one in Settings → Ingest tokens'
        );
      c.set('ingestWorkspace', found.workspaceId);
      await next();
    },
    bodyLimit({
      maxSize: maxIngest,
      onError: () => {
        throw new ApiError(
          413,
          'too_large',
          `Scan files are limited to ${maxIngest} bytes (${(maxIngest / 1024 / 1024).toFixed(0)} MiB); set FIREBREAK_MAX_INGEST_BYTES to allow more`
        );
      }
    }),
    async (c) => {
      const text = await c.req.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new ApiError(400, 'invalid_json', `The body is not JSON: ${(err as Error).message}`, [
          { path: '(root)', message: 'not valid JSON' }
        ]);
      }
      const workspaceId = c.get('ingestWorkspace');
      const summary = await ingestScan(
        {
          catalog: deps.catalog,
          bumpCatalogVersion: (ws) => deps.workspace.bumpCatalogVersion(ws),
          onAlerts: (ws, scanId, ids) => deps.integrations?.service.checkEvaluation(ws, scanId, ids),
          afterIngest: (ws, scan, alerts) =>
            deps.grouping?.afterIngest(ws, scan, alerts).catch((err: unknown) => {
              // The scan is stored; a retry of the same request runs grouping again.
              deps.log?.error({ err, workspace: ws, scan: scan.id }, 'grouping after ingest failed');
            }) ?? Promise.resolve(),
          now: deps.now
        },
        workspaceId,
        body,
        text
      );
      return c.json({ ...summary, workspaceId }, summary.alreadyStored ? 200 : 201);
    }
  );

  if (deps.integrations) integrationPublicRoutes(api, deps.integrations);

  // ---- a workspace --------------------------------------------------------------------------

  const ws = new Hono<ApiEnv>();
  const viewer = requireRole(access, 'viewer');
  const admin = requireRole(access, 'admin');

  ws.post('/open-join', jsonLimit(), async (c) => {
    const body = await readJson(c, MemberJoinSchema, 'Enter a display name and a valid email');
    const sid = ensureSession(c, access, deps.cookie);
    const grant = await access.openJoin(c.req.param('ws') ?? '', sid, body).catch(rethrow);
    return c.json(grantView(grant));
  });

  ws.get('/config', viewer, (c) => {
    const g = c.get('grant');
    return c.json({
      workspaceId: g.workspace.id,
      name: g.workspace.name,
      member: g.member,
      settings: access.workspaces.get(g.workspace.id)?.settings ?? null
    });
  });

  ws.get('/checks', viewer, async (c) => {
    const cursor = intParam(c.req.query('cursor'), 'cursor', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c.req.query('limit'), 'limit', DEFAULT_PAGE, MAX_PAGE) || DEFAULT_PAGE;
    return c.json(await deps.catalog.listChecks(c.get('grant').workspace.id, cursor, limit));
  });

  ws.get('/checks/:id', viewer, async (c) => {
    const check = await deps.catalog.getCheck(c.get('grant').workspace.id, c.req.param('id'));
    if (!check) throw new ApiError(404, 'not_found', `No check ${c.req.param('id')}`);
    return c.json({ check });
  });

  ws.get('/checks/:id/results', viewer, async (c) => {
    const wsId = c.get('grant').workspace.id;
    const id = c.req.param('id');
    const check = await deps.catalog.getCheck(wsId, id);
    if (!check) throw new ApiError(404, 'not_found', `No check ${id}`);
    const limit = intParam(c.req.query('limit'), 'limit', DEFAULT_HISTORY, MAX_PAGE) || DEFAULT_HISTORY;
    return c.json({ check, results: await deps.catalog.listResults(wsId, id, limit) });
  });

  ws.get('/members', viewer, (c) => c.json({ members: access.members.list(c.get('grant').workspace.id) }));

  ws.put('/me', viewer, jsonLimit(), async (c) => {
    const body = await readJson(c, MemberJoinSchema, 'Enter a display name and a valid email');
    const g = c.get('grant');
    return c.json({ member: await access.updateProfile(g.workspace.id, g.member.id, body).catch(rethrow) });
  });

  ws.post('/me/sign-in-link', viewer, (c) => {
    const g = c.get('grant');
    const { invite, token } = access.createInvite(g.workspace.id, {
      role: g.member.role,
      memberId: g.member.id,
      createdBy: g.member.id,
      ttlMs: parseDuration('1d')
    });
    return c.json({ invite: inviteView(invite), url: joinUrl(token) }, 201);
  });

  ws.patch('/members/:id', admin, jsonLimit(), async (c) => {
    const body = await readJson(c, RoleSchema, 'Choose a role: admin, editor or viewer');
    const member = await access.setRole(c.get('grant').workspace.id, c.req.param('id'), body.role).catch(rethrow);
    return c.json({ member });
  });

  ws.delete('/members/:id', admin, async (c) => {
    const member = await access.removeMember(c.get('grant').workspace.id, c.req.param('id')).catch(rethrow);
    return c.json({ member });
  });

  ws.post('/members/:id/sign-in-link', admin, (c) => {
    const g = c.get('grant');
    try {
      const { invite, token } = access.createInvite(g.workspace.id, {
        role: 'viewer',
        memberId: c.req.param('id'),
        createdBy: g.member.id,
        ttlMs: parseDuration('1d')
      });
      return c.json({ invite: inviteView(invite), url: joinUrl(token) }, 201);
    } catch (err) {
      rethrow(err);
    }
  });

  ws.get('/invites', admin, (c) =>
    c.json({ invites: access.invites.pending(c.get('grant').workspace.id, now()).map(inviteView) })
  );

  ws.post('/invites', admin, jsonLimit(), async (c) => {
    const body = await readJson(c, InviteSchema, 'Choose a role and an expiry');
    const g = c.get('grant');
    const { invite, token } = access.createInvite(g.workspace.id, {
      role: body.role,
      ttlMs: parseDuration(body.expires),
      createdBy: g.member.id
    });
    return c.json({ invite: { ...inviteView(invite), state: inviteState(invite) }, url: joinUrl(token) }, 201);
  });

  ws.delete('/invites/:id', admin, (c) => {
    if (!access.invites.revoke(c.get('grant').workspace.id, c.req.param('id'), now()))
      throw new ApiError(404, 'not_found', 'No pending invite with that id (used, revoked or unknown)');
    return c.json({ ok: true });
  });

  ws.get('/tokens', admin, (c) => c.json({ tokens: access.tokens.list(c.get('grant').workspace.id) }));

  ws.post('/tokens', admin, jsonLimit(), async (c) => {
    const body = await readJson(c, TokenSchema, 'Name the token');
    const g = c.get('grant');
    const { token, record } = access.tokens.create(g.workspace.id, body.name, g.member.id, now());
    return c.json({ token: record, secret: token }, 201);
  });

  ws.delete('/tokens/:id', admin, (c) => {
    if (!access.tokens.revoke(c.get('grant').workspace.id, c.req.param('id'), now()))
      throw new ApiError(404, 'not_found', 'No active token with that id');
    return c.json({ ok: true });
  });

  ws.patch('/', admin, jsonLimit(), async (c) => {
    const body = await readJson(
      c,
      z.object({ name: WorkspaceNameSchema.optional(), settings: WorkspaceSettingsSchema.partial().optional() }),
      'Send a name or settings (autoLink, autoResolveAfterScans)'
    );
    const wsId = c.get('grant').workspace.id;
    if (body.name) access.workspaces.rename(wsId, body.name);
    if (body.settings) {
      const settings = access.workspaces.updateSettings(wsId, body.settings);
      await deps.workspace.publishSettings(wsId, settings);
    }
    return c.json({ workspace: access.workspaces.get(wsId) });
  });

  if (deps.integrations) integrationWorkspaceRoutes(ws, access, deps.integrations);

  api.route('/w/:ws', ws);
  return api;
}
