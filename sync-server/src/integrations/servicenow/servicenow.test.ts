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
import { startFakeServiceNow, type FakeServiceNow } from '../../test/fakes/servicenow.ts';
import { serviceNowNotifier, ServiceNowConfigSchema } from './index.ts';

let fake: FakeServiceNow;
afterEach(() => fake?.close());

const incident = makeIncident();

async function setup(over: Record<string, unknown> = {}) {
  fake = await startFakeServiceNow();
  return testContext(
    ServiceNowConfigSchema.parse({ instanceUrl: fake.url + '/', user: fake.user, password: fake.password, ...over })
  );
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

async function created(over: Record<string, unknown> = {}) {
  const ctx = await setup(over);
  await serviceNowNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx);
  return nextRowOf(ctx);
}

describe('ServiceNow notifier against the fake Table API', () => {
  it('[SN1] a new incident creates one record correlated to it, saves sys_id and number, links to it', async () => {
    const ctx = await setup();
    const result = await serviceNowNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx);
    expect(fake.records).toHaveLength(1);
    const rec = fake.records[0]!;
    expect(rec.fields).toMatchObject({
      short_description: 'INC-196: Invalid customer ids',
      correlation_id: incident.id,
      correlation_display: 'Firebreak',
      impact: '2',
      urgency: '2',
      state: '1'
    });
    expect(rec.priority).toBe('3');
    expect(rec.fields.description).toContain('Orders arrive with customer ids that do not exist.');
    expect(rec.fields.description).toContain('Severity: Major');
    expect(rec.fields.description).toContain(
      `- Fail · No missing customer emails · postgres/orders  ${incident.checkResults[0]!.url}`
    );
    expect(rec.fields.description).toContain(`Firebreak: ${incident.url}`);
    expect(ctx.saved).toEqual([{ sys_id: rec.sys_id, number: 'INC0010001' }]);
    expect(result.link).toEqual({ name: 'INC0010001', url: `${fake.url}/incident.do?sys_id=${rec.sys_id}` });
    expect(fake.requests[0]!.headers).toMatchObject({
      accept: 'application/json',
      authorization: basicAuth(fake.user, fake.password)
    });
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('[SN1] impact and urgency follow severity: critical 1, major 2, minor 3', async () => {
    const ctx = await setup();
    for (const severity of ['critical', 'minor'] as const)
      await serviceNowNotifier.deliver(
        incidentEvent({ kind: 'created' }, makeIncident({ id: `inc-${severity}`, severity })),
        testContext(ctx.config)
      );
    expect(fake.records.map((r) => [r.fields.impact, r.fields.urgency, r.priority])).toEqual([
      ['1', '1', '1'],
      ['3', '3', '5']
    ]);
  });

  it('[SN2] a retry after a crash that lost the create answer adopts the record by correlation_id', async () => {
    const ctx = await setup();
    fake.dropNext(1, { path: '/api/now/table/incident', method: 'POST', apply: true });
    expect(
      (await failure(serviceNowNotifier.deliver(incidentEvent({ kind: 'created' }, incident), ctx))).retriable
    ).toBe(true);
    const retry = retryOf(ctx);
    const result = await serviceNowNotifier.deliver(incidentEvent({ kind: 'created' }, incident), retry);
    expect(fake.recordsByCorrelationId().get(incident.id)).toHaveLength(1);
    expect(retry.saved).toEqual([{ sys_id: fake.records[0]!.sys_id, number: 'INC0010001' }]);
    expect(result.link?.name).toBe('INC0010001');
    const lookup = fake.requestsTo('/api/now/table/incident', 'GET')[0]!;
    expect(lookup.query.get('sysparm_query')).toBe(`correlation_id=${incident.id}^ORDERBYsys_created_on`);
    expect(lookup.query.get('sysparm_limit')).toBe('1');
  });

  it('[SN2] a record of another incident is never adopted', async () => {
    const ctx = await setup();
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'created' }, makeIncident({ id: 'other-incident' })),
      testContext(ctx.config)
    );
    await serviceNowNotifier.deliver(incidentEvent({ kind: 'created' }, incident), retryOf(ctx));
    expect(fake.recordsWithCorrelationId(incident.id)).toHaveLength(1);
    expect(fake.records).toHaveLength(2);
  });

  it('[SN3] status changes set the state and add a work note', async () => {
    const ctx = await created();
    const rec = fake.records[0]!;
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'status', from: 'reported', to: 'investigating' }, incident),
      ctx
    );
    expect(rec.fields.state).toBe('2');
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'status', from: 'investigating', to: 'fixing' }, incident),
      nextRowOf(ctx)
    );
    expect(rec.fields.state).toBe('2');
    expect(rec.work_notes).toEqual([
      `Status changed from Reported to Investigating in Firebreak: ${incident.url}`,
      `Status changed from Investigating to Fixing in Firebreak: ${incident.url}`
    ]);
    expect(fake.requestsTo(`/api/now/table/incident/${rec.sys_id}`, 'PATCH')).toHaveLength(2);
  });

  it('[SN4] resolving sets state 6 with the resolution code and notes; reopening sets In Progress again', async () => {
    const ctx = await created({ closeCode: 'Solution provided' });
    const rec = fake.records[0]!;
    const resolved = resolvedIncident();
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'resolved', from: 'fixing', notes: resolved.resolutionNotes }, resolved),
      ctx
    );
    expect(rec.fields).toMatchObject({
      state: '6',
      close_code: 'Solution provided',
      close_notes: resolved.resolutionNotes
    });
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'reopened', to: 'investigating' }, incident),
      nextRowOf(ctx)
    );
    expect(rec.fields.state).toBe('2');
    expect(rec.reopen_count).toBe(1);
    expect(rec.stateHistory).toEqual(['1', '6', '2']);
  });

  it('[SN4] a resolve without notes still satisfies the resolution data policy', async () => {
    const ctx = await created();
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'resolved', from: 'reported', notes: '' }, resolvedIncident({ resolutionNotes: '' })),
      ctx
    );
    expect(fake.records[0]!.fields.state).toBe('6');
    expect(fake.records[0]!.fields.close_notes).toContain('Resolved in Firebreak without notes');
  });

  it('[SN5] severity changes update impact and urgency; lead and check changes are work notes', async () => {
    const ctx = await created();
    const rec = fake.records[0]!;
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'severity', from: 'major', to: 'critical' }, incident),
      nextRowOf(ctx)
    );
    expect([rec.fields.impact, rec.fields.urgency, rec.priority]).toEqual(['1', '1', '1']);
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'lead', from: null, to: 'member-alice' }, incident),
      nextRowOf(ctx)
    );
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'linked', results: [{ resultId: 'result-01', checkId: 'c' }] }, incident),
      nextRowOf(ctx)
    );
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'unlinked', results: [{ resultId: 'x', checkId: 'c' }] }, incident),
      nextRowOf(ctx)
    );
    expect(rec.work_notes.map((n) => n.replace(/ in Firebreak: .*$/, ''))).toEqual([
      'Severity changed from Major to Critical',
      'Lead set to Alice Martin',
      'Linked 1 check result: No missing customer emails',
      'Unlinked 1 check result'
    ]);
    expect(rec.fields.state).toBe('1');
  });

  it('[SN6] an event for an incident without a record yet finds or creates it, then applies the change', async () => {
    const ctx = await setup();
    await serviceNowNotifier.deliver(incidentEvent({ kind: 'status', from: 'reported', to: 'fixing' }, incident), ctx);
    expect(fake.records).toHaveLength(1);
    expect(fake.records[0]!.fields.state).toBe('2');
    await serviceNowNotifier.deliver(
      incidentEvent({ kind: 'severity', from: 'major', to: 'minor' }, incident),
      testContext(ctx.config)
    );
    expect(fake.records).toHaveLength(1);
    expect(fake.records[0]!.fields.impact).toBe('3');
    expect(await serviceNowNotifier.deliver(checkEvaluation([makeCheckResult()]), ctx)).toEqual({});
  });

  it('[SN7] 500 and 429 are retriable; 400, 401, 403 and 404 are permanent; timeouts are retriable', async () => {
    const ctx = await setup();
    const ev = incidentEvent({ kind: 'created' }, incident);
    fake.failNext(1, { status: 500, body: { error: { message: 'Internal', detail: null }, status: 'failure' } });
    expect(await failure(serviceNowNotifier.deliver(ev, ctx))).toMatchObject({ retriable: true, status: 500 });
    fake.rateLimitNext(1, 2);
    expect(await failure(serviceNowNotifier.deliver(ev, ctx))).toMatchObject({ retriable: true, retryAfterMs: 2000 });
    for (const status of [400, 403]) {
      fake.failNext(1, { status, body: { error: { message: 'Operation Failed', detail: 'ACL' }, status: 'failure' } });
      expect(await failure(serviceNowNotifier.deliver(ev, ctx))).toMatchObject({ retriable: false, status });
    }
    const unauth = await failure(serviceNowNotifier.deliver(ev, testContext({ ...ctx.config, password: 'wrong' })));
    expect(unauth).toMatchObject({ retriable: false, status: 401 });
    expect(unauth.message).toContain('User Not Authenticated');
    const gone = testContext(ctx.config, { ref: { sys_id: 'deadbeef', number: 'INC0000001' } });
    expect(
      await failure(serviceNowNotifier.deliver(incidentEvent({ kind: 'lead', from: null, to: null }, incident), gone))
    ).toMatchObject({
      retriable: false,
      status: 404
    });
    fake.hangNext(1);
    const quick = testContext(ctx.config, { fetch: createSafeFetch({ allow: ['127.0.0.1'], timeoutMs: 200 }) });
    expect(await failure(serviceNowNotifier.deliver(ev, quick))).toMatchObject({
      retriable: true,
      message: 'ServiceNow: create incident record: timed out'
    });
    expect(fake.records).toHaveLength(0);
  });

  it('[SN8] "Send a test" reads the incident table', async () => {
    const ctx = await setup();
    expect((await serviceNowNotifier.test(ctx)).message).toBe(
      `Connected to ServiceNow as ${fake.user}; the incident table is readable`
    );
    expect(await failure(serviceNowNotifier.test(testContext({ ...ctx.config, user: 'nobody' })))).toMatchObject({
      status: 401
    });
  });

  it('[SN9] fromEnv reads FIREBREAK_SERVICENOW_URL, _USER and _PASSWORD; the password is a secret', () => {
    const env = {
      FIREBREAK_SERVICENOW_URL: 'https://acme.service-now.com/',
      FIREBREAK_SERVICENOW_USER: 'svc',
      FIREBREAK_SERVICENOW_PASSWORD: 'pw'
    };
    expect(serviceNowNotifier.fromEnv({ ...env, FIREBREAK_SERVICENOW_PASSWORD: undefined })).toBeNull();
    expect(serviceNowNotifier.fromEnv(env)).toEqual({
      instanceUrl: 'https://acme.service-now.com',
      user: 'svc',
      password: 'pw',
      closeCode: 'Solved (Permanently)'
    });
    expect(serviceNowNotifier.secretFields).toEqual(['password']);
  });
});

