import { afterEach, describe, expect, it } from 'vitest';
import { createSafeFetch } from '../egress.ts';
import { basicAuth } from '../request.ts';
import {
  checkEvaluation,
  incidentEvent,
  makeCheckResult,
  makeIncident,
  nextRowOf,
  resolvedIncident,
  retryOf,
  testContext
} from '../test-context.ts';
import { DeliveryError } from '../types.ts';
import { adfDocProblem, adfToText, startFakeJira, type FakeJira } from '../../test/fakes/jira.ts';
import { incidentLabel, issueDescription, jiraNotifier, JiraConfigSchema } from './index.ts';

let fake: FakeJira;
afterEach(() => fake?.close());

const incident = makeIncident();
const label = incidentLabel(incident.id);

async function setup(over: Record<string, unknown> = {}) {
  fake = await startFakeJira();
  const config = JiraConfigSchema.parse({
    siteUrl: fake.url,
    email: fake.email,
    apiToken: fake.apiToken,
    projectKey: 'ops',
    ...over
  });
  return testContext(config);
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/** Creates the issue and returns the context of the incident's next outbox row. */
async function created(over: Record<string, unknown> = {}) {
  const ctx = await setup(over);
  await jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx);
  return nextRowOf(ctx);
}

describe('Jira notifier against the fake Jira Cloud', () => {
  it('[JR1] a new incident creates one labelled issue with an ADF description, saves its key and links to it', async () => {
    const ctx = await setup();
    const result = await jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx);
    expect(fake.issues).toHaveLength(1);
    const issue = fake.issues[0]!;
    expect(issue).toMatchObject({
      key: 'OPS-1',
      projectKey: 'OPS',
      issueType: 'Task',
      summary: 'INC-196: Invalid customer ids',
      status: 'To Do',
      labels: [label]
    });
    expect(label).toBe('firebreak-01jdx3m8q4w6zk2t9vyb7n5c0r');
    const text = adfToText(issue.description);
    expect(text).toContain('Orders arrive with customer ids that do not exist.');
    expect(text).toContain('Severity: Major');
    expect(text).toContain('Lead: Alice Martin');
    expect(text).toContain(
      `No missing customer emails <${incident.checkResults[0]!.url}> · Fail · postgres/orders (email)`
    );
    expect(text).toContain(`Open INC-196 in Firebreak <${incident.url}>`);
    expect(ctx.saved).toEqual([{ key: 'OPS-1', id: issue.id }]);
    expect(result.link).toEqual({ name: 'OPS-1', url: `${fake.url}/browse/OPS-1` });
    // A first try of `created` has nothing to adopt: no search.
    expect(fake.requestsTo('/rest/api/3/search/jql')).toHaveLength(0);
    expect(fake.requests[0]!.headers.authorization).toBe(basicAuth(fake.email, fake.apiToken));
  });

  it('[JR2] a retry after a crash that lost the create answer adopts the issue instead of creating another', async () => {
    const ctx = await setup();
    fake.dropNext(1, { path: '/rest/api/3/issue', method: 'POST', apply: true });
    const lost = await failure(jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx));
    expect(lost.retriable).toBe(true);
    expect(ctx.saved).toEqual([]);
    expect(fake.issues).toHaveLength(1);
    const retry = retryOf(ctx);
    const result = await jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), retry);
    expect(fake.issuesByLabel().get(label)).toHaveLength(1);
    expect(retry.saved).toEqual([{ key: 'OPS-1', id: fake.issues[0]!.id }]);
    expect(result.link?.name).toBe('OPS-1');
    expect(fake.requestsTo('/rest/api/3/search/jql')).toHaveLength(1);
  });

  it('[JR2] a retry that finds nothing creates the issue', async () => {
    const ctx = await setup();
    fake.failNext(1, { path: '/rest/api/3/issue', status: 503 });
    await failure(jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx));
    await jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), retryOf(ctx));
    expect(fake.issues).toHaveLength(1);
  });

  it('[JR3] status changes move the issue by the transition whose target has the mapped name', async () => {
    const ctx = await created();
    await jiraNotifier.deliver(incidentEvent({ kind: 'status', from: 'reported', to: 'investigating' }, incident), ctx);
    expect(fake.issue('OPS-1')!.status).toBe('In Progress');
    // Investigating and Fixing both map to In Progress: nothing to move.
    await jiraNotifier.deliver(
      incidentEvent({ kind: 'status', from: 'investigating', to: 'fixing' }, incident),
      nextRowOf(ctx)
    );
    await jiraNotifier.deliver(
      incidentEvent({ kind: 'status', from: 'fixing', to: 'reported' }, incident),
      nextRowOf(ctx)
    );
    expect(fake.issue('OPS-1')!.history.map((h) => `${h.from} → ${h.to} (${h.transitionId})`)).toEqual([
      'To Do → In Progress (11)',
      'In Progress → To Do (31)'
    ]);
    expect(fake.requestsTo('/rest/api/3/issue/OPS-1/transitions', 'POST')).toHaveLength(2);
  });

  it('[JR3] resolving moves to Done and comments the notes; reopening moves back', async () => {
    const ctx = await created();
    const resolved = resolvedIncident();
    await jiraNotifier.deliver(
      incidentEvent({ kind: 'resolved', from: 'reported', notes: resolved.resolutionNotes }, resolved),
      ctx
    );
    const issue = fake.issue('OPS-1')!;
    expect(issue.status).toBe('Done');
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]!.text).toContain('Resolved in Firebreak (Fixed)');
    expect(issue.comments[0]!.text).toContain('Backfilled the customer table; the loader now rejects unknown ids.');
    await jiraNotifier.deliver(incidentEvent({ kind: 'reopened', to: 'investigating' }, incident), nextRowOf(ctx));
    expect(issue.status).toBe('In Progress');
    expect(issue.history.at(-1)!.transitionId).toBe('51');
  });

  it('[JR3] no transition to the mapped status is a permanent error naming the ones there are', async () => {
    const ctx = await created({ statusMap: { fixing: 'In Review' } });
    const err = await failure(
      jiraNotifier.deliver(incidentEvent({ kind: 'status', from: 'reported', to: 'fixing' }, incident), ctx)
    );
    expect(err.retriable).toBe(false);
    expect(err.message).toContain('OPS-1 is in "To Do" and no transition leads to "In Review"');
    expect(err.message).toContain('"Start Progress" → "In Progress"');
    expect(err.message).toContain('"Done" → "Done"');
  });

  it('[JR4] a retried resolve neither transitions nor comments twice', async () => {
    const ctx = await created();
    const resolved = resolvedIncident();
    fake.dropNext(1, { path: '/rest/api/3/issue/OPS-1/comment', method: 'POST', apply: true });
    const ev = incidentEvent({ kind: 'resolved', from: 'reported', notes: resolved.resolutionNotes }, resolved);
    expect((await failure(jiraNotifier.deliver(ev, ctx))).retriable).toBe(true);
    await jiraNotifier.deliver(ev, retryOf(ctx));
    const issue = fake.issue('OPS-1')!;
    expect(issue.comments).toHaveLength(1);
    expect(issue.history).toHaveLength(1);
    expect(issue.comments[0]!.properties).toEqual([
      { key: 'firebreak', value: { idempotencyKey: ctx.idempotencyKey } }
    ]);
  });

  it('[JR5] severity, lead and linked-check changes are comments', async () => {
    const ctx = await created();
    const two = makeIncident({
      checkResults: [makeCheckResult(), makeCheckResult({ id: 'r2', name: 'Fresh orders' })]
    });
    await jiraNotifier.deliver(incidentEvent({ kind: 'severity', from: 'major', to: 'critical' }, two), nextRowOf(ctx));
    await jiraNotifier.deliver(incidentEvent({ kind: 'lead', from: 'member-alice', to: null }, two), nextRowOf(ctx));
    await jiraNotifier.deliver(
      incidentEvent({ kind: 'linked', results: [{ resultId: 'r2', checkId: 'c2' }] }, two),
      nextRowOf(ctx)
    );
    await jiraNotifier.deliver(
      incidentEvent({ kind: 'unlinked', results: [{ resultId: 'r9', checkId: 'c9' }] }, two),
      nextRowOf(ctx)
    );
    expect(fake.issue('OPS-1')!.comments.map((c) => c.text.replace(/ <.*$/, ''))).toEqual([
      'Severity changed from Major to Critical in Firebreak. Open INC-196',
      'Lead Alice Martin removed in Firebreak. Open INC-196',
      'Linked 1 check result: Fresh orders in Firebreak. Open INC-196',
      'Unlinked 1 check result in Firebreak. Open INC-196'
    ]);
    expect(fake.issue('OPS-1')!.status).toBe('To Do');
  });

  it('[JR6] an event for an incident without an issue yet finds or creates it first, then applies the change', async () => {
    const ctx = await setup();
    const result = await jiraNotifier.deliver(
      incidentEvent({ kind: 'status', from: 'reported', to: 'investigating' }, incident),
      ctx
    );
    expect(fake.issues).toHaveLength(1);
    expect(fake.issues[0]!.status).toBe('In Progress');
    expect(result.link?.name).toBe('OPS-1');
    // The late `created` row then has the ref and creates nothing.
    await jiraNotifier.deliver(incidentEvent({ kind: 'created' }, incident), nextRowOf(ctx));
    expect(fake.issues).toHaveLength(1);
    expect(await jiraNotifier.deliver(checkEvaluation([makeCheckResult()]), ctx)).toEqual({});
  });

  it('[JR7] 500 and 429 are retriable; 400, 401 and 404 are permanent; timeouts are retriable', async () => {
    const ctx = await setup();
    const ev = incidentEvent({ kind: 'created' }, incident);
    fake.failNext(1, { status: 500 });
    expect(await failure(jiraNotifier.deliver(ev, ctx))).toMatchObject({ retriable: true, status: 500 });
    fake.rateLimitNext(1, 30);
    expect(await failure(jiraNotifier.deliver(ev, ctx))).toMatchObject({
      retriable: true,
      status: 429,
      retryAfterMs: 30_000
    });
    const badProject = await failure(jiraNotifier.deliver(ev, testContext({ ...ctx.config, projectKey: 'NOPE' })));
    expect(badProject).toMatchObject({ retriable: false, status: 400 });
    expect(badProject.message).toContain('Specify a valid project ID or key');
    const badType = await failure(jiraNotifier.deliver(ev, testContext({ ...ctx.config, issueType: 'Epic' })));
    expect(badType.message).toContain('The issue type selected is invalid.');
    expect(await failure(jiraNotifier.deliver(ev, testContext({ ...ctx.config, apiToken: 'wrong' })))).toMatchObject({
      retriable: false,
      status: 401
    });
    const missing = testContext(ctx.config, { ref: { key: 'OPS-99', id: '99' } });
    expect(
      await failure(
        jiraNotifier.deliver(incidentEvent({ kind: 'severity', from: 'major', to: 'minor' }, incident), missing)
      )
    ).toMatchObject({
      retriable: false,
      status: 404
    });
    fake.hangNext(1);
    const quick = testContext(ctx.config, { fetch: createSafeFetch({ allow: ['127.0.0.1'], timeoutMs: 200 }) });
    expect(await failure(jiraNotifier.deliver(ev, quick))).toMatchObject({
      retriable: true,
      message: 'Jira: create issue: timed out'
    });
    expect(fake.issues).toHaveLength(0);
  });

  it('[JR8] "Send a test" reads the account and the project', async () => {
    const ctx = await setup();
    expect((await jiraNotifier.test(ctx)).message).toBe(
      'Connected to Jira as Firebreak bot; project OPS (OPS project) is reachable'
    );
    expect(await failure(jiraNotifier.test(testContext({ ...ctx.config, projectKey: 'NOPE' })))).toMatchObject({
      status: 404,
      retriable: false
    });
    expect(fake.issues).toHaveLength(0);
  });

  it('[JR9] fromEnv reads the FIREBREAK_JIRA_* variables; the status map can be partly overridden', () => {
    const env = {
      FIREBREAK_JIRA_URL: 'https://acme.atlassian.net/',
      FIREBREAK_JIRA_EMAIL: 'bot@acme.com',
      FIREBREAK_JIRA_API_TOKEN: 'tok',
      FIREBREAK_JIRA_PROJECT: 'ops'
    };
    expect(jiraNotifier.fromEnv({ ...env, FIREBREAK_JIRA_API_TOKEN: '' })).toBeNull();
    expect(jiraNotifier.fromEnv(env)).toEqual({
      siteUrl: 'https://acme.atlassian.net',
      email: 'bot@acme.com',
      apiToken: 'tok',
      projectKey: 'OPS',
      issueType: 'Task',
      statusMap: { reported: 'To Do', investigating: 'In Progress', fixing: 'In Progress', resolved: 'Done' }
    });
    expect(jiraNotifier.fromEnv({ ...env, FIREBREAK_JIRA_ISSUE_TYPE: 'Bug' })?.issueType).toBe('Bug');
    const custom = JiraConfigSchema.parse({
      siteUrl: 'https://a.atlassian.net',
      email: 'e',
      apiToken: 't',
      projectKey: 'X',
      statusMap: { fixing: 'In Review' }
    });
    expect(custom.statusMap).toMatchObject({ investigating: 'In Progress', fixing: 'In Review' });
    expect(jiraNotifier.secretFields).toEqual(['apiToken']);
  });

  it('[JR1] descriptions are valid ADF even for empty descriptions and no checks', () => {
    const bare = issueDescription(makeIncident({ description: '', checkResults: [], lead: null }));
    expect(adfDocProblem(bare)).toBeNull();
    expect(adfToText(bare)).toContain('Lead: Nobody');
  });
});

