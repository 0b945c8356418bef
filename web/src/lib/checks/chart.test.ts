import { describe, expect, it } from 'vitest';
import type { CheckResult } from '@firebreak/shared';
import { chartModel, chartSummary } from './chart.ts';

const result = (id: string, at: string, value: number | null, outcome: CheckResult['outcome']): CheckResult => ({
  id,
  checkId: 'pg:1',
  scanId: 's',
  outcome,
  value,
  valueText: null,
  dataTimestamp: at,
  diagnostics: null,
  outcomeReasons: [],
  seq: 1
});

const results = [
  result('a', '2026-11-01T00:00:00Z', 0, 'pass'),
  result('b', '2026-11-02T00:00:00Z', null, null),
  result('c', '2026-11-03T00:00:00Z', 10, 'fail')
];
const box = { width: 300, height: 120, left: 40, right: 10, top: 10, bottom: 20 };

describe('chartModel', () => {
  it('spreads points over time and value and skips missing values in the line', () => {
    const m = chartModel(results, box);
    expect(m.points.map((p) => Math.round(p.x))).toEqual([40, 165, 290]);
    expect(m.points[1].y).toBeNull();
    expect(m.points[0].y).toBe(100); // zero sits on the axis floor for non-negative values
    expect(m.line.match(/[ML]/g)).toEqual(['M', 'L']);
    expect(m.points.map((p) => p.outcome)).toEqual(['pass', 'error', 'fail']);
  });
  it('handles a single result', () => {
    const m = chartModel([results[2]], box);
    expect(m.points[0].x).toBe(165);
    expect(m.xLabels).toHaveLength(1);
  });
});

describe('chartSummary', () => {
  it('summarises counts, latest and range', () => {
    const s = chartSummary('Nulls', results);
    expect(s).toContain('3 results of Nulls');
    expect(s).toContain('Latest: Fail, value 10.');
    expect(s).toContain('1 failed, 0 warned, 1 passed, 1 not evaluated.');
    expect(s).toContain('Values ranged from 0 to 10.');
  });
});
