import { describe, expect, it } from 'vitest';
import type { CheckSummary } from '@firebreak/shared';
import { checkRowLabel, datasetsOf, EMPTY_CHECK_FILTER, filterChecks, outcomeCounts, sortChecks } from './list.ts';

function check(over: Partial<CheckSummary> & { id: string; name: string }): CheckSummary {
  return {
    identity: over.id,
    dataSource: 'pg',
    table: 'orders',
    column: null,
    dataset: 'pg/orders',
    type: 'generic',
    definition: null,
    attributes: {},
    outcome: 'pass',
    value: 0,
    valueText: null,
    evaluatedAt: '2026-11-01T00:00:00Z',
    lastResultId: 'r',
    resultCount: 1,
    seq: 1,
    ...over
  };
}

const checks = [
  check({ id: 'a', name: 'row_count > 0' }),
  check({ id: 'b', name: 'missing_count(email) = 0', outcome: 'fail', column: 'email' }),
  check({ id: 'c', name: 'freshness(created_at) < 1d', outcome: null, dataset: 'pg/customers' }),
  check({ id: 'd', name: 'duplicate_count(id) = 0', outcome: 'warn' }),
  check({ id: 'e', name: 'avg_amount between 10 and 20', outcome: 'fail' })
];

describe('sortChecks', () => {
  it('puts the worst outcome first, then sorts by name', () => {
    expect(sortChecks(checks).map((c) => c.id)).toEqual(['e', 'b', 'd', 'c', 'a']);
  });
});

describe('filterChecks', () => {
  const ids = (f: Partial<typeof EMPTY_CHECK_FILTER>) =>
    filterChecks(checks, { ...EMPTY_CHECK_FILTER, ...f }).map((c) => c.id);
  it('filters by outcome, including not evaluated', () => {
    expect(ids({ outcome: 'fail' })).toEqual(['b', 'e']);
    expect(ids({ outcome: 'error' })).toEqual(['c']);
  });
  it('filters by dataset and by every word of the text', () => {
    expect(ids({ dataset: 'pg/customers' })).toEqual(['c']);
    expect(ids({ text: 'EMAIL' })).toEqual(['b']);
    expect(ids({ text: 'count orders' })).toEqual(['a', 'b', 'd']);
  });
});

describe('helpers', () => {
  it('lists datasets and counts outcomes', () => {
    expect(datasetsOf(checks)).toEqual(['pg/customers', 'pg/orders']);
    expect(outcomeCounts(checks)).toEqual({ fail: 2, warn: 1, error: 1, pass: 1 });
  });
  it('labels a row by name, outcome and dataset', () => {
    expect(checkRowLabel(checks[2])).toBe('freshness(created_at) < 1d, Not evaluated, pg/customers');
  });
});
