import { describe, expect, it } from 'vitest';
import type { CheckResult } from '@firebreak/shared';
import { chartModel, chartSummary, nearestPoint } from './chart.ts';

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
    expect(m.xTicks.length).toBeGreaterThan(0);
  });
  it('ticks values on round numbers that cover the data, in the unit of the check', () => {
    const m = chartModel(results, box, 'count');
    const values = m.yTicks.map((t) => t.value);
    expect(values[0]).toBe(0);
    expect(values[values.length - 1]).toBeGreaterThanOrEqual(10);
    for (const v of values) expect(Number.isInteger(v / 5) || Number.isInteger(v / 2)).toBe(true);
    expect(m.points[2].label).toContain('Fail, 10 rows');
    // Freshness in milliseconds ticks in whole hours or days, not in millions.
    const fresh = [
      result('a', '2026-11-01T00:00:00Z', 99_000_000, 'fail'),
      result('b', '2026-11-02T00:00:00Z', 3_600_000, 'pass')
    ];
    const near = chartModel(
      [result('a', '2026-11-01T00:00:00Z', 99_000_000, 'fail')].map((r) => ({
        ...r,
        diagnostics: { fail: { greaterThan: 86_400_000 } }
      })),
      box,
      'duration'
    );
    expect(new Set(near.yTicks.map((t) => t.label.replace(/^[\d.]+/, '')).filter(Boolean))).toEqual(new Set(['d']));
    const d = chartModel(fresh, box, 'duration');
    expect(d.yTicks.map((t) => t.label).every((l) => /^(0|[\d.]+[dh])$/.test(l))).toBe(true);
    // One unit along the axis: "22.8h" beside "1d" would read as a jump.
    expect(new Set(d.yTicks.map((t) => t.label.replace(/^[\d.]+/, '')).filter(Boolean)).size).toBe(1);
    expect(d.yTicks.map((t) => t.label).join(' ')).not.toMatch(/M/);
    expect(d.points[0].label).toContain('1d 3h 30m');
  });
  it('labels the x axis with several time ticks inside the plot', () => {
    const wide = { ...box, width: 800 };
    const m = chartModel(results, wide);
    expect(m.xTicks.length).toBeGreaterThanOrEqual(3);
    for (const t of m.xTicks) {
      expect(t.x).toBeGreaterThanOrEqual(wide.left);
      expect(t.x).toBeLessThanOrEqual(wide.width - wide.right);
      expect(t.label).not.toBe('');
    }
  });
  it('draws the fail and warn zones of the diagnostics as bands, clipped to the plot', () => {
    const zoned = results.map((r) => ({ ...r, diagnostics: { fail: { greaterThan: 5 }, warn: { greaterThan: 2 } } }));
    const m = chartModel(zoned, box, 'count');
    expect(m.bands.map((b) => b.kind)).toEqual(['warn', 'fail']);
    const fail = m.bands[1];
    expect(fail.y0).toBe(box.top);
    expect(fail.label).toBe('Fail when > 5 rows');
    // The band starts at the value 5: between the y of 0 and of 10.
    expect(fail.y1).toBeGreaterThan(m.points[2].y!);
    expect(fail.y1).toBeLessThan(m.points[0].y!);
    expect(chartModel(results, box).bands).toEqual([]);
  });
  it('finds the point nearest to a pointer position', () => {
    const m = chartModel(results, box);
    expect(nearestPoint(m.points, 0)).toBe(0);
    expect(nearestPoint(m.points, 170)).toBe(1);
    expect(nearestPoint([], 10)).toBe(-1);
  });
});

describe('chartSummary', () => {
  it('summarises counts, latest and range', () => {
    const s = chartSummary('Nulls', results);
    expect(s).toContain('3 results of Nulls');
    expect(s).toContain('Latest: Fail, value 10.');
    expect(chartSummary('Nulls', results, 'count')).toContain('Values ranged from 0 rows to 10 rows.');
    expect(s).toContain('1 failed, 0 warned, 1 passed, 1 not evaluated.');
    expect(s).toContain('Values ranged from 0 to 10.');
  });
});
