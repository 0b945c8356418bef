import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIncident, setStatus } from '../incident/ops.ts';
import { listIncidents } from '../incident/doc.ts';
import { computeInsights, quantile, spread, weekOf } from './insights.ts';

const H = 3_600_000;
const at = (base: number, hours: number) => new Date(base + hours * H).toISOString();

function workspace() {
  const doc = new Y.Doc();
  const t0 = Date.UTC(2026, 10, 2, 8); // a Monday
  // Critical: acknowledged after 1 h, resolved after 4 h.
  const a = createIncident(
    doc,
    { title: 'A', severity: 'critical', results: [{ resultId: 'r1', checkId: 'pg:orders' }] },
    'm',
    { at: at(t0, 0) }
  );
  setStatus(doc, a, 'investigating', 'm', { at: at(t0, 1) });
  setStatus(doc, a, 'resolved', 'm', { at: at(t0, 4) });
  // Major: acknowledged after 2 h, still open.
  const b = createIncident(
    doc,
    {
      title: 'B',
      severity: 'major',
      results: [
        { resultId: 'r2', checkId: 'pg:orders' },
        { resultId: 'r3', checkId: 'pg:users' }
      ]
    },
    'm',
    { at: at(t0, 0) }
  );
  setStatus(doc, b, 'investigating', 'm', { at: at(t0, 2) });
  // Minor: resolved straight from Reported after 10 h, the next week.
  const c = createIncident(doc, { title: 'C', severity: 'minor' }, 'm', { at: at(t0, 24 * 7) });
  setStatus(doc, c, 'resolved', 'm', { at: at(t0, 24 * 7 + 10) });
  // Reopened later: only the first resolution counts.
  setStatus(doc, c, 'fixing', 'm', { at: at(t0, 24 * 10) });
  setStatus(doc, c, 'resolved', 'm', { at: at(t0, 24 * 11) });
  return { doc, t0 };
}

const checks = [
  { id: 'pg:orders', name: 'Orders volume', dataset: 'pg/orders' },
  { id: 'pg:users', name: 'Users unique', dataset: 'pg/users' }
];

describe('insights', () => {
  it('[IS1] quantiles interpolate; spreads of nothing are null', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(spread([])).toEqual({ count: 0, median: null, p90: null });
    expect(weekOf(Date.UTC(2026, 10, 8, 23))).toBe('2026-11-02');
  });

  it('[IS2] open incidents by severity; MTTA from reported to first acknowledgement, MTTR to first resolution', () => {
    const { doc } = workspace();
    const ins = computeInsights(listIncidents(doc), checks);
    expect(ins.open).toEqual({ total: 1, bySeverity: { minor: 0, major: 1, critical: 0 } });
    // MTTA: A 1 h, B 2 h, C 10 h (resolved without acknowledgement counts as acknowledged then).
    expect(ins.mtta).toMatchObject({ count: 3, median: 2 });
    expect(ins.mttr).toMatchObject({ count: 2, median: 7 });
    expect(ins.mttr.bySeverity.critical).toMatchObject({ count: 1, median: 4 });
    expect(ins.mttr.bySeverity.minor).toMatchObject({ count: 1, median: 10 });
  });

  it('[IS3] per week: opened, MTTA and MTTR, resolutions by reason', () => {
    const { doc } = workspace();
    const ins = computeInsights(listIncidents(doc), checks);
    expect(ins.weeks.map((w) => [w.week, w.opened, w.mttr.count])).toEqual([
      ['2026-11-02', 2, 1],
      ['2026-11-09', 1, 1]
    ]);
    expect(ins.reasons).toEqual({ unspecified: 2 });
  });

  it('[IS4] incidents per dataset and the noisiest checks (incidents, then warn/fail results)', () => {
    const { doc } = workspace();
    const ins = computeInsights(
      listIncidents(doc),
      checks,
      new Map([
        ['pg:users', 9],
        ['pg:other', 30]
      ])
    );
    expect(ins.datasets).toEqual([
      { dataset: 'pg/orders', incidents: 2, open: 1 },
      { dataset: 'pg/users', incidents: 1, open: 1 }
    ]);
    expect(ins.noisiestChecks.map((c) => [c.checkId, c.incidents, c.badResults])).toEqual([
      ['pg:orders', 2, 0],
      ['pg:users', 1, 9],
      ['pg:other', 0, 30]
    ]);
  });
});
