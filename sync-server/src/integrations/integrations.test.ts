import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import {
  createIncident,
  getIncidentMap,
  incidentLinks,
  integrationsList,
  numbersMap,
  setSeverity,
  setStatus,
  type IntegrationLink
} from '@firebreak/shared';
import {
  apiCall,
  connectWorkspace,
  postScan,
  readFixture,
  signIn,
  startTestServer,
  tempDir,
  until,
  type Session
} from '../test/harness.ts';
import type { RunningServer } from '../server.ts';
import { clickButton } from '../test/fakes/slack.ts';
import { startFakeWebhook, type FakeWebhook } from '../test/fakes/webhook.ts';
import { SLACK_SIGNING_SECRET, startVendors, vendorEnv, type Vendors } from '../test/fakes/vendors.ts';
import { DB_FILE } from '../db/open.ts';

/**
 * The watcher, the outbox and every notifier through the real server (in process, real
 * websockets, real SQLite) against the fake vendors on loopback. Rules IN1–IN12 in SPEC.md.
 */

const SIGNING_SECRET = SLACK_SIGNING_SECRET;
const FAST_RETRY = { baseDelayMs: 30, maxDelayMs: 300, maxAttempts: 6 };

async function start(v: Vendors, dataDir = tempDir()) {
  const { server } = await startTestServer(
    { dataDir, egressAllow: ['127.0.0.1'], integrationEnv: vendorEnv(v) },
    { retry: FAST_RETRY }
  );
  return { server, dataDir };
}

const links = (client: { sys: Y.Doc }, id: string) => incidentLinks(client.sys, id);
const delivered = (ls: IntegrationLink[], n: number) =>
  ls.filter((l) => !l.extra && l.state === 'delivered').length >= n;

/** Each idempotency key the webhook receiver saw, with how often. */
function hookKeys(hook: FakeWebhook): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, ds] of hook.byIdempotencyKey()) out.set(k, ds.length);
  return out;
}

function outboxKinds(server: RunningServer, integrationId: string, subject: string): string[] {
  return server.db
    .prepare<[string, string], { event: string }>(
      'SELECT event FROM outbox WHERE integration_id = ? AND subject = ? ORDER BY id'
    )
    .all(integrationId, subject)
    .map((r) => (JSON.parse(r.event) as { change: { kind: string } }).change.kind);
}