describe('fake Jira', () => {
  const auth = () => ({ authorization: basicAuth(fake.email, fake.apiToken), 'content-type': 'application/json' });
  const post = (path: string, body: unknown, headers: Record<string, string> = auth()) =>
    fetch(fake.url + path, { method: 'POST', headers, body: JSON.stringify(body) });

  it('answers 400 with errorMessages/errors for missing fields and non-ADF descriptions, 401 without auth', async () => {
    fake = await startFakeJira();
    expect((await post('/rest/api/3/issue', { fields: {} }, { 'content-type': 'application/json' })).status).toBe(401);
    const missing = await post('/rest/api/3/issue', { fields: {} });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      errorMessages: [],
      errors: {
        project: 'Specify a valid project ID or key',
        issuetype: 'Specify an issue type',
        summary: 'You must specify a summary of the issue.'
      }
    });
    const fields = { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'x' };
    const plain = await post('/rest/api/3/issue', { fields: { ...fields, description: 'plain text' } });
    expect(((await plain.json()) as any).errors.description).toMatch(/Atlassian Document/);
    const emptyText = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }]
    };
    expect((await post('/rest/api/3/issue', { fields: { ...fields, description: emptyText } })).status).toBe(400);
    expect((await post('/rest/api/3/issue', { fields: { ...fields, labels: ['has space'] } })).status).toBe(400);
    expect((await post('/rest/api/3/issue', { fields })).status).toBe(201);
  });

  it('accepts only transitions available from the current status; the old search API is gone', async () => {
    fake = await startFakeJira();
    await post('/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'x' } });
    expect((await post('/rest/api/3/issue/OPS-1/transitions', { transition: { id: '41' } })).status).toBe(400);
    expect((await post('/rest/api/3/issue/OPS-1/transitions', { transition: { id: '21' } })).status).toBe(204);
    expect((await post('/rest/api/3/issue/OPS-1/transitions', { transition: { id: '21' } })).status).toBe(400);
    expect((await post('/rest/api/3/issue/OPS-1/transitions', { transition: { id: '41' } })).status).toBe(204);
    expect((await fetch(`${fake.url}/rest/api/3/search?jql=labels=x`, { headers: auth() })).status).toBe(410);
  });
});
