import { describe, expect, it } from 'vitest';
import type { CheckSummary } from '@firebreak/shared';
import {
  checkQuery,
  checkRowLabel,
  checkValue,
  datasetsOf,
  DEFAULT_CHECK_SORT,
  EMPTY_CHECK_FILTER,
  filterChecks,
  isNewFailure,
  outcomeCounts,
  parseCheckQuery,
  sortCheckRows,
  sortChecks,
  sourceLabel,
  toCheckRow,
  toggleCheckSort
} from './list.ts';

function check(over: Partial<CheckSummary> & { id: string; name: string }): CheckSummary {
  return {
    source: 'soda',
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

describe('sortCheckRows', () => {
  const rows = checks.map((c, i) => ({ ...c, value: [5, 3, null, 9, 1][i], seq: i + 1 }));
  it('defaults to worst first, with failures newer than the last visit on top, newest first', () => {
    expect(sortCheckRows(rows, DEFAULT_CHECK_SORT).map((c) => c.id)).toEqual(sortChecks(rows).map((c) => c.id));
    // Seen up to seq 2: e (fail, seq 5) and d (warn, seq 4) are new; b (fail, seq 2) is not.
    expect(sortCheckRows(rows, DEFAULT_CHECK_SORT, 2).map((c) => c.id)).toEqual(['e', 'd', 'b', 'c', 'a']);
    expect(isNewFailure(rows[4], 2)).toBe(true);
    expect(isNewFailure(rows[0], 0)).toBe(false); // passing checks are never "new failures"
    expect(isNewFailure(rows[4], null)).toBe(false); // first visit: nothing to compare with
  });
  it('sorts by value with missing values last in both directions, and by name', () => {
    expect(sortCheckRows(rows, { key: 'value', direction: 'descending' }).map((c) => c.id)).toEqual([
      'd',
      'a',
      'b',
      'e',
      'c'
    ]);
    expect(sortCheckRows(rows, { key: 'value', direction: 'ascending' }).map((c) => c.id)).toEqual([
      'e',
      'b',
      'a',
      'd',
      'c'
    ]);
    expect(sortCheckRows(rows, { key: 'name', direction: 'ascending' }).map((c) => c.name)).toEqual(
      rows.map((c) => c.name).sort()
    );
  });
  it('sorts by source label (dbt, GX, Soda), rows stored without a source counting as Soda', () => {
    const mixed = [
      toCheckRow(check({ id: 's1', name: 'a' })),
      { ...toCheckRow(check({ id: 'old', name: 'b' })), source: undefined },
      toCheckRow(check({ id: 'g1', name: 'c', source: 'gx' })),
      toCheckRow(check({ id: 'd1', name: 'd', source: 'dbt' }))
    ];
    expect(sortCheckRows(mixed, { key: 'source', direction: 'ascending' }).map((c) => c.id)).toEqual([
      'd1',
      'g1',
      's1',
      'old'
    ]);
    expect(sortCheckRows(mixed, { key: 'source', direction: 'descending' }).map((c) => c.id)).toEqual([
      's1',
      'old',
      'g1',
      'd1'
    ]);
    expect(mixed.map(sourceLabel)).toEqual(['Soda', 'Soda', 'GX', 'dbt']);
    expect(toggleCheckSort(DEFAULT_CHECK_SORT, 'source')).toEqual({ key: 'source', direction: 'ascending' });
    expect(parseCheckQuery(new URLSearchParams('sort=source&dir=asc')).sort).toEqual({
      key: 'source',
      direction: 'ascending'
    });
  });
  it('toggles: a new text column starts A to Z, others largest first, the same column flips', () => {
    expect(toggleCheckSort(DEFAULT_CHECK_SORT, 'name')).toEqual({ key: 'name', direction: 'ascending' });
    expect(toggleCheckSort(DEFAULT_CHECK_SORT, 'value')).toEqual({ key: 'value', direction: 'descending' });
    expect(toggleCheckSort(DEFAULT_CHECK_SORT, 'outcome')).toEqual({ key: 'outcome', direction: 'ascending' });
  });
});

describe('check list URL', () => {
  it('round-trips filter and sort, leaving defaults out', () => {
    expect(checkQuery(EMPTY_CHECK_FILTER, DEFAULT_CHECK_SORT)).toBe('');
    const filter = { outcome: 'fail' as const, dataset: 'pg/orders', text: 'email nulls' };
    const sort = { key: 'value' as const, direction: 'ascending' as const };
    const q = checkQuery(filter, sort);
    expect(q).toBe('?outcome=fail&dataset=pg%2Forders&q=email+nulls&sort=value&dir=asc');
    expect(parseCheckQuery(new URLSearchParams(q))).toEqual({ filter, sort });
  });
  it('falls back to defaults for unknown values', () => {
    expect(parseCheckQuery(new URLSearchParams('outcome=bogus&sort=nope&dir=asc'))).toEqual({
      filter: EMPTY_CHECK_FILTER,
      sort: DEFAULT_CHECK_SORT
    });
  });
});

describe('checkValue', () => {
  it('says values in the unit of the check, freshness as a duration', () => {
    const fresh = toCheckRow(
      check({ id: 'f', name: 'Orders are fresh', value: 99_000_000, valueText: '1 day, 3:30:00' })
    );
    expect(checkValue(fresh)).toBe('1d 3h 30m');
    const nulls = toCheckRow(check({ id: 'n', name: 'missing_count(email) = 0', value: 3 }));
    expect(checkValue(nulls)).toBe('3 rows');
    // A row stored before rows had units still gets one, from its name.
    const { unit: _unit, ...old } = nulls;
    expect(checkValue(old, { value: 12, valueText: null })).toBe('12 rows');
  });
});
