import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { computeInsights, createIncident, listIncidents, resolveIncident, setStatus } from '@firebreak/shared';
import {
  datasetBars,
  formatHours,
  noisyCheckBars,
  openBySeverity,
  reasonLabel,
  reasonStacks,
  spreadBySeverity,
  spreadByWeek,
  weekLabel
} from './charts.ts';

const H = 3_600_000;
const t0 = Date.UTC(2026, 10, 2, 8); // Monday 2 Nov 2026
const at = (hours: number) => ({ at: new Date(t0 + hours * H).toISOString() });

/** Three incidents through the real domain operations: one open, two resolved in different weeks. */
function insights() {
  const doc = new Y.Doc();
  const a = createIncident(
    doc,
    {
      title: 'Orders late',
      severity: 'critical',
      results: [
        { resultId: 'r1', checkId: 'pg:orders' },
        { resultId: 'r2', checkId: 'pg:users' }
      ]
    },
    'm',
    at(0)
  );
  setStatus(doc, a, 'investigating', 'm', at(2));
  resolveIncident(doc, a, { notes: 'backfilled', reason: 'fixed' }, 'm', at(6));
  const b = createIncident(
    doc,
    { title: 'Nulls', severity: 'minor', results: [{ resultId: 'r3', checkId: 'pg:orders' }] },
    'm',
    at(1)
  );
  resolveIncident(doc, b, { notes: '', reason: 'false_positive' }, 'm', at(24 * 7 + 1));
  createIncident(doc, { title: 'Still open', severity: 'major' }, 'm', at(3));
  const c = createIncident(doc, { title: 'No reason', severity: 'major' }, 'm', at(4));
  setStatus(doc, c, 'resolved', 'm', at(24 * 7 + 4));
  const checks = [
    { id: 'pg:orders', name: 'Orders volume', dataset: 'pg/orders' },
    { id: 'pg:users', name: 'Users unique', dataset: 'pg/users' }
  ];
  return computeInsights(
    listIncidents(doc),
    checks,
    new Map([
      ['pg:users', 7],
      ['pg:gone', 2]
    ]),
    new Date(t0 + 24 * 14 * H)
  );
}

describe('insights charts', () => {
  it('has a bar per severity, most severe first, counting only open incidents', () => {
    expect(openBySeverity(insights()).map((b) => [b.key, b.value])).toEqual([
      ['critical', 0],
      ['major', 1],
      ['minor', 0]
    ]);
  });

  it('lists datasets by incidents with the open ones as detail', () => {
    expect(datasetBars(insights()).map((b) => [b.label, b.value, b.detail])).toEqual([
      ['pg/orders', 2, '0 open'],
      ['pg/users', 1, '0 open']
    ]);
    expect(datasetBars(insights(), 1)).toHaveLength(1);
  });

  it('ranks noisy checks by incidents or by warn/fail results, leaving out zeros', () => {
    const ins = insights();
    expect(noisyCheckBars(ins, 'incidents').map((b) => [b.key, b.value])).toEqual([
      ['pg:orders', 2],
      ['pg:users', 1]
    ]);
    expect(noisyCheckBars(ins, 'badResults').map((b) => [b.key, b.value])).toEqual([
      ['pg:users', 7],
      ['pg:gone', 2]
    ]);
    expect(noisyCheckBars(ins, 'incidents')[1]!.detail).toBe('pg/users · 1 incident · 7 warn/fail results');
  });

  it('gives MTTA and MTTR per week, only weeks with a duration', () => {
    const ins = insights();
    // MTTR counts in the week of the resolution: a (6 h) in the first; b (168 h) and c (168 h) the next.
    expect(spreadByWeek(ins, 'mttr')).toEqual([
      { week: '2026-11-02', count: 1, median: 6, p90: 6 },
      { week: '2026-11-09', count: 2, median: 168, p90: 168 }
    ]);
    // MTTA counts in the week of creation: a acknowledged after 2 h, b and c when resolved.
    expect(spreadByWeek(ins, 'mtta').map((p) => [p.week, p.count])).toEqual([['2026-11-02', 3]]);
  });

  it('gives the median MTTR per severity with p90 and count, leaving out severities without one', () => {
    const ins = insights();
    expect(spreadBySeverity(ins, 'mttr').map((b) => [b.key, b.value, b.detail])).toEqual([
      ['critical', 6, 'p90 6 h, 1 incident'],
      ['major', 168, 'p90 7 d, 1 incident'],
      ['minor', 168, 'p90 7 d, 1 incident']
    ]);
    expect(spreadBySeverity(ins, 'mtta').map((b) => [b.key, b.value])).toEqual([
      ['critical', 2],
      ['major', 168],
      ['minor', 168]
    ]);
  });

  it('stacks resolutions per week by reason, known reasons first and "no reason" last', () => {
    const { reasons, stacks } = reasonStacks(insights());
    expect(reasons).toEqual(['fixed', 'false_positive', 'unspecified']);
    expect(stacks.map((s) => [s.week, s.total])).toEqual([
      ['2026-11-02', 1],
      ['2026-11-09', 2]
    ]);
    expect(stacks[1]!.segments.map((g) => [g.label, g.y0, g.y1])).toEqual([
      ['False positive', 0, 1],
      ['No reason given', 1, 2]
    ]);
    expect(reasonLabel('duplicate')).toBe('duplicate');
  });

  it('formats durations and week labels', () => {
    expect(formatHours(null)).toBe('–');
    expect(formatHours(0)).toBe('0');
    expect(formatHours(0.25)).toBe('15 min');
    expect(formatHours(3.46)).toBe('3.5 h');
    expect(formatHours(72)).toBe('3 d');
    expect(weekLabel('2026-11-02')).toBe('Nov 2');
  });
});
