import type { IncidentEvent } from '@firebreak/shared';
import type { CheckResultView, IncidentView, NotifierContext, NotifyEvent, SafeFetch } from '../types.ts';

/**
 * Test helpers for notifiers: a NotifierContext over real HTTP (global fetch with a timeout, as the
 * server's egress-guarded fetch would time out), an in-memory ref store, retries of the same row,
 * and incident fixtures. Nothing here is Slack-specific; it sits in slack/ so that parallel work on
 * other notifiers does not collide with it.
 */

/** Short, so a hanging fake answers "timed out" quickly; the server's default is 10 s. */
export const TEST_FETCH_TIMEOUT_MS = 1500;

export function testFetch(defaultTimeoutMs = TEST_FETCH_TIMEOUT_MS): SafeFetch {
  return (url, init = {}) =>
    fetch(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(init.timeoutMs ?? defaultTimeoutMs)
    });
}

export interface TestContext<C> extends NotifierContext<C> {
  /** Every saveRef, in order. */
  saved: Array<Record<string, unknown>>;
  /** The last saved ref, or the initial one. */
  currentRef(): Record<string, unknown> | null;
}

export function testContext<C>(
  config: C,
  opts: Partial<Omit<NotifierContext<C>, 'config' | 'saveRef'>> & { timeoutMs?: number } = {}
): TestContext<C> {
  const saved: Array<Record<string, unknown>> = [];
  const initial = opts.ref ?? null;
  return {
    config,
    fetch: opts.fetch ?? testFetch(opts.timeoutMs),
    ref: initial,
    saveRef: (ref) => void saved.push(structuredClone(ref)),
    idempotencyKey: opts.idempotencyKey ?? `key-${Math.random().toString(36).slice(2)}`,
    attempt: opts.attempt ?? 1,
    firstAttemptAt: opts.firstAttemptAt ?? new Date().toISOString(),
    linkCallbackUrl: opts.linkCallbackUrl ?? null,
    publicUrl: opts.publicUrl ?? 'http://firebreak.test',
    now: opts.now ?? (() => new Date()),
    saved,
    currentRef: () => saved.at(-1) ?? initial
  };
}

/** The same outbox row tried again: next attempt, same key and first-attempt time, refs so far. */
export function retryOf<C>(ctx: TestContext<C>, overrides: Partial<Omit<NotifierContext<C>, 'saveRef'>> = {}) {
  return testContext(overrides.config ?? ctx.config, {
    fetch: ctx.fetch,
    ref: ctx.currentRef(),
    idempotencyKey: ctx.idempotencyKey,
    attempt: ctx.attempt + 1,
    firstAttemptAt: ctx.firstAttemptAt,
    publicUrl: ctx.publicUrl,
    now: ctx.now,
    ...overrides
  });
}

/** The next outbox row for the same incident: a new key, the refs saved so far. */
export function nextRow<C>(ctx: TestContext<C>, overrides: Partial<Omit<NotifierContext<C>, 'saveRef'>> = {}) {
  return testContext(overrides.config ?? ctx.config, {
    fetch: ctx.fetch,
    ref: ctx.currentRef(),
    publicUrl: ctx.publicUrl,
    now: ctx.now,
    ...overrides
  });
}

export function checkResultView(overrides: Partial<CheckResultView> = {}): CheckResultView {
  const checkId = overrides.checkId ?? 'postgres:c41d07b9';
  return {
    id: 'R01',
    checkId,
    name: 'missing_count(email) = 0',
    definition: 'checks for orders:\n  - missing_count(email) = 0',
    dataset: 'postgres/orders',
    dataSource: 'postgres',
    table: 'orders',
    column: 'email',
    outcome: 'fail',
    dataTimestamp: '2026-11-26T09:00:00.000Z',
    value: 3,
    valueText: null,
    diagnostics: { value: 3 },
    url: `http://firebreak.test/checks/${encodeURIComponent(checkId)}`,
    ...overrides
  };
}

export function incidentView(overrides: Partial<IncidentView> = {}): IncidentView {
  const number = overrides.number === undefined ? 12 : overrides.number;
  const id = overrides.id ?? '01JDQ3N7Z8X9Y0ABCDEFGHJKMN';
  return {
    id,
    number,
    key: number === null ? 'INC-?' : `INC-${number}`,
    title: 'Invalid customer ids',
    description: 'Orders arrive with customer ids that do not exist.',
    severity: 'major',
    status: 'reported',
    createdAt: '2026-11-26T09:12:10.042Z',
    updatedAt: '2026-11-26T09:12:10.042Z',
    resolvedAt: null,
    resolutionNotes: '',
    resolutionReason: null,
    url: `http://firebreak.test/incidents/${id}`,
    lead: { id: 'M1', name: 'Ada Lovelace', email: 'ada@example.com' },
    reporter: { id: 'M2', name: 'Grace Hopper', email: 'grace@example.com' },
    checkResults: [checkResultView()],
    links: [],
    ...overrides
  };
}

export function incidentEvent(change: IncidentEvent, incident: IncidentView = incidentView()): NotifyEvent {
  return { type: 'incident', change, at: new Date().toISOString(), incident };
}
