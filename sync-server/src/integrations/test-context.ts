import type { IncidentEvent } from '@firebreak/shared';
import { createSafeFetch } from './egress.ts';
import type { CheckResultView, IncidentView, NotifierContext, NotifyEvent, Person } from './types.ts';

/**
 * Test helpers for notifiers: a NotifierContext that behaves like the outbox worker's (refs
 * persist across deliveries, attempts count up, the real egress guard with loopback allowed) and
 * IncidentView / NotifyEvent builders with plausible data.
 */

export const PUBLIC_URL = 'https://firebreak.example.com';

export interface TestContext<C> extends NotifierContext<C> {
  /** Every ref saved through this context, in order. */
  saved: Array<Record<string, unknown>>;
}

let keyCounter = 0;

export function testContext<C>(config: C, over: Partial<NotifierContext<C>> = {}): TestContext<C> {
  const saved: Array<Record<string, unknown>> = [];
  const ctx: TestContext<C> = {
    config,
    // The real guard, opened only for the fakes' loopback address.
    fetch: createSafeFetch({ allow: ['127.0.0.1'] }),
    ref: null,
    saveRef(ref) {
      ctx.ref = ref;
      saved.push(ref);
    },
    idempotencyKey: `test-key-${++keyCounter}`,
    attempt: 1,
    firstAttemptAt: '2026-11-26T09:12:10.000Z',
    linkCallbackUrl: `${PUBLIC_URL}/api/v1/integrations/callback/cap-${keyCounter}`,
    publicUrl: PUBLIC_URL,
    now: () => new Date('2026-11-26T09:12:10.000Z'),
    saved,
    ...over
  };
  return ctx;
}

/** The retry of the same outbox row: same key and ref, one more attempt. */
export function retryOf<C>(ctx: TestContext<C>, over: Partial<NotifierContext<C>> = {}): TestContext<C> {
  return testContext(ctx.config, {
    fetch: ctx.fetch,
    ref: ctx.ref,
    idempotencyKey: ctx.idempotencyKey,
    attempt: ctx.attempt + 1,
    firstAttemptAt: ctx.firstAttemptAt,
    linkCallbackUrl: ctx.linkCallbackUrl,
    ...over
  });
}

/** The next outbox row of the same incident: the saved ref carries over, a new key, attempt 1. */
export function nextRowOf<C>(ctx: TestContext<C>, over: Partial<NotifierContext<C>> = {}): TestContext<C> {
  return testContext(ctx.config, { fetch: ctx.fetch, ref: ctx.ref, linkCallbackUrl: ctx.linkCallbackUrl, ...over });
}

export const ALICE: Person = { id: 'member-alice', name: 'Alice Martin', email: 'alice@example.com' };
export const BOB: Person = { id: 'member-bob', name: 'Bob Chen', email: 'bob@example.com' };

export function makeCheckResult(over: Partial<CheckResultView> = {}): CheckResultView {
  const checkId = over.checkId ?? 'postgres:c41d07b9';
  return {
    id: 'result-01',
    checkId,
    name: 'No missing customer emails',
    definition: 'checks for orders:\n  - missing_count(email) = 0',
    dataset: 'postgres/orders',
    dataSource: 'postgres',
    table: 'orders',
    column: 'email',
    outcome: 'fail',
    dataTimestamp: '2026-11-26T09:00:00.000Z',
    value: 3,
    valueText: null,
    diagnostics: { value: 3, fail: { greaterThan: 0 } },
    url: `${PUBLIC_URL}/checks/${encodeURIComponent(checkId)}`,
    ...over
  };
}

export function makeIncident(over: Partial<IncidentView> = {}): IncidentView {
  const id = over.id ?? '01JDX3M8Q4W6ZK2T9VYB7N5C0R';
  const number = over.number === undefined ? 196 : over.number;
  return {
    id,
    number,
    key: number === null ? 'INC-?' : `INC-${number}`,
    title: 'Invalid customer ids',
    description: 'Orders arrive with customer ids that do not exist.\n\nSeen since the 02:00 load.',
    severity: 'major',
    status: 'reported',
    createdAt: '2026-11-26T09:05:00.000Z',
    updatedAt: '2026-11-26T09:05:00.000Z',
    resolvedAt: null,
    resolutionNotes: '',
    resolutionReason: null,
    url: `${PUBLIC_URL}/incidents/${id}`,
    lead: ALICE,
    reporter: BOB,
    checkResults: [makeCheckResult()],
    links: [],
    ...over
  };
}

export function incidentEvent(change: IncidentEvent, incident: IncidentView = makeIncident()): NotifyEvent {
  return { type: 'incident', change, at: '2026-11-26T09:12:00.000Z', incident };
}

export function checkEvaluation(checkResults: CheckResultView[]): NotifyEvent {
  return { type: 'checkEvaluation', at: '2026-11-26T09:12:00.000Z', checkResults };
}

/** A resolved incident as the worker would describe it. */
export function resolvedIncident(over: Partial<IncidentView> = {}): IncidentView {
  return makeIncident({
    status: 'resolved',
    resolvedAt: '2026-11-26T11:00:00.000Z',
    resolutionNotes: 'Backfilled the customer table; the loader now rejects unknown ids.',
    resolutionReason: 'Fixed',
    ...over
  });
}
