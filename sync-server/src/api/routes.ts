import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MemberJoinSchema, type Member } from '@firebreak/shared';
import type { CatalogStore } from '../catalog/catalog-store.ts';
import { ingestScan } from '../catalog/ingest.ts';
import type { MemberStore } from '../members/member-store.ts';
import type { WorkspaceService } from '../workspace/workspace-service.ts';
import { bearerToken } from './auth.ts';
import { ApiError } from './errors.ts';

/** Soda files with tens of thousands of checks and failed-row samples run to tens of MiB. */
const MAX_SCAN_BYTES = 256 * 1024 * 1024;
const DEFAULT_PAGE = 5_000;
const MAX_PAGE = 20_000;
const DEFAULT_HISTORY = 500;

export interface ApiDeps {
  catalog: CatalogStore;
  members: MemberStore;
  workspace: WorkspaceService;
  ingestToken: string;
  now?: () => Date;
}

function intParam(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ApiError(400, 'invalid_parameter', `${name} must be a non-negative integer`);
  return Math.min(n, max);
}

export function apiRoutes(deps: ApiDeps) {
  const api = new Hono();

  api.get('/health', (c) => c.json({ ok: true }));

  api.get('/config', (c) => c.json({ workspaceId: deps.workspace.workspaceId }));

  api.post(
    '/scans',
    bearerToken({ token: deps.ingestToken }),
    bodyLimit({
      maxSize: MAX_SCAN_BYTES,
      onError: () => {
        throw new ApiError(413, 'too_large', `Scan files are limited to ${MAX_SCAN_BYTES / 1024 / 1024} MiB`);
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
      const summary = await ingestScan(
        { catalog: deps.catalog, bumpCatalogVersion: () => deps.workspace.bumpCatalogVersion(), now: deps.now },
        body
      );
      return c.json(summary, 201);
    }
  );

  api.get('/checks', async (c) => {
    const cursor = intParam(c.req.query('cursor'), 'cursor', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c.req.query('limit'), 'limit', DEFAULT_PAGE, MAX_PAGE) || DEFAULT_PAGE;
    return c.json(await deps.catalog.listChecks(cursor, limit));
  });

  api.get('/checks/:id', async (c) => {
    const check = await deps.catalog.getCheck(c.req.param('id'));
    if (!check) throw new ApiError(404, 'not_found', `No check ${c.req.param('id')}`);
    return c.json({ check });
  });

  api.get('/checks/:id/results', async (c) => {
    const id = c.req.param('id');
    const check = await deps.catalog.getCheck(id);
    if (!check) throw new ApiError(404, 'not_found', `No check ${id}`);
    const limit = intParam(c.req.query('limit'), 'limit', DEFAULT_HISTORY, MAX_PAGE) || DEFAULT_HISTORY;
    return c.json({ check, results: await deps.catalog.listResults(id, limit) });
  });

  api.get('/members', (c) => c.json({ members: deps.members.list() }));

  api.put('/members/:id', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(id))
      throw new ApiError(400, 'invalid_parameter', 'member id must be 1-64 letters, digits, - or _');
    const parsed = MemberJoinSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      throw new ApiError(
        400,
        'invalid_member',
        'Enter a display name and a valid email',
        parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }))
      );
    const member: Member = deps.members.upsert({
      id,
      ...parsed.data,
      role: 'editor',
      joinedAt: (deps.now?.() ?? new Date()).toISOString()
    });
    await deps.workspace.upsertMember(member);
    return c.json({ member });
  });

  return api;
}
