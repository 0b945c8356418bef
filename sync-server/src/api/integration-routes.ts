import type { Hono } from 'hono';
import { z } from 'zod';
import { INTEGRATION_KINDS } from '../integrations/types.ts';
import { IntegrationConfigError, type IntegrationStore } from '../integrations/integration-store.ts';
import type { Outbox, OutboxRow } from '../integrations/outbox-store.ts';
import type { OutboxWorker } from '../integrations/outbox-worker.ts';
import { NOTIFIERS } from '../integrations/registry.ts';
import type { IntegrationService } from '../integrations/service.ts';
import { ApiError } from './errors.ts';
import { jsonLimit, readJson, requireRole, type ApiEnv } from './http.ts';
import type { AccessService } from '../access/access-service.ts';

export interface IntegrationApiDeps {
  integrations: IntegrationStore;
  outbox: Outbox;
  worker: OutboxWorker;
  service: IntegrationService;
}

/** Slack's requests are small; anything bigger is not from Slack. */
const MAX_SLACK_BODY = 256 * 1024;

const CreateSchema = z.object({
  kind: z.enum(INTEGRATION_KINDS),
  name: z.string().trim().max(80).optional(),
  config: z.record(z.string(), z.unknown())
});
const PatchSchema = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  paused: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()).optional()
});

const deliveryView = (r: OutboxRow) => ({
  id: r.id,
  subject: r.subject || null,
  event: r.event.type === 'incident' ? r.event.change.kind : 'checkEvaluation',
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.state === 'pending' ? new Date(r.nextAttemptAt).toISOString() : null,
  createdAt: r.createdAt,
  lastAttemptAt: r.lastAttemptAt,
  lastError: r.lastError,
  deliveredAt: r.deliveredAt
});

function configError(err: unknown): never {
  if (err instanceof IntegrationConfigError) throw new ApiError(400, 'invalid_config', err.message, err.issues);
  throw err;
}

/** Public endpoints vendors call: Slack's buttons and slash command, webhook link callbacks. */
export function integrationPublicRoutes(api: Hono<ApiEnv>, deps: IntegrationApiDeps) {
  api.post('/integrations/slack/events', jsonLimit(MAX_SLACK_BODY), async (c) => {
    // The signature covers the raw bytes: read them before anything parses the body.
    const raw = await c.req.text();
    const answer = await deps.service.slackEvents(raw, (h) => c.req.header(h));
    if (answer.body === '') return c.body(null, answer.status as 200);
    return c.json(answer.body as object, answer.status as 200);
  });

  api.post('/integrations/callback/:token', jsonLimit(), async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const answer = await deps.service.linkCallback(c.req.param('token'), body);
    return c.json(answer.body as object, answer.status as 200);
  });
}

/** Settings → Integrations (admins): list, add, change, pause, remove, test, deliveries, retry. */
export function integrationWorkspaceRoutes(ws: Hono<ApiEnv>, access: AccessService, deps: IntegrationApiDeps) {
  const admin = requireRole(access, 'admin');
  const { integrations } = deps;
  const published = (workspaceId: string) => deps.worker.tiles.publishIntegrations(workspaceId);

  ws.get('/integrations', admin, (c) => {
    const wsId = c.get('grant').workspace.id;
    return c.json({
      integrations: integrations.list(wsId).map((i) => integrations.view(i)),
      kinds: INTEGRATION_KINDS.map((kind) => ({
        kind,
        label: NOTIFIERS[kind].label,
        secretFields: [...NOTIFIERS[kind].secretFields]
      }))
    });
  });

  ws.post('/integrations', admin, jsonLimit(), async (c) => {
    const body = await readJson(c, CreateSchema, 'Choose an integration kind and fill in its settings');
    const wsId = c.get('grant').workspace.id;
    let created;
    try {
      created = integrations.create(wsId, body.kind, body.name, body.config);
    } catch (err) {
      configError(err);
    }
    await published(wsId);
    return c.json({ integration: integrations.view(created) }, 201);
  });

  ws.patch('/integrations/:id', admin, jsonLimit(), async (c) => {
    const body = await readJson(c, PatchSchema, 'Send a name, paused or config');
    const wsId = c.get('grant').workspace.id;
    const id = c.req.param('id');
    const current = integrations.get(wsId, id);
    if (!current) throw new ApiError(404, 'not_found', `No integration ${id}`);
    if (current.source === 'env' && (body.config || body.name))
      throw new ApiError(
        409,
        'configured_by_env',
        `${current.name} is configured by FIREBREAK_* environment variables; change them and restart (it can be paused here)`
      );
    let updated;
    try {
      updated = integrations.update(wsId, id, body)!;
    } catch (err) {
      configError(err);
    }
    if (current.paused && !updated.paused) deps.outbox.resume(wsId, id);
    await published(wsId);
    return c.json({ integration: integrations.view(updated) });
  });

  ws.delete('/integrations/:id', admin, async (c) => {
    const wsId = c.get('grant').workspace.id;
    const id = c.req.param('id');
    const current = integrations.get(wsId, id);
    if (!current) throw new ApiError(404, 'not_found', `No integration ${id}`);
    if (current.source === 'env')
      throw new ApiError(
        409,
        'configured_by_env',
        `${current.name} is configured by FIREBREAK_* environment variables; unset them and restart to remove it`
      );
    integrations.remove(wsId, id);
    deps.outbox.dropIntegration(wsId, id);
    await published(wsId);
    return c.json({ ok: true });
  });

  ws.post('/integrations/:id/test', admin, async (c) => {
    const wsId = c.get('grant').workspace.id;
    const current = integrations.get(wsId, c.req.param('id'));
    if (!current) throw new ApiError(404, 'not_found', `No integration ${c.req.param('id')}`);
    const result = await deps.service.test(current);
    if (!result.ok) throw new ApiError(502, 'test_failed', `The test failed: ${result.message}`);
    return c.json(result);
  });

  ws.get('/integrations/:id/deliveries', admin, (c) => {
    const wsId = c.get('grant').workspace.id;
    const id = c.req.param('id');
    if (!integrations.get(wsId, id)) throw new ApiError(404, 'not_found', `No integration ${id}`);
    return c.json({ deliveries: deps.outbox.recent(wsId, id, 50).map(deliveryView) });
  });

  ws.post('/deliveries/:id/retry', admin, (c) => {
    const wsId = c.get('grant').workspace.id;
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || !deps.outbox.revive(wsId, id))
      throw new ApiError(404, 'not_found', 'No failed delivery with that id in this workspace');
    return c.json({ delivery: deliveryView(deps.outbox.get(id)!) });
  });
}
