import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SORT,
  EMPTY_FILTER,
  filterIncidents,
  incidentQuery,
  incidentRowLabel,
  parseIncidentQuery,
  statusCounts,
  sortIncidents,
  toggleSort,
  toRow,
  type IncidentRow,
  type IncidentSummary
} from './list.ts';

function summary(over: Partial<IncidentSummary> & { id: string }): IncidentSummary {
  return {
    title: 'Untitled',
    severity: 'minor',
    status: 'reported',
    leadId: null,
    reporterId: 'm1',
    createdAt: '2026-11-01T00:00:00.000Z',
    resolvedAt: null,
    invalid: false,
    links: [],
    ...over
  };
}

const checks = new Map([
  ['pg:1', { name: 'Null emails', dataset: 'pg/orders' }],
  ['pg:2', { name: 'Row count', dataset: 'pg/customers' }]
]);
const ctx = {
  numbers: new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3]
  ]),
  memberName: (id: string) => ({ m1: 'Ana', m2: 'Bo' })[id],
  check: (id: string) => checks.get(id)
};

const rows: IncidentRow[] = [
  summary({
    id: 'a',
    title: 'Null emails in orders',
    severity: 'major',
    createdAt: '2026-11-01T00:00:00Z',
    links: [
      { resultId: 'r1', checkId: 'pg:1' },
      { resultId: 'r2', checkId: 'pg:1' }
    ]
  }),
  summary({
    id: 'b',
    title: 'Late load',
    severity: 'critical',
    status: 'resolved',
    leadId: 'm2',
    createdAt: '2026-11-02T00:00:00Z'
  }),
  summary({
    id: 'c',
    title: 'Duplicate ids',
    severity: 'critical',
    status: 'investigating',
    leadId: 'm1',
    createdAt: '2026-11-03T00:00:00Z',
    links: [{ resultId: 'r3', checkId: 'pg:2' }]
  }),
  summary({ id: 'd', title: 'Offline one', severity: 'minor', createdAt: '2026-11-04T00:00:00Z' })
].map((s) => toRow(s, ctx));

describe('toRow', () => {
  it('joins number, lead name and distinct check names and datasets', () => {
    expect(rows[0]).toMatchObject({
      ref: 'INC-1',
      leadName: null,
      checkNames: ['Null emails'],
      datasets: ['pg/orders']
    });
    expect(rows[2]).toMatchObject({ ref: 'INC-3', leadName: 'Ana' });
    expect(rows[3].ref).toBeNull();
  });
});

describe('filterIncidents', () => {
  const ids = (r: IncidentRow[]) => r.map((x) => x.id);
  it('keeps everything with the empty filter', () => {
    expect(ids(filterIncidents(rows, EMPTY_FILTER))).toEqual(['a', 'b', 'c', 'd']);
  });
  it('filters by status, open, severity, lead, no lead and dataset', () => {
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, status: 'resolved' }))).toEqual(['b']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, status: 'open' }))).toEqual(['a', 'c', 'd']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, severity: 'critical' }))).toEqual(['b', 'c']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, lead: 'm1' }))).toEqual(['c']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, lead: 'none' }))).toEqual(['a', 'd']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, dataset: 'pg/customers' }))).toEqual(['c']);
  });
  it('matches every word of the text against number, title, lead and checks', () => {
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, text: 'inc-3' }))).toEqual(['c']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, text: 'emails ORDERS' }))).toEqual(['a']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, text: 'ana' }))).toEqual(['c']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, text: 'row count' }))).toEqual(['c']);
    expect(ids(filterIncidents(rows, { ...EMPTY_FILTER, text: 'pending' }))).toEqual(['d']);
  });
});

describe('sortIncidents', () => {
  const ids = (r: IncidentRow[]) => r.map((x) => x.id);
  it('sorts critical first, open before resolved, then newest', () => {
    expect(ids(sortIncidents(rows, DEFAULT_SORT))).toEqual(['c', 'b', 'a', 'd']);
  });
  it('sorts by number with pending ones last ascending and first descending', () => {
    expect(ids(sortIncidents(rows, { key: 'number', direction: 'ascending' }))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(sortIncidents(rows, { key: 'number', direction: 'descending' }))).toEqual(['d', 'c', 'b', 'a']);
  });
  it('sorts by reported time', () => {
    expect(ids(sortIncidents(rows, { key: 'reported', direction: 'descending' }))).toEqual(['d', 'c', 'b', 'a']);
  });
  it('does not mutate its input', () => {
    const copy = rows.slice();
    sortIncidents(rows, { key: 'number', direction: 'descending' });
    expect(rows).toEqual(copy);
  });
});

describe('toggleSort', () => {
  it('starts a new column descending and flips the same one', () => {
    expect(toggleSort(DEFAULT_SORT, 'number')).toEqual({ key: 'number', direction: 'descending' });
    expect(toggleSort({ key: 'number', direction: 'descending' }, 'number')).toEqual({
      key: 'number',
      direction: 'ascending'
    });
  });
});

describe('incidentRowLabel', () => {
  it('reads number, title, severity and status', () => {
    expect(incidentRowLabel(rows[2])).toBe('INC-3: Duplicate ids, Critical, Investigating');
    expect(incidentRowLabel(rows[3])).toBe('Pending number: Offline one, Minor, Reported');
  });
});

describe('incident list URL', () => {
  it('round-trips every filter and the sort, leaving defaults out', () => {
    expect(incidentQuery(EMPTY_FILTER, DEFAULT_SORT)).toBe('');
    const filter = {
      status: 'open' as const,
      severity: 'critical' as const,
      lead: 'none',
      dataset: 'pg/orders',
      text: 'late'
    };
    const sort = { key: 'number' as const, direction: 'ascending' as const };
    const q = incidentQuery(filter, sort);
    expect(q).toBe('?status=open&severity=critical&lead=none&dataset=pg%2Forders&q=late&sort=number&dir=asc');
    expect(parseIncidentQuery(new URLSearchParams(q))).toEqual({ filter, sort });
  });
  it('ignores unknown statuses, severities and sort keys', () => {
    expect(parseIncidentQuery(new URLSearchParams('status=closed&severity=huge&sort=title'))).toEqual({
      filter: EMPTY_FILTER,
      sort: DEFAULT_SORT
    });
  });
  it('counts open and resolved among the rows shown', () => {
    const all = rows.map((r) => toRow(r, ctx));
    expect(statusCounts(all)).toEqual({ open: all.length - 1, resolved: 1 });
    expect(statusCounts(filterIncidents(all, { ...EMPTY_FILTER, status: 'open' }))).toEqual({
      open: all.length - 1,
      resolved: 0
    });
  });
});