describe('integrations through the real server', () => {
  let v: Vendors;
  let server: RunningServer;
  let dataDir: string;
  let admin: Session;
  let client: ReturnType<typeof connectWorkspace>;
  let incidentId: string;

  beforeAll(async () => {
    v = await startVendors();
    ({ server, dataDir } = await start(v));
    admin = await signIn(server, { role: 'admin', name: 'Alice Martin', email: 'alice@example.com' });
    v.slack.addUser('U0ALICE', 'alice@example.com', 'Alice Martin');
    client = connectWorkspace(server, admin);
    await client.synced();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await v.close();
  });

  it('[IN1] creating an incident opens a channel, an issue, a record, a card and a signed webhook; the tile shows each link live', async () => {
    await until(() => integrationsList(client.sys).length === 5, 10_000, 'integrations published');
    incidentId = createIncident(
      client.doc,
      { title: 'Orders missing customer ids', severity: 'major' },
      admin.member.id
    );
    const ls = (await until(
      () => (delivered(links(client, incidentId), 5) ? links(client, incidentId) : null),
      15_000,
      'all five delivered'
    ))!;
    const byKind = Object.fromEntries(ls.map((l) => [l.integration, l]));
    const n = numbersMap(client.sys).get(incidentId);
    const channel = [...v.slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`));
    expect(channel, 'Slack channel inc-<n>-…').toBeTruthy();
    expect(channel!.name).toMatch(/^inc-\d+-\d{4}-\d{2}-\d{2}-orders-missing-customer-ids$/);
    expect(byKind.slack!.url).toBe(`${v.slack.teamUrl}archives/${channel!.id}`);
    const issue = v.jira.issues.find((i) => i.summary === `INC-${n}: Orders missing customer ids`);
    expect(issue).toBeTruthy();
    expect(byKind.jira!.url).toBe(`${v.jira.url}/browse/${issue!.key}`);
    const record = v.sn.recordsWithCorrelationId(incidentId);
    expect(record).toHaveLength(1);
    expect(record[0]!.fields.impact).toBe('2');
    expect(byKind.servicenow!.url).toContain(`/incident.do?sys_id=${record[0]!.sys_id}`);
    expect(byKind.teams!.url).toBe(v.teams.channelUrl);
    expect(v.teams.cards.length).toBeGreaterThanOrEqual(1);
    const created = v.hook.events('incidentCreated');
    expect(created).toHaveLength(1);
    expect(created[0]!.signatureValid).toBe(true);
    expect((created[0]!.body.incident as { id: string }).id).toBe(incidentId);
  });

  it('[IN2] resolving archives the channel, transitions and comments the Jira issue, resolves the ServiceNow record and tells the webhook', async () => {
    setSeverity(client.doc, incidentId, 'critical', admin.member.id);
    setStatus(client.doc, incidentId, 'investigating', admin.member.id);
    setStatus(client.doc, incidentId, 'resolved', admin.member.id, { resolutionNotes: 'Backfilled the ids.' });
    await until(() => v.sn.recordsWithCorrelationId(incidentId)[0]?.fields.state === '6', 15_000, 'SN resolved');
    await until(() => [...v.slack.channels.values()].some((c) => c.isArchived), 15_000, 'channel archived');
    const issue = v.jira.issues[0]!;
    await until(() => issue.status === 'Done', 15_000, 'Jira Done');
    await until(
      () => issue.comments.some((c) => JSON.stringify(c.body).includes('Backfilled the ids.')),
      15_000,
      'comment'
    );
    const sn = v.sn.recordsWithCorrelationId(incidentId)[0]!;
    expect(sn.fields.close_notes).toContain('Backfilled the ids.');
    await server.worker.idle();
    const updated = v.hook.events('incidentUpdated');
    expect(updated.every((d) => d.signatureValid)).toBe(true);
    // One webhook per event the watcher derived, however the three edits were batched.
    expect(updated.length).toBe(outboxKinds(server, 'env-webhook', incidentId).length - 1);
    expect([...hookKeys(v.hook).values()].every((n) => n === 1)).toBe(true);
  });

  it('[IN3] nothing fires twice across a restart, a reload of the document or two browsers setting the same status', async () => {
    await server.worker.idle();
    const before = { hooks: v.hook.deliveries.length, slack: v.slack.calls.length, rows: server.outbox.counts() };
    client.destroy();
    await server.close();
    ({ server } = await start(v, dataDir));
    client = connectWorkspace(server, admin);
    await client.synced();
    await server.worker.idle();
    expect(v.hook.deliveries.length).toBe(before.hooks);
    expect(server.outbox.counts().delivered).toBe(before.rows.delivered);

    // Two browsers set the same status at once: one event.
    const other = connectWorkspace(server, await signIn(server, { role: 'editor', name: 'Bob' }));
    await other.synced();
    const rowsBefore = outboxKinds(server, 'env-webhook', incidentId).length;
    setStatus(client.doc, incidentId, 'investigating', admin.member.id);
    setStatus(other.doc, incidentId, 'investigating', other.member.id);
    await until(() => outboxKinds(server, 'env-webhook', incidentId).length > rowsBefore, 5_000, 'event recorded');
    // Both browsers' updates have reached the server once each has the other's timeline entry.
    const entries = (d: Y.Doc) => (getIncidentMap(d, incidentId)!.get('timeline') as Y.Array<unknown>).length;
    await until(() => entries(other.doc) === entries(client.doc) && entries(client.doc) >= 2, 5_000, 'converged');
    await server.worker.idle();
    const kinds = outboxKinds(server, 'env-webhook', incidentId).slice(rowsBefore);
    expect(kinds).toEqual(['reopened']);
    other.destroy();
    expect([...hookKeys(v.hook).values()].every((n) => n === 1)).toBe(true);
  });

  it('[IN4] a batch of offline edits yields its net transitions only', async () => {
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(client.doc));
    const rowsBefore = outboxKinds(server, 'env-webhook', incidentId).length;
    setStatus(offline, incidentId, 'fixing', admin.member.id);
    setStatus(offline, incidentId, 'investigating', admin.member.id);
    setStatus(offline, incidentId, 'fixing', admin.member.id);
    setSeverity(offline, incidentId, 'minor', admin.member.id);
    setSeverity(offline, incidentId, 'critical', admin.member.id);
    // The whole offline session arrives as one update.
    Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(offline));
    await until(() => outboxKinds(server, 'env-webhook', incidentId).length > rowsBefore, 5_000, 'events');
    await server.worker.idle();
    expect(outboxKinds(server, 'env-webhook', incidentId).slice(rowsBefore)).toEqual(['status']);
  });

  it('[IN5] a vendor down for a while, then back: retried with backoff, delivered once, the tile says so meanwhile', async () => {
    await v.hook.down('refuse');
    setStatus(client.doc, incidentId, 'investigating', admin.member.id);
    const retrying = await until(
      () => links(client, incidentId).find((l) => l.integration === 'webhook' && l.state === 'retrying'),
      10_000,
      'retrying shown'
    );
    expect(retrying!.error).toBeTruthy();
    expect(Date.parse(retrying!.nextAttemptAt!)).toBeGreaterThan(0);
    await v.hook.up();
    await until(
      () => links(client, incidentId).find((l) => l.integration === 'webhook' && l.state === 'delivered'),
      10_000,
      'delivered after the outage'
    );
    expect([...hookKeys(v.hook).values()].every((n) => n === 1)).toBe(true);
  });

  it('[IN6] a 429 waits for Retry-After; a 4xx other than 408/429 fails for good and an admin retries it from the API', async () => {
    const r0 = v.hook.requests.length;
    const d0 = v.hook.deliveries.length;
    v.hook.rateLimitNext(1, 1);
    setStatus(client.doc, incidentId, 'fixing', admin.member.id);
    await until(() => v.hook.deliveries.length > d0, 10_000, 'delivered after the 429');
    const [limited, next] = v.hook.requests.slice(r0);
    expect(limited!.fault).toBe('status');
    expect(next!.headers['idempotency-key']).toBe(limited!.headers['idempotency-key']);
    expect(Date.parse(next!.at) - Date.parse(limited!.at)).toBeGreaterThanOrEqual(950);

    v.hook.failNext(1, { status: 400, body: { error: 'bad' } });
    setSeverity(client.doc, incidentId, 'minor', admin.member.id);
    const failed = await until(
      () => links(client, incidentId).find((l) => l.integration === 'webhook' && l.state === 'failed'),
      10_000,
      'failed shown'
    );
    expect(failed!.error).toContain('400');
    const retry = await apiCall(server, admin, 'POST', `/api/v1/w/default/deliveries/${failed!.deliveryId}/retry`);
    expect(retry.status).toBe(200);
    await until(
      () => links(client, incidentId).find((l) => l.integration === 'webhook' && l.state === 'delivered'),
      10_000,
      'delivered after retry'
    );
  });

  it('[IN7] a Slack button on the card moves the status in every open browser, as the member with that email', async () => {
    const channel = [...v.slack.channels.values()].find((c) => c.name.includes('orders-missing'))!;
    const card = v.slack
      .messagesFor(channel.id)
      .find((m) => (m.blocks ?? []).some((b) => (b as { type: string }).type === 'actions'))!;
    expect(card).toBeTruthy();
    const res = await clickButton(
      `${server.url}/api/v1/integrations/slack/events`,
      card,
      'firebreak_status:investigating',
      { userId: 'U0ALICE', responseUrl: v.slack.responseUrl() },
      { signingSecret: SIGNING_SECRET }
    );
    expect(res.status).toBe(200);
    await until(
      () => getIncidentMap(client.doc, incidentId)?.get('status') === 'investigating',
      10_000,
      'status moved'
    );
    const timeline = (
      getIncidentMap(client.doc, incidentId)!.get('timeline') as Y.Array<{ by: string; to?: string }>
    ).toArray();
    expect(timeline.at(-1)!.by).toBe(admin.member.id);

    // A forged signature changes nothing.
    const forged = await clickButton(
      `${server.url}/api/v1/integrations/slack/events`,
      card,
      'firebreak_status:fixing',
      { userId: 'U0ALICE' },
      { signingSecret: SIGNING_SECRET, signWith: 'wrong' }
    );
    expect(forged.status).toBe(401);
    expect(getIncidentMap(client.doc, incidentId)?.get('status')).toBe('investigating');
  });

  it('[IN8] secrets never appear in API answers, the database file, the documents or the log', async () => {
    const list = await apiCall(server, admin, 'GET', '/api/v1/w/default/integrations');
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    for (const secret of [v.slack.token, SIGNING_SECRET, v.jira.apiToken, v.sn.password, v.hook.secret!, v.teams.sig])
      expect(text).not.toContain(secret);
    expect(text).toContain('••••••••');
    server.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(path.join(dataDir, DB_FILE)).toString('latin1');
    for (const secret of [v.slack.token, v.jira.apiToken, v.sn.password]) expect(bytes).not.toContain(secret);
    const docs = JSON.stringify(client.sys.toJSON()) + JSON.stringify(client.doc.toJSON());
    expect(docs).not.toContain(v.slack.token);
  });

  it('[IN9] a webhook receiver adds a link by its reply and by the callback URL; new warn/fail results reach it as checkEvaluation', async () => {
    const body = v.hook.events('incidentCreated')[0]!.body as { incidentLinkCallbackUrl: string };
    expect(body.incidentLinkCallbackUrl).toMatch(/\/api\/v1\/integrations\/callback\//);
    const cb = await fetch(body.incidentLinkCallbackUrl.replace(/^https?:\/\/[^/]+/, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://runbooks.example.com/orders', text: 'Runbook' })
    });
    expect(cb.status).toBe(200);
    await until(() => links(client, incidentId).some((l) => l.extra && l.name === 'Runbook'), 5_000, 'callback link');

    const scan = await postScan(server, readFixture('soda-scan-orders.json'));
    expect(scan.status).toBe(201);
    await until(() => v.hook.events('checkEvaluation').length === 1, 10_000, 'checkEvaluation');
    const results = v.hook.events('checkEvaluation')[0]!.body.checkResults as Array<{ outcome: string }>;
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.outcome === 'warn' || r.outcome === 'fail')).toBe(true);
  });

  it('[IN10] admins add, test, pause and remove an integration; a bad configuration is a 400 naming each field', async () => {
    const bad = await apiCall(server, admin, 'POST', '/api/v1/w/default/integrations', {
      kind: 'jira',
      config: { siteUrl: 'not a url', email: '', apiToken: '', projectKey: '1' }
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['config.siteUrl', 'config.email', 'config.apiToken', 'config.projectKey'])
    );
    const hook2 = await startFakeWebhook({ secret: 'second' });
    const add = await apiCall(server, admin, 'POST', '/api/v1/w/default/integrations', {
      kind: 'webhook',
      name: 'Second hook',
      config: { url: hook2.hookUrl, secret: 'second' }
    });
    expect(add.status).toBe(201);
    expect(add.body.integration.config.secret).toBe('••••••••');
    const id = add.body.integration.id as string;
    const test = await apiCall(server, admin, 'POST', `/api/v1/w/default/integrations/${id}/test`);
    expect(test.status).toBe(200);
    expect(hook2.events('validate')).toHaveLength(1);
    await until(() => integrationsList(client.sys).some((i) => i.id === id), 5_000, 'published');

    const pause = await apiCall(server, admin, 'PATCH', `/api/v1/w/default/integrations/${id}`, { paused: true });
    expect(pause.status).toBe(200);
    // The mask sent back keeps the stored secret.
    const rename = await apiCall(server, admin, 'PATCH', `/api/v1/w/default/integrations/${id}`, {
      config: { url: hook2.hookUrl, secret: '••••••••' }
    });
    expect(rename.status).toBe(200);
    setStatus(client.doc, incidentId, 'fixing', admin.member.id);
    await server.worker.idle();
    expect(hook2.events('incidentUpdated')).toHaveLength(0);
    expect(server.integrations.get('default', id)!.config.secret).toBe('second');
    const del = await apiCall(server, admin, 'DELETE', `/api/v1/w/default/integrations/${id}`);
    expect(del.status).toBe(200);
    const envDel = await apiCall(server, admin, 'DELETE', '/api/v1/w/default/integrations/env-slack');
    expect(envDel.status).toBe(409);
    await hook2.close();
  });
});