describe('fake ServiceNow Table API', () => {
  const headers = () => ({
    authorization: basicAuth(fake.user, fake.password),
    'content-type': 'application/json',
    accept: 'application/json'
  });

  it('ignores unknown fields, answers {result} with strings, and {error} shapes on failures', async () => {
    fake = await startFakeServiceNow();
    const res = await fetch(`${fake.url}/api/now/table/incident`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ short_description: 'x', impact: 1, u_no_such_field: 'y' })
    });
    expect(res.status).toBe(201);
    const { result } = (await res.json()) as any;
    expect(result).toMatchObject({ short_description: 'x', impact: '1', state: '1' });
    expect(result).not.toHaveProperty('u_no_such_field');
    const resolveBare = await fetch(`${fake.url}/api/now/table/incident/${result.sys_id}`, {
      method: 'PATCH',
      headers: headers(),
      body: JSON.stringify({ state: '6' })
    });
    expect(resolveBare.status).toBe(403);
    expect(((await resolveBare.json()) as any).error.detail).toContain('Resolution code, Resolution notes');
    const anon = await fetch(`${fake.url}/api/now/table/incident`, { headers: { accept: 'application/json' } });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({
      error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
      status: 'failure'
    });
    // Like an instance with default settings, a condition on an unknown field is ignored.
    const all = await fetch(`${fake.url}/api/now/table/incident?sysparm_query=correlation_idd=nope`, {
      headers: headers()
    });
    expect(((await all.json()) as any).result).toHaveLength(1);
  });
});
